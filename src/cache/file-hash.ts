// Per-file facts that cost a full read (a content hash, a weights check), remembered per file version in a small
// JSON index, so asking again about an hour-long video or loading a model again does not re-read it. A version is
// size + mtime + ctime + inode + a hash of 16 sampled 4 KB blocks: a file rewritten in place with the same size
// and a restored mtime still has a new ctime (which no user call can set back) and usually other sampled bytes, so
// it never gets the old file's memory.
import { createHash } from "node:crypto";
import { closeSync, createReadStream, existsSync, mkdirSync, readFileSync, readSync, statSync } from "node:fs";
import type { Stats } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../io/atomic.ts";
import { openRegularFile } from "../util/regular-file.ts";

// `version` (versionOf) already covers size and mtime; entries written before it existed are misses.
type Entry = { version?: string } & Record<string, string>;
type Index = Record<string, Entry>;

export async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path, { fd: openRegularFile(path) })) h.update(chunk as Buffer);
  return h.digest("hex");
}

const SAMPLES = 16;
const BLOCK = 4096;

/** The cheap fingerprint of a file version (see the header). */
function versionOf(abs: string, st: Stats): string {
  const h = createHash("sha256").update(`${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${st.dev}`);
  const fd = openRegularFile(abs);
  try {
    const buf = Buffer.alloc(BLOCK);
    const last = Math.max(0, st.size - BLOCK);
    for (let i = 0; i < SAMPLES; i++) {
      const n = readSync(fd, buf, 0, BLOCK, Math.floor((last * i) / (SAMPLES - 1)));
      h.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return h.digest("hex").slice(0, 32);
}

/** `compute(path)` once per file version; the result is kept under `field` of the file's entry in `indexPath`. */
export async function memoByFile(indexPath: string, path: string, field: string, compute: (abs: string) => Promise<string>): Promise<string> {
  const abs = resolve(path);
  let version: string;
  try {
    version = versionOf(abs, statSync(abs));
  } catch {
    return compute(abs); // no memo for a file that is not there (or not readable): compute says why in its words
  }
  let index: Index = {};
  try {
    if (existsSync(indexPath)) index = JSON.parse(readFileSync(indexPath, "utf8")) as Index;
  } catch {
    index = {}; // a damaged index only costs a re-read
  }
  const hit = index[abs];
  const same = hit !== undefined && hit.version === version;
  if (same && typeof hit[field] === "string") return hit[field];
  const value = await compute(abs);
  const fresh = same ? hit : { version };
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
