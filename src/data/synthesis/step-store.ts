// Each pipeline step's output as <workdir>/<videoId>/<step>.json, written atomically (temp + rename), so a
// rerun skips what is on disk and a killed run never leaves a half-written step that looks done. Each file
// carries a key, a hash of the step's inputs (prompt, model, upstream outputs): a step whose inputs
// changed (e.g. the event split was redone differently) is not taken for done.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "../../io/atomic.ts";

export class StepStore {
  readonly dir: string;

  constructor(workdir: string, videoId: string) {
    this.dir = join(workdir, videoId);
  }

  file(step: string): string {
    return join(this.dir, `${step}.json`);
  }

  has(step: string): boolean {
    return existsSync(this.file(step));
  }

  /** The stored output of `step` made from inputs with this key, or undefined (not run, or other inputs). */
  get<T>(step: string, key: string, schema: z.ZodType<T>): T | undefined {
    const file = this.file(step);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new Error(`${file}: cannot read step output (${(e as Error).message})`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file}: step output is not valid JSON (${(e as Error).message}); delete it to redo the step`);
    }
    const r = z.object({ step: z.literal(step), key: z.string(), value: schema }).safeParse(value);
    if (!r.success) {
      const i = r.error.issues[0];
      throw new Error(`${file}: step output does not have the expected shape (${i.path.join(".") || "(root)"}: ${i.message}); delete it to redo the step`);
    }
    return r.data.key === key ? (r.data.value as T) : undefined;
  }

  put(step: string, key: string, value: unknown): void {
    this.writeText(`${step}.json`, JSON.stringify({ step, key, value }, null, 1) + "\n");
  }

  writeText(name: string, text: string): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(join(this.dir, name), text);
  }
}
