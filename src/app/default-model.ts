// The model shipped in the repository (trained by `hourllava train --config configs/tiny.json`).
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DEFAULT_MODEL_DIR = join(PACKAGE_ROOT, "models", "hourllava-tiny");

export function resolveModelDir(dir?: string): string {
  if (dir) return dir;
  if (!existsSync(join(DEFAULT_MODEL_DIR, "config.json"))) {
    throw new Error(
      `no --model given and the embedded default model is missing (expected ${DEFAULT_MODEL_DIR}); rebuild it with \`hourllava train --config configs/tiny.json --out runs/tiny\` and copy the last checkpoint there, or pass --model DIR`,
    );
  }
  return DEFAULT_MODEL_DIR;
}
