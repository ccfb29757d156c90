// run.json beside results.jsonl: what the results were made with. Resuming with other settings would mix
// two runs' answers in one file, so it is refused with the difference named.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.ts";
import { jsonFile } from "./rows.ts";

export type RunSettings = Record<string, string | number | boolean | null>;

export function checkOrWriteSettings(outDir: string, settings: RunSettings): void {
  const path = join(outDir, "run.json");
  if (existsSync(path)) {
    const before = jsonFile(path) as RunSettings;
    const keys = [...new Set([...Object.keys(before), ...Object.keys(settings)])];
    const diff = keys.filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(settings[k] ?? null));
    if (diff.length)
      throw new Error(
        `${path}: results in ${outDir} were made with other settings (${diff.map((k) => `${k}: ${JSON.stringify(before[k] ?? null)} → ${JSON.stringify(settings[k] ?? null)}`).join(", ")}); use another --out`,
      );
    return;
  }
  writeFileAtomic(path, JSON.stringify(settings, null, 2) + "\n");
}
