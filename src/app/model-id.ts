// A model's identity for cache keys: config.json plus the content hash of every safetensors file, so a model
// with new weight values (a fine-tune with the same layout) never reuses another model's memory. Each file's
// hash is computed once and remembered by path, size and mtime (see memory/file-hash.ts), so start-up stays
// fast. Entries made before weight values counted (ids from headers and sizes alone) cannot be proven to match
// the current weights, so they are not reused: a one-time re-encode instead of a possibly stale answer.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { MODEL_ID_HEADER, modelFileLine } from "../cache/key-text.ts";

/** `hashFile` returns a content hash of a file (typically cached). */
export async function modelId(dir: string, hashFile: (path: string) => Promise<string>): Promise<string> {
  const h = createHash("sha256");
  h.update(MODEL_ID_HEADER);
  h.update(readFileSync(join(dir, "config.json")));
  for (const f of safetensorsFiles(dir)) h.update(modelFileLine(f, await hashFile(join(dir, f))));
  return h.digest("hex").slice(0, 16);
}

/** The weight files of a model folder, in a stable order. */
export function safetensorsFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(".safetensors"))
    .sort();
}
