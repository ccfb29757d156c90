// A worker thread of the preprocessing pool (preprocess-pool.ts): packed RGB in, SigLIP tensor out, the same
// preprocessFrame as the main thread runs (so the pixels are the same bits), buffers moved, not copied.
import { parentPort } from "node:worker_threads";
import { preprocessFrame } from "./preprocess.ts";

export interface PreprocessJob {
  id: number;
  rgb: Uint8Array;
  width: number;
  height: number;
  size: number;
}

export type PreprocessResult = { id: number; pixels: Float32Array } | { id: number; error: string };

parentPort!.on("message", (job: PreprocessJob) => {
  let out: PreprocessResult;
  try {
    out = { id: job.id, pixels: preprocessFrame(job.rgb, job.width, job.height, job.size) };
  } catch (e) {
    out = { id: job.id, error: (e as Error).message };
  }
  parentPort!.postMessage(out, "pixels" in out ? [out.pixels.buffer as ArrayBuffer] : []);
});
