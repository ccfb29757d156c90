// Quantize once: `--quant q4|q8` converts a float model the first time and keeps the converted folder in
// hourllava's cache (<cache>/quantized/<source>-<scheme>), keyed by the hub snapshot's repository and commit or, for
// a plain folder, by its weights' content; later loads read it directly (the 3B bf16 → q4 conversion takes minutes).
// A saved folder computes exactly what quantizing at load does (test/model/quantize.test.ts), so answers and
// memory cache keys are unchanged.
import { existsSync, mkdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { acquireLock } from "../cache/lock.ts";
import { contentHash } from "../cache/file-hash.ts";
import type { QuantScheme } from "../model/load/quant-plan.ts";
import { quantizeFolder } from "../model/load/quantize-folder.ts";
import { modelId } from "./model-id.ts";

/** Where the converted copy of `dir` lives (it need not exist yet). */
export async function quantizedCopyDir(dir: string, scheme: QuantScheme, cacheDir: string): Promise<string> {
  const abs = resolve(dir);
  const snap = /\/(models--[^/]+)\/snapshots\/([0-9a-f]{40})$/.exec(abs);
  const source = snap ? `${snap[1]}-${snap[2].slice(0, 12)}` : `${basename(abs)}-${await modelId(abs, (p) => contentHash(p, cacheDir))}`;
  return join(cacheDir, "quantized", `${source}-${scheme}`);
}

/** The quantized copy's folder, made now if missing (`made`), under a lock so two processes convert once. */
export async function quantizedCopy(
  dir: string,
  scheme: QuantScheme,
  cacheDir: string,
  onProgress?: (done: number, total: number) => void,
): Promise<{ dir: string; made: boolean }> {
  const out = await quantizedCopyDir(dir, scheme, cacheDir);
  if (existsSync(join(out, "config.json"))) return { dir: out, made: false };
  mkdirSync(dirname(out), { recursive: true });
  const lock = await acquireLock(`${out}.lock`);
  try {
    if (existsSync(join(out, "config.json"))) return { dir: out, made: false }; // another process made it
    quantizeFolder(dir, out, scheme, { onProgress });
    return { dir: out, made: true };
  } finally {
    lock.release();
  }
}
