// The model shipped in the repository (trained by the runs its README.md lists: base, stage 3, stage 3 with frames).
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DEFAULT_MODEL_DIR = join(PACKAGE_ROOT, "models", "hourllava-tiny");

/** The folder to load: the one given, else the embedded model (`embedded` is a seam for tests). */
export function resolveModelDir(dir?: string, embedded = DEFAULT_MODEL_DIR): string {
  if (dir) return dir;
  if (!existsSync(join(embedded, "config.json"))) {
    throw new Error(
      `no --model given and the embedded default model is missing (expected ${embedded}); restore it from the repository (\`git checkout -- models/hourllava-tiny\`; its README.md lists the three \`hourllava train\` runs that made it), or pass --model DIR`,
    );
  }
  return embedded;
}
