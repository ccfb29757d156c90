// MosaicML `streaming` MDS shards, in their on-disk format (streaming/base/format/mds/{writer,reader,
// encodings}.py, base/writer.py), so the official loader reads what we write and we read what it wrote.
//
// Shard file `shard.NNNNN.mds`:
//   uint32 n                          (little-endian, as numpy on x86)
//   uint32 offsets[n + 1]             absolute byte offsets of each sample and the end
//   config JSON (json.dumps(config, sort_keys=True)): {column_encodings, column_names, column_sizes,
//     compression, format, hashes, size_limit, version}
//   samples: per sample, uint32 size of each variable-size column (in column order), then the bytes
// Columns are stored sorted by name. `index.json` = {"version": 2, "shards": [config + samples,
// raw_data {basename, bytes, hashes}, zip_data]}.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { commitTempDir, removeQuietly, tempPathFor } from "../io/atomic.ts";
import { MDS_FILES, assertReplaceable } from "../io/output-folder.ts";
import { pythonJsonDumps } from "./pyjson.ts";

/** Encodings this module reads and writes (variable-size ones; enough for the official video shards). */
export const MDS_ENCODINGS = ["str", "json", "bytes"] as const;
export type MdsEncoding = (typeof MDS_ENCODINGS)[number];

export const DEFAULT_SIZE_LIMIT = 1 << 26;

export interface MdsShardInfo {
  column_encodings: string[];
  column_names: string[];
  column_sizes: (number | null)[];
  compression: string | null;
  format: string;
  hashes: string[];
  raw_data: { basename: string; bytes: number; hashes: Record<string, string> };
  samples: number;
  size_limit: number | null;
  version: number;
  zip_data: { basename: string; bytes: number; hashes: Record<string, string> } | null;
}

export interface MdsIndex {
  version: 2;
  shards: MdsShardInfo[];
}

const UNITS: Record<string, number> = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** streaming's `bytes_to_int`: 123, "123", "123b", "100kb" (×1024), "1.5mb", … */
export function parseSizeLimit(v: number | string): number {
  if (typeof v === "number") return Math.trunc(v);
  const s = v.trim().toLowerCase();
  for (const [suf, mul] of Object.entries(UNITS)) {
    if (s.endsWith(suf)) {
      const n = Number(s.slice(0, -suf.length));
      if (s.length > suf.length && Number.isFinite(n)) return Math.trunc(n * mul);
      throw new Error(`size limit "${v}": not a number before "${suf}"`);
    }
  }
  const m = /^(\d+)b?$/.exec(s);
  if (!m) throw new Error(`size limit "${v}": expected bytes like 67108864, "64mb" or "1000000kb"`);
  return Number(m[1]);
}

/** The column as a string (str, json) or bytes, before one buffer is filled with all columns. */
function encodeValue(name: string, enc: MdsEncoding, v: unknown): string | Uint8Array {
  if (enc === "str") {
    if (typeof v !== "string") throw new Error(`MDS column "${name}" (str): expected a string, got ${typeof v}`);
    return v;
  }
  if (enc === "json") return pythonJsonDumps(v);
  if (!(v instanceof Uint8Array)) throw new Error(`MDS column "${name}" (bytes): expected bytes, got ${typeof v}`);
  return v;
}

function decodeValue(enc: string, b: Buffer): unknown {
  if (enc === "str") return b.toString("utf8");
  if (enc === "json") return JSON.parse(b.toString("utf8"));
  return new Uint8Array(b);
}

export interface MdsWriterOptions {
  /** Output folder; written in a temp folder beside it and moved there by `finish()`. */
  out: string;
  /** Column name → encoding, e.g. {video: "str", text: "json"} as the official sharder. */
  columns: Record<string, MdsEncoding>;
  /** Start a new shard before one would exceed this many bytes; null = one shard. Default 1 << 26. */
  sizeLimit?: number | string | null;
}

export class MdsWriter {
  readonly names: string[];
  readonly encodings: MdsEncoding[];
  private readonly sizeLimit: number | null;
  private readonly configData: Buffer;
  private readonly tmp: string;
  private readonly shards: MdsShardInfo[] = [];
  private samples: Buffer[] = [];
  private shardSize: number;
  private done = false;

