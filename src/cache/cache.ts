// The memory repository on disk: per video and encoder, the per-frame video tokens [T, 64, H] after pooling and
// the projector, as safetensors with metadata. Encoding is resumable: each finished batch of frames is a part
// file in <key>.partial/, so an interrupted encode continues at the next batch and ends bit-identical; the final
// file appears by rename, so a partial file is never read as complete; a pid lock keeps two encoders of the same
// video apart.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { openSafetensors, writeSafetensors } from "../io/safetensors.ts";
import { acquireLock, ownerState, readLockOwner, type LockOwner } from "./lock.ts";
import { TOKENS_PER_FRAME } from "../model/arch/projector.ts";
import { memoryKeyText } from "./key-text.ts";

export interface MemoryMeta {
  video: string;
  contentSha256: string;
  modelId: string;
  durationS: number;
  frameIndices: number[];
  frameTimesS: number[];
  hidden: number;
  created: string;
}

export interface CachedMemory {
  key: string;
  path: string;
  meta: MemoryMeta;
  frames: number;
  tokens: Float32Array;
  /** Found complete after waiting for the lock: another process encoded it, this one encoded nothing. */
  encodedElsewhere?: boolean;
}

export interface CacheEntry {
  key: string;
  video: string;
  durationS: number;
  frames: number;
  bytes: number;
  lastUsed: Date;
  /** Why the entry cannot be read (truncated, garbage): it is a miss, re-encoded on use, removed by rm and gc. */
  broken?: string;
}

// Entries are <key>.safetensors at the top of the cache folder; temp files start with a dot.
const ENTRY = /^[^.][^/]*\.safetensors$/;

export function defaultCacheDir(): string {
  return process.env.HOURLLAVA_CACHE ?? join(homedir(), ".cache", "hourllava");
}

export function memoryKey(contentSha256: string, modelId: string, sampling: Record<string, unknown>): string {
  return createHash("sha256")
    .update(memoryKeyText(contentSha256, modelId, sampling))
    .digest("hex")
    .slice(0, 32);
}

export interface EncodeJob {
  key: string;
  meta: MemoryMeta;
  /** Frames per persisted batch. */
  batch: number;
  /** Encodes frames [start, start+count) of the plan; returns their tokens [count, 64, H]. */
  encode: (start: number, count: number) => Promise<Float32Array>;
  onResume?: (framesDone: number) => void;
  /** Told when another process holds this video's lock. */
  onWait?: (owner: LockOwner) => void;
  /** Longest wait for that lock (default 24 h). */
  lockWaitMs?: number;
  /** Stored precision of the tokens: f16 (default) halves disk per hour; f32 for exact work. */
  dtype?: CacheDtype;
}

export type CacheDtype = "f16" | "f32";
const SAFE_DTYPE = { f16: "F16", f32: "F32" } as const;
const F16_MAX = 65504;

/** Stored as f16, a token beyond its range would become infinite: refused, naming the precision that holds it. */
export function assertFitsF16(tokens: Float32Array, verb: "encode" | "record"): void {
  for (const v of tokens) if (Math.abs(v) > F16_MAX) throw new Error(`a video token of ${v} is beyond f16's range: ${verb} with --cache-dtype f32`);
}

/** Unfinished work of an interrupted (or running) encode: `<key>.partial/`. */
export interface PartialEntry {
  key: string;
  /** Frames encoded so far, and their bytes. */
  frames: number;
  bytes: number;
  /** Last write into the folder. */
  modified: Date;
  /** Who is encoding it now, if anyone ("remote": a lock from another host). */
  owner?: LockOwner;
  ownerState?: "alive" | "dead" | "remote";
}

export class MemoryCache {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  static open(dir = defaultCacheDir()): MemoryCache {
    return new MemoryCache(dir);
  }

  pathOf(key: string): string {
    return join(this.dir, `${key}.safetensors`);
  }

  /** An entry's metadata, checked against its tokens' header (the file's size is checked on open). */
  private static readMeta(f: ReturnType<typeof openSafetensors>): MemoryMeta {
    const meta = JSON.parse(f.metadata.hourllava ?? "null") as MemoryMeta | null;
    if (!meta || !Array.isArray(meta.frameIndices)) throw new Error("no hourllava metadata");
    const shape = f.info("tokens").shape;
    if (shape.length !== 3 || shape[0] !== meta.frameIndices.length || shape[1] !== TOKENS_PER_FRAME || shape[2] !== meta.hidden)
      throw new Error(`tokens of shape [${shape}] do not match the metadata (${meta.frameIndices.length} frames × ${TOKENS_PER_FRAME} × ${meta.hidden})`);
    return meta;
  }

