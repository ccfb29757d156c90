// Per-file facts that cost a full read (a content hash, a weights check), remembered by path + size + mtime in a
// small JSON index, so asking again about an hour-long video or loading a model again does not re-read it.
import { createHash } from "node:crypto";
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic.ts";

type Entry = { size: number; mtimeMs: number } & Record<string, string | number>;
type Index = Record<string, Entry>;

export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** `compute(path)` once per file version; the result is kept under `field` of the file's entry in `indexPath`. */
export async function memoByFile(indexPath: string, path: string, field: string, compute: (abs: string) => Promise<string>): Promise<string> {
  const abs = resolve(path);
  let st;
  try {
    st = statSync(abs);
  } catch {
    return compute(abs); // no memo for a file that is not there: compute reports it in its own words
  }
  let index: Index = {};
  try {
    if (existsSync(indexPath)) index = JSON.parse(readFileSync(indexPath, "utf8")) as Index;
  } catch {
    index = {}; // a damaged index only costs a re-read
  }
  const hit = index[abs];
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs && typeof hit[field] === "string") return hit[field];
  const value = await compute(abs);
  const fresh = hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs ? hit : { size: st.size, mtimeMs: st.mtimeMs };
  index[abs] = { ...fresh, [field]: value };
  try {
    mkdirSync(dirname(indexPath), { recursive: true });
    writeFileAtomic(indexPath, JSON.stringify(index));
  } catch {
    // a read-only cache still works; it only reads the file again next time
  }
  return value;
}

export function contentHash(path: string, cacheDir: string): Promise<string> {
  return memoByFile(join(cacheDir, "file-hashes.json"), path, "sha256", sha256File);
}
