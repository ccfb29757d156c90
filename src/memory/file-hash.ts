// Content hash of a video file (streamed sha256), remembered by path + size + mtime in a small index so asking
// again about an hour-long video does not re-read it.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic.ts";

type HashIndex = Record<string, { size: number; mtimeMs: number; sha256: string }>;

export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

export async function contentHash(path: string, cacheDir: string): Promise<string> {
  const abs = resolve(path);
  const st = statSync(abs);
  const indexPath = join(cacheDir, "file-hashes.json");
  let index: HashIndex = {};
  try {
    if (existsSync(indexPath)) index = JSON.parse(readFileSync(indexPath, "utf8")) as HashIndex;
  } catch {
    index = {}; // a damaged index only costs a re-hash
  }
  const hit = index[abs];
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.sha256;
  const sha256 = await sha256File(abs);
  index[abs] = { size: st.size, mtimeMs: st.mtimeMs, sha256 };
  try {
    writeFileAtomic(indexPath, JSON.stringify(index));
  } catch {
    // a read-only cache still works; it only hashes again next time
  }
  return sha256;
}
