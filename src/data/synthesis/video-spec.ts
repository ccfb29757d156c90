// The videos to synthesise for: one JSON object per line of a videos.jsonl file.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { DATA_SOURCES, type DataSource } from "../record.ts";

export interface VideoSpec {
  /** Folder name under the workdir and BullMQ job id: letters, digits, ".", "_", "-"; not all digits. */
  id: string;
  /** The video as QA records name it (a path relative to the dataset's video folder). */
  video: string;
  /** The file to decode frames from, when it differs from `video`. */
  path?: string;
  /** Seconds. */
  duration: number;
  data_source: DataSource;
}

const ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export const videoSpecSchema = z.strictObject({
  id: z
    .string()
    .regex(ID, "must be 1–128 letters, digits, '.', '_' or '-' (it names a folder and a queue job)")
    .refine((s) => !/^\d+$/.test(s), "must not be all digits (BullMQ job ids cannot be integers); add a prefix such as v123"),
  video: z.string().min(1),
  path: z.string().min(1).optional(),
  duration: z
    .number()
    .positive()
    .max(24 * 3600),
  data_source: z.enum(DATA_SOURCES),
});

export function parseVideoSpec(value: unknown, where: string): VideoSpec {
  const r = videoSpecSchema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    const field = i.path.length ? i.path.join(".") : "(record)";
    const got = i.path.length && typeof value === "object" && value !== null ? (value as Record<string, unknown>)[String(i.path[0])] : value;
    throw new Error(`${where}: ${field}: ${i.message}${got !== undefined ? ` (got ${JSON.stringify(got)?.slice(0, 60)})` : ""}`);
  }
  return r.data;
}

/** Every line of a videos.jsonl; a bad line or a repeated id stops with its file and line number. */
export function readVideoSpecs(file: string): VideoSpec[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const out: VideoSpec[] = [];
  const seen = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${file}:${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
    }
    const spec = parseVideoSpec(v, where);
    const prev = seen.get(spec.id);
    if (prev !== undefined) throw new Error(`${where}: id "${spec.id}" repeats line ${prev}`);
    seen.set(spec.id, i + 1);
    out.push(spec);
  });
  return out;
}