  constructor(private readonly opts: MdsWriterOptions) {
    this.names = Object.keys(opts.columns).sort();
    if (this.names.length === 0) throw new Error("MDS writer: no columns");
    this.encodings = this.names.map((n) => {
      const e = opts.columns[n];
      if (!(MDS_ENCODINGS as readonly string[]).includes(e))
        throw new Error(`MDS writer: column "${n}" has encoding "${e}"; supported: ${MDS_ENCODINGS.join(", ")}`);
      return e;
    });
    const lim = opts.sizeLimit === undefined ? DEFAULT_SIZE_LIMIT : opts.sizeLimit === null ? null : parseSizeLimit(opts.sizeLimit);
    if (lim !== null && !(lim > 0 && lim < 2 ** 32)) throw new Error(`MDS writer: size limit must be in 1 … 2^32-1 bytes (offsets are uint32), got ${lim}`);
    this.sizeLimit = lim || null;
    this.configData = Buffer.from(pythonJsonDumps(this.config(), { sortKeys: true }), "utf8");
    this.shardSize = 8 + this.configData.length;
    assertReplaceable(opts.out, MDS_FILES, "MDS shard set");
    mkdirSync(dirname(opts.out) || ".", { recursive: true });
    this.tmp = tempPathFor(opts.out);
    mkdirSync(this.tmp);
  }

  private config() {
    return {
      column_encodings: this.encodings,
      column_names: this.names,
      column_sizes: this.names.map(() => null),
      compression: null,
      format: "mds",
      hashes: [],
      size_limit: this.sizeLimit,
      version: 2,
    };
  }

  /** Encoded sample: uint32 size per variable-size column, then the column bytes. */
  encodeSample(sample: Record<string, unknown>): Buffer {
    const parts = this.names.map((n, i) => {
      if (!(n in sample)) throw new Error(`MDS writer: sample has no column "${n}"`);
      return encodeValue(n, this.encodings[i], sample[n]);
    });
    const sizes = parts.map((p) => (typeof p === "string" ? Buffer.byteLength(p, "utf8") : p.length));
    const buf = Buffer.allocUnsafe(4 * parts.length + sizes.reduce((a, b) => a + b, 0));
    let pos = 4 * parts.length;
    parts.forEach((p, i) => {
      buf.writeUInt32LE(sizes[i], 4 * i);
      if (typeof p === "string") buf.write(p, pos, "utf8");
      else buf.set(p, pos);
      pos += sizes[i];
    });
    return buf;
  }

  write(sample: Record<string, unknown>): void {
    if (this.done) throw new Error("MDS writer: write after finish");
    const enc = this.encodeSample(sample);
    const size = enc.length + 4; // + its offset entry
    // A sample bigger than the limit gets a shard of its own (streaming would first flush an empty one).
    if (this.sizeLimit !== null && this.sizeLimit < this.shardSize + size && this.samples.length > 0) this.flush();
    if (8 + this.configData.length + size >= 2 ** 32) throw new Error(`MDS writer: one sample of ${enc.length} bytes does not fit uint32 offsets`);
    this.samples.push(enc);
    this.shardSize += size;
  }

  private flush(): void {
    const n = this.samples.length;
    const head = Buffer.alloc(4 * (n + 2));
    head.writeUInt32LE(n, 0);
    let off = head.length + this.configData.length;
    for (let i = 0; i <= n; i++) {
      head.writeUInt32LE(off, 4 * (i + 1));
      if (i < n) off += this.samples[i].length;
    }
    const data = Buffer.concat([head, this.configData, ...this.samples]);
    const name = `shard.${String(this.shards.length).padStart(5, "0")}.mds`;
    writeFileSync(join(this.tmp, name), data);
    this.shards.push({
      ...this.config(),
      column_encodings: [...this.encodings],
      column_names: [...this.names],
      raw_data: { basename: name, bytes: data.length, hashes: {} },
      samples: n,
      zip_data: null,
    });
    this.samples = [];
    this.shardSize = 8 + this.configData.length;
  }

  /** Flushes the last shard, writes index.json and moves the folder into place. */
  finish(): MdsIndex {
    if (this.done) throw new Error("MDS writer: finish called twice");
    if (this.samples.length) this.flush();
    const index: MdsIndex = { version: 2, shards: this.shards };
    writeFileSync(join(this.tmp, "index.json"), pythonJsonDumps(index, { sortKeys: true }));
    this.done = true;
    commitTempDir(this.tmp, this.opts.out, MDS_FILES, "MDS shard set");
    return index;
  }

  /** Drops everything written so far. */
  abort(): void {
    this.done = true;
    removeQuietly(this.tmp);
  }
}

/** Random access and resumable iteration over an MDS folder (one or more shards, possibly in sub-folders). */
export class MdsReader {
  readonly index: MdsIndex;
  /** Global index of each shard's first sample; last entry = total. */
  private readonly starts: number[];
  private readonly fds = new Map<number, number>();