  lookup(key: string): CachedMemory | undefined {
    const path = this.pathOf(key);
    if (!existsSync(path)) return undefined;
    let f: ReturnType<typeof openSafetensors>;
    let meta: MemoryMeta;
    let tokens: Float32Array;
    try {
      f = openSafetensors(path);
    } catch {
      return this.dropBroken(path);
    }
    try {
      try {
        meta = MemoryCache.readMeta(f);
        tokens = f.read("tokens");
      } catch {
        return this.dropBroken(path);
      }
      const now = new Date();
      try {
        utimesSync(path, now, now); // mtime = last used, for gc (atime is unreliable under relatime)
      } catch {
        // a read-only cache serves hits; only its LRU order goes stale
      }
      return { key, path, meta, frames: meta.frameIndices.length, tokens };
    } finally {
      f.close();
    }
  }

  /** A broken entry (entries are written atomically, so it is damage, not a write in progress) is a miss. */
  private dropBroken(path: string): undefined {
    rmSync(path, { force: true });
    return undefined;
  }

  /** Encodes (or resumes, or waits for another process to finish) and returns the memory. */
  async encode(job: EncodeJob): Promise<CachedMemory> {
    const lock = await acquireLock(join(this.dir, `${job.key}.lock`), { onWait: job.onWait, waitMs: job.lockWaitMs });
    try {
      const done = this.lookup(job.key);
      if (done) return { ...done, encodedElsewhere: true }; // another process finished it while we waited
      const partial = join(this.dir, `${job.key}.partial`);
      mkdirSync(partial, { recursive: true });
      const T = job.meta.frameIndices.length;
      const H = job.meta.hidden;
      const per = TOKENS_PER_FRAME * H;
      const dtype = job.dtype ?? "f16";
      // Completed parts are named by their first frame; a part exists only once fully written (atomic write).
      const parts = readdirSync(partial)
        .filter((n) => /^part-\d{8}\.safetensors$/.test(n))
        .sort();
      let next = 0;
      for (const p of parts) {
        const start = Number(p.slice(5, 13));
        if (start !== next) break;
        const f = openSafetensors(join(partial, p));
        next += f.info("tokens").shape[0];
        f.close();
      }
      if (next > 0) job.onResume?.(next);
      while (next < T) {
        const count = Math.min(job.batch, T - next);
        const tokens = await job.encode(next, count);
        if (tokens.length !== count * per) throw new Error(`encoder returned ${tokens.length} values for ${count} frames`);
        if (dtype === "f16") assertFitsF16(tokens, "encode");
        writeSafetensors(join(partial, `part-${String(next).padStart(8, "0")}.safetensors`), {
          tokens: { dtype: SAFE_DTYPE[dtype], shape: [count, TOKENS_PER_FRAME, H], data: tokens },
        });
        next += count;
      }
      const all = new Float32Array(T * per);
      for (const p of readdirSync(partial)
        .filter((n) => n.startsWith("part-"))
        .sort()) {
        const start = Number(p.slice(5, 13));
        const f = openSafetensors(join(partial, p));
        all.set(f.read("tokens"), start * per);
        f.close();
      }
      // `all` holds the stored values widened back, so a fresh encode and a later hit give the same memory.
      writeSafetensors(
        this.pathOf(job.key),
        { tokens: { dtype: SAFE_DTYPE[dtype], shape: [T, TOKENS_PER_FRAME, H], data: all } },
        { hourllava: JSON.stringify(job.meta) },
      );
      rmSync(partial, { recursive: true, force: true });
      return { key: job.key, path: this.pathOf(job.key), meta: job.meta, frames: T, tokens: all };
    } finally {
      lock.release();
    }
  }

