// Worker threads that preprocess decoded frames for SigLIP off the main thread. The main thread keeps reading
// ffmpeg's pipe (so ffmpeg decodes on) and runs the vision tower, whose ONNX Runtime call blocks it; the Pillow-exact
// resize (about 16 ms for a 720p frame on one core here) runs beside both instead of between them.
//
// A checkout runs src/ through tsx, and Node 20 applies no --import loader to a worker's entry: there the worker
// starts as a line of JavaScript that registers tsx's loader, then imports the .ts worker (about 0.7 s, once per
// pool). The published package runs dist/, where the worker is the compiled .js beside this file.
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { PreprocessJob, PreprocessResult } from "./preprocess-worker.ts";

function startWorker(): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./preprocess-worker.js", import.meta.url));
  const entry = JSON.stringify(new URL("./preprocess-worker.ts", import.meta.url).href);
  const api = JSON.stringify(import.meta.resolve("tsx/esm/api"));
  return new Worker(`import(${api}).then((tsx) => { tsx.register(); return import(${entry}); });`, { eval: true });
}

/** Workers for an encode by default: the cores beyond ffmpeg's and the main thread's, up to 4; none on a machine of
 * fewer than 4 cores, where a worker only takes turns with them (measured: 2 busy cores, 600 720p frames, 41.7 s with
 * one worker against 36.5 s without). */
export function defaultPreprocessWorkers(): number {
  const env = process.env.HOURLLAVA_PREPROCESS_WORKERS;
  if (env !== undefined && env !== "") {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 0) throw new Error(`HOURLLAVA_PREPROCESS_WORKERS must be a whole number ≥ 0, got ${JSON.stringify(env)}`);
    return n;
  }
  const cores = availableParallelism();
  return cores < 4 ? 0 : Math.min(4, cores - 2);
}

interface Pending {
  resolve: (pixels: Float32Array) => void;
  reject: (e: Error) => void;
}

export class PreprocessPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failed?: Error;
  private closed = false;

  constructor(count: number) {
    if (!Number.isInteger(count) || count < 1) throw new Error(`PreprocessPool: ${count} workers`);
    this.workers = Array.from({ length: count }, () => {
      const w = startWorker();
      w.on("message", (m: PreprocessResult) => this.settle(m));
      w.on("error", (e) => this.fail(new Error(`a preprocessing worker failed: ${e.message}`)));
      w.on("exit", (code) => {
        if (!this.closed) this.fail(new Error(`a preprocessing worker stopped (exit ${code})`));
      });
      w.unref(); // an idle pool never keeps the process alive; run() refs the workers while jobs are out
      return w;
    });
  }

  /** Preprocesses one packed RGB frame to a size×size CHW tensor; `rgb`'s buffer moves to the worker. */
  run(rgb: Uint8Array, width: number, height: number, size: number): Promise<Float32Array> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error("the preprocessing pool is closed"));
    const id = this.nextId++;
    const job: PreprocessJob = { id, rgb, width, height, size };
    const done = new Promise<Float32Array>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    if (this.pending.size === 1) for (const w of this.workers) w.ref();
    // Round robin: frames are of one size, so each worker gets an even share.
    const transfer = rgb.byteOffset === 0 && rgb.byteLength === rgb.buffer.byteLength ? [rgb.buffer as ArrayBuffer] : [];
    this.workers[id % this.workers.length].postMessage(job, transfer);
    return done;
  }

  /** Stops the workers; jobs still running are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.rejectAll(new Error("the preprocessing pool was closed"));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private settle(m: PreprocessResult): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) for (const w of this.workers) w.unref();
    if ("pixels" in m) p.resolve(m.pixels);
    else p.reject(new Error(m.error));
  }

  private fail(e: Error): void {
    this.failed ??= e;
    this.rejectAll(e);
  }

  private rejectAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    for (const w of this.workers) w.unref();
  }
}
