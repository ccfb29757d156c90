// A live memory on disk: an append-only entry that grows with the stream and survives a restart. Per source and
// model, a folder under <cache>/live/<key>/ holds the frames' video tokens as raw rows (tokens-<base>.bin, row 0 =
// memory frame <base>), the timeline (timeline.jsonl: when each batch arrived, where the source dropped, what a
// rolling window evicted) and meta.json. Tokens are appended before their timeline line, so a kill between the
// two loses at most that batch's times; a row or timeline line cut short by a kill is dropped when the entry is
// opened again. A window compacts the token file by writing the kept rows to a new file and renaming it over, never
// in place.
import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { f32ToHalfBits, halfBitsToF32 } from "../io/dtype.ts";
import { TOKENS_PER_FRAME } from "../model/arch/projector.ts";
import { acquireLock, describeOwner, ownerState, readLockOwner, type Lock } from "./lock.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { readAppendLog } from "../io/append-log.ts";
import { assertFitsF16, memoryKey, type CacheDtype } from "./cache.ts";

export interface LiveMeta {
  source: string;
  kind: string;
  modelId: string;
  hidden: number;
  dtype: CacheDtype;
  videoFps: number;
  size: number;
  created: string;
}

/** One line of timeline.jsonl. */
export type TimelineLine =
  /** Frames [frame, frame+count) arrived by `wallMs`, `spanS` seconds of stream each, from read number `read`. */
  | { frame: number; count: number; wallMs: number; spanS: number; read: number }
  /** The source was silent or gone between two reads (or this process was not running): no frames for that time. */
  | { gap: { afterFrame: number; fromMs: number; toMs: number; reason: string } }
  /** A rolling window dropped every frame before this one. */
  | { evictedBefore: number; wallMs: number };

const TOKENS_FILE = /^tokens-(\d+)\.bin$/;

/** Bytes of one frame's stored tokens. */
const rowBytesOf = (m: Pick<LiveMeta, "hidden" | "dtype">) => TOKENS_PER_FRAME * m.hidden * (m.dtype === "f16" ? 2 : 4);

const liveRoot = (cacheDir: string) => join(cacheDir, "live");

/** A live memory's folder: per source (its path or URL: a stream has no content hash), model, rate, size and stored
 * precision, keyed as the memory cache keys files. */
export function liveEntryDir(cacheDir: string, source: string, modelId: string, videoFps: number | "auto", size: number, dtype: CacheDtype): string {
  return join(liveRoot(cacheDir), memoryKey(`live:${source}`, modelId, { strategy: "prefix", videoFps, size, dtype }));
}

export class LiveStore {
  private constructor(
    readonly dir: string,
    readonly meta: LiveMeta,
    private lock: Lock | undefined,
    /** Memory frame of the token file's first row. */
    private base: number,
    /** Rows in the token file. */
    private rows: number,
    readonly timeline: TimelineLine[],
  ) {}