  constructor(readonly dir: string) {
    const path = join(dir, "index.json");
    if (!existsSync(path)) throw new Error(`${dir}: no index.json; not an MDS dataset folder`);
    let idx: MdsIndex;
    try {
      idx = JSON.parse(readFileSync(path, "utf8"));
    } catch (e) {
      throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
    }
    if (idx.version !== 2 || !Array.isArray(idx.shards))
      throw new Error(`${path}: expected {"version": 2, "shards": [...]}, got version ${JSON.stringify(idx.version)}`);
    this.starts = [0];
    idx.shards.forEach((s, i) => {
      const where = `${path} shard ${i} (${s.raw_data?.basename})`;
      if (s.format !== "mds") throw new Error(`${where}: format "${s.format}" is not "mds"`);
      if (s.version !== 2) throw new Error(`${where}: version ${s.version} is not 2`);
      if (s.compression) throw new Error(`${where}: compressed shards ("${s.compression}") are not supported; decompress them first`);
      s.column_encodings.forEach((e, c) => {
        if (!(MDS_ENCODINGS as readonly string[]).includes(e) || s.column_sizes[c] !== null)
          throw new Error(`${where}: column "${s.column_names[c]}" has encoding "${e}"; supported: ${MDS_ENCODINGS.join(", ")}`);
      });
      this.starts.push(this.starts[i] + s.samples);
    });
    this.index = idx;
  }

  get length(): number {
    return this.starts[this.starts.length - 1];
  }

  /** Which shard holds global sample i, and where in it. */
  locate(i: number): { shard: number; local: number } {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new Error(`${this.dir}: sample ${i} out of range (0 … ${this.length - 1})`);
    let lo = 0;
    let hi = this.index.shards.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return { shard: lo, local: i - this.starts[lo] };
  }

  private fd(shard: number): number {
    let fd = this.fds.get(shard);
    if (fd === undefined) {
      const s = this.index.shards[shard];
      const file = join(this.dir, s.raw_data.basename);
      fd = openSync(file, "r");
      const size = fstatSync(fd).size;
      if (size !== s.raw_data.bytes) {
        closeSync(fd);
        throw new Error(`${file}: ${size} bytes on disk, index.json says ${s.raw_data.bytes}; the shard is incomplete or was changed`);
      }
      const head = Buffer.alloc(4);
      readSync(fd, head, 0, 4, 0);
      if (head.readUInt32LE(0) !== s.samples) {
        closeSync(fd);
        throw new Error(`${file}: header says ${head.readUInt32LE(0)} samples, index.json says ${s.samples}`);
      }
      this.fds.set(shard, fd);
    }
    return fd;
  }

  decode(shard: number, data: Buffer): Record<string, unknown> {
    const s = this.index.shards[shard];
    const k = s.column_names.length;
    const out: Record<string, unknown> = {};
    let pos = 4 * k;
    for (let c = 0; c < k; c++) {
      const size = data.readUInt32LE(4 * c);
      if (pos + size > data.length) throw new Error(`${s.raw_data.basename}: column "${s.column_names[c]}" runs past the sample's end`);
      out[s.column_names[c]] = decodeValue(s.column_encodings[c], data.subarray(pos, pos + size));
      pos += size;
    }
    return out;
  }

  /** Sample i (global index over all shards), read from disk by its offsets. */
  get(i: number): Record<string, unknown> {
    const { shard, local } = this.locate(i);
    const fd = this.fd(shard);
    const pair = Buffer.alloc(8);
    readSync(fd, pair, 0, 8, 4 * (1 + local));
    const begin = pair.readUInt32LE(0);
    const end = pair.readUInt32LE(4);
    const data = Buffer.alloc(end - begin);
    readSync(fd, data, 0, data.length, begin);
    return this.decode(shard, data);
  }

  /** Samples from `start` (resume point) to `end`, reading one whole shard at a time. */
  *iterate(opts: { start?: number; end?: number } = {}): Generator<{ index: number; sample: Record<string, unknown> }> {
    const start = opts.start ?? 0;
    const end = Math.min(opts.end ?? this.length, this.length);
    if (start >= end) return;
    let { shard, local } = this.locate(start);
    for (let i = start; i < end; shard++, local = 0) {
      const s = this.index.shards[shard];
      this.fd(shard); // checks size and header
      const buf = readFileSync(join(this.dir, s.raw_data.basename));
      for (; local < s.samples && i < end; local++, i++) {
        const begin = buf.readUInt32LE(4 * (1 + local));
        const stop = buf.readUInt32LE(4 * (2 + local));
        yield { index: i, sample: this.decode(shard, buf.subarray(begin, stop)) };
      }
    }
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
