// A model's identity for cache keys: config.json plus every safetensors header (names, shapes, offsets, and the
// file sizes) — cheap to compute, and any change of weights layout or config changes it.
import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export function modelId(dir: string): string {
  const h = createHash("sha256");
  h.update(readFileSync(join(dir, "config.json")));
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith(".safetensors"))
    .sort()) {
    const path = join(dir, f);
    const fd = openSync(path, "r");
    try {
      const len = Buffer.alloc(8);
      readSync(fd, len, 0, 8, 0);
      const n = Number(len.readBigUInt64LE(0));
      const header = Buffer.alloc(Math.min(n, 100_000_000));
      readSync(fd, header, 0, header.length, 8);
      h.update(f)
        .update(header)
        .update(String(statSync(path).size));
    } finally {
      closeSync(fd);
    }
  }
  return h.digest("hex").slice(0, 16);
}