  /** Opens (or creates) the entry, taking its lock: one process appends to a live memory at a time. */
  static async open(dir: string, meta: LiveMeta, opts: { lockWaitMs?: number } = {}): Promise<LiveStore> {
    mkdirSync(dir, { recursive: true });
    let lock: Lock;
    try {
      lock = await acquireLock(join(dir, "writer.lock"), { waitMs: opts.lockWaitMs ?? 0 });
    } catch (e) {
      throw new Error(`this live memory is being recorded by another process (${(e as Error).message.split(";")[0]})`);
    }
    try {
      const metaPath = join(dir, "meta.json");
      if (existsSync(metaPath)) {
        const old = JSON.parse(readFileSync(metaPath, "utf8")) as LiveMeta;
        if (old.hidden !== meta.hidden || old.dtype !== meta.dtype)
          throw new Error(`${dir}: a live memory of another shape (hidden ${old.hidden}, ${old.dtype})`);
        meta = old;
      } else writeFileAtomic(metaPath, JSON.stringify(meta, null, 2) + "\n");
      const files = readdirSync(dir)
        .map((f) => TOKENS_FILE.exec(f))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ name: m[0], base: Number(m[1]) }))
        .sort((a, b) => b.base - a.base);
      // A compaction killed before its rename leaves a temp file (removed); after it, the newest base wins.
      for (const f of readdirSync(dir)) if (/\.tmp-/.test(f)) rmSync(join(dir, f), { force: true });
      for (const f of files.slice(1)) rmSync(join(dir, f.name), { force: true });
      const base = files[0]?.base ?? 0;
      const rowBytes = rowBytesOf(meta);
      const tokensPath = join(dir, `tokens-${base}.bin`);
      let rows = 0;
      if (existsSync(tokensPath)) {
        const size = statSync(tokensPath).size;
        rows = Math.floor(size / rowBytes);
        if (size !== rows * rowBytes) truncateSync(tokensPath, rows * rowBytes); // a row cut short by a kill
      }
      // A line cut short by a kill is cut off, so the next one is not appended onto it.
      const timeline = readAppendLog<TimelineLine>(join(dir, "timeline.jsonl"), "timeline", "move it away to keep the tokens without their times and gaps");
      return new LiveStore(dir, meta, lock, base, rows, timeline);
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /** Frames recorded since the entry began (evicted ones included). */
  get frames(): number {
    return this.base + this.rows;
  }

  /** The first frame still kept. */
  get firstKept(): number {
    return this.base;
  }

  private get rowFloats(): number {
    return TOKENS_PER_FRAME * this.meta.hidden;
  }

  /** The kept frames' tokens, [rows, 64, H] as f32. */
  readTokens(): Float32Array {
    const n = this.rows * this.rowFloats;
    if (n === 0) return new Float32Array(0);
    const buf = readFileSync(join(this.dir, `tokens-${this.base}.bin`));
    if (this.meta.dtype === "f32") return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + n * 4));
    const out = new Float32Array(n);
    halfBitsToF32("F16", new Uint16Array(buf.buffer, buf.byteOffset, n), out);
    return out;
  }

  /** Appends frames' tokens (and their timeline line); returns the tokens as stored (f16-rounded when f16). */
  append(tokens: Float32Array, line: Omit<Extract<TimelineLine, { frame: number }>, "frame">): Float32Array {
    const count = tokens.length / this.rowFloats;
    if (!Number.isInteger(count) || count !== line.count)
      throw new Error(`live memory: ${tokens.length} values are not ${line.count} frames of ${this.rowFloats}`);
    let bytes: Uint8Array;
    let stored = tokens;
    if (this.meta.dtype === "f16") {
      assertFitsF16(tokens, "record");
      const bits = new Uint16Array(tokens.length);
      f32ToHalfBits("F16", tokens, bits);
      stored = new Float32Array(tokens.length);
      halfBitsToF32("F16", bits, stored);
      bytes = new Uint8Array(bits.buffer);
    } else bytes = new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength);
    const fd = openSync(join(this.dir, `tokens-${this.base}.bin`), "a");
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    const full = { frame: this.frames, ...line };
    this.rows += count;
    this.note(full);
    return stored;
  }

  /** Adds a timeline line (gaps, evictions). */
  note(line: TimelineLine): void {
    appendFileSync(join(this.dir, "timeline.jsonl"), JSON.stringify(line) + "\n");
    this.timeline.push(line);
  }

  /** Drops the frames before `first` from disk (the window moved past them). */
  evictBefore(first: number): void {
    if (first <= this.base) return;
    const keepFrom = Math.min(first, this.frames);
    const rowBytes = rowBytesOf(this.meta);
    const old = join(this.dir, `tokens-${this.base}.bin`);
    const kept = existsSync(old) ? readFileSync(old).subarray((keepFrom - this.base) * rowBytes) : Buffer.alloc(0);
    const next = join(this.dir, `tokens-${keepFrom}.bin`);
    writeFileAtomic(next, kept);
    rmSync(old, { force: true });
    this.rows -= keepFrom - this.base;
    this.base = keepFrom;
    this.note({ evictedBefore: keepFrom, wallMs: Date.now() });
  }

  close(): void {
    this.lock?.release();
    this.lock = undefined;
  }
}

/** A live memory as `cache ls` shows it. */
export interface LiveEntry {
  key: string;
  source: string;
  /** Frames recorded (evicted ones included) and frames kept. */
  frames: number;
  kept: number;
  bytes: number;
  modified: Date;
  /** Who records it now, if anyone. */
  recording?: string;
  gaps: number;
}

/** The live memories under a cache folder, most recently appended first. */
export function listLiveEntries(cacheDir: string): LiveEntry[] {
  const root = liveRoot(cacheDir);
  if (!existsSync(root)) return [];
  const out: LiveEntry[] = [];
  for (const key of readdirSync(root)) {
    const dir = join(root, key);
    const metaPath = join(dir, "meta.json");
    if (!existsSync(metaPath)) continue;
    let meta: LiveMeta;
    try {
      meta = JSON.parse(readFileSync(metaPath, "utf8")) as LiveMeta;
    } catch {
      continue;
    }
    const rowBytes = rowBytesOf(meta);
    let bytes = 0;
    let modified = statSync(dir).mtime;
    let base = 0;
    let kept = 0;
    let gaps = 0;
    for (const f of readdirSync(dir)) {
      const st = statSync(join(dir, f));
      bytes += st.size;
      if (st.mtime > modified) modified = st.mtime;
      const m = TOKENS_FILE.exec(f);
      if (m && Number(m[1]) >= base) {
        base = Number(m[1]);
        kept = Math.floor(st.size / rowBytes);
      }
      if (f === "timeline.jsonl") gaps = (readFileSync(join(dir, f), "utf8").match(/"gap":/g) ?? []).length;
    }
    const owner = readLockOwner(join(dir, "writer.lock"));
    const recording = owner && ownerState(owner) !== "dead" ? describeOwner(owner) : undefined;
    out.push({ key, source: meta.source, frames: base + kept, kept, bytes, modified, gaps, ...(recording ? { recording } : {}) });
  }
  return out.sort((a, b) => b.modified.getTime() - a.modified.getTime());
}

/** Removes the live memory whose key starts with `prefix`; refused while a process records it. */
export function removeLiveEntry(cacheDir: string, prefix: string): string | undefined {
  const hits = listLiveEntries(cacheDir).filter((e) => e.key.startsWith(prefix));
  if (hits.length === 0) return undefined;
  if (hits.length > 1) throw new Error(`"${prefix}" matches ${hits.length} live memories; give more of the key`);
  if (hits[0].recording) throw new Error(`live memory ${hits[0].key} is being recorded by ${hits[0].recording}; stop it first`);
  rmSync(join(liveRoot(cacheDir), hits[0].key), { recursive: true, force: true });
  return hits[0].key;
}