  list(): CacheEntry[] {
    const out: CacheEntry[] = [];
    for (const n of readdirSync(this.dir)) {
      if (!ENTRY.test(n)) continue;
      const path = join(this.dir, n);
      const key = n.slice(0, -12);
      let st;
      try {
        st = statSync(path);
      } catch {
        continue; // removed meanwhile
      }
      try {
        const f = openSafetensors(path);
        try {
          const meta = MemoryCache.readMeta(f);
          out.push({ key, video: meta.video, durationS: meta.durationS, frames: meta.frameIndices.length, bytes: st.size, lastUsed: st.mtime });
        } finally {
          f.close();
        }
      } catch (e) {
        const why = (e as Error).message.replace(path, "").replace(/^:\s*/, "");
        out.push({ key, video: "", durationS: 0, frames: 0, bytes: st.size, lastUsed: st.mtime, broken: why || "unreadable" });
      }
    }
    return out.sort((a, b) => b.lastUsed.getTime() - a.lastUsed.getTime());
  }

  /** Removes an entry (by key or key prefix) and its partial work; returns what was removed. */
  remove(keyOrPrefix: string): string[] {
    const hits = this.list().filter((e) => e.key.startsWith(keyOrPrefix));
    const partials = readdirSync(this.dir).filter((n) => n.endsWith(".partial") && n.startsWith(keyOrPrefix));
    if (hits.length === 0 && partials.length === 0) throw new Error(`no cached memory matches "${keyOrPrefix}" in ${this.dir}`);
    if (hits.length > 1) throw new Error(`"${keyOrPrefix}" matches ${hits.length} cached memories; give more of the key`);
    for (const h of hits) rmSync(this.pathOf(h.key), { force: true });
    for (const p of partials) rmSync(join(this.dir, p), { recursive: true, force: true });
    return [...hits.map((h) => h.key), ...partials];
  }

  /** Partial entries (unfinished encodes), oldest first. */
  partials(): PartialEntry[] {
    const out: PartialEntry[] = [];
    for (const n of readdirSync(this.dir)) {
      if (!n.endsWith(".partial")) continue;
      const key = n.slice(0, -".partial".length);
      const dir = join(this.dir, n);
      let frames = 0;
      let bytes = 0;
      let modified = statSync(dir).mtime;
      for (const p of readdirSync(dir)) {
        const st = statSync(join(dir, p));
        bytes += st.size;
        if (st.mtime > modified) modified = st.mtime;
        if (!/^part-\d{8}\.safetensors$/.test(p)) continue;
        try {
          const f = openSafetensors(join(dir, p));
          frames += f.info("tokens").shape[0];
          f.close();
        } catch {
          // a damaged part is re-encoded on resume
        }
      }
      const owner = readLockOwner(join(this.dir, `${key}.lock`));
      out.push({ key, frames, bytes, modified, owner, ownerState: owner ? ownerState(owner) : undefined });
    }
    return out.sort((a, b) => a.modified.getTime() - b.modified.getTime());
  }

  /**
   * Drops least recently used entries until the total is under maxBytes, and those unused for olderThanDays;
   * and partial entries that nobody is encoding and nobody touched for stalePartialHours (default 24 h: an
   * interrupted encode can still resume until then).
   */
  gc(opts: { maxBytes?: number; olderThanDays?: number; stalePartialHours?: number }): { entries: CacheEntry[]; partials: PartialEntry[] } {
    const entries = this.list();
    const removed: CacheEntry[] = [];
    const cutoff = opts.olderThanDays !== undefined ? Date.now() - opts.olderThanDays * 86400_000 : -Infinity;
    let total = entries.reduce((s, e) => s + e.bytes, 0);
    for (const e of [...entries].reverse()) {
      const tooOld = e.lastUsed.getTime() < cutoff || e.broken !== undefined;
      const tooBig = opts.maxBytes !== undefined && total > opts.maxBytes;
      if (tooOld || tooBig) {
        rmSync(this.pathOf(e.key), { force: true });
        total -= e.bytes;
        removed.push(e);
      }
    }
    const partialCutoff = Date.now() - (opts.stalePartialHours ?? 24) * 3600_000;
    const stale = this.partials().filter((p) => p.ownerState !== "alive" && p.ownerState !== "remote" && p.modified.getTime() < partialCutoff);
    for (const p of stale) {
      rmSync(join(this.dir, `${p.key}.partial`), { recursive: true, force: true });
      if (p.ownerState === "dead") rmSync(join(this.dir, `${p.key}.lock`), { force: true });
    }
    return { entries: removed, partials: stale };
  }
}
