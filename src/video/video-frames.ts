// From a video path to vision-tower input: probe, pick frames by an official rule, decode them one at a time
// and preprocess each for SigLIP, so an hour of video never sits in memory. On machines with cores to spare, long
// plans are preprocessed by worker threads a bounded window of frames ahead, so the Pillow-exact resize runs beside
// ffmpeg's decoding and the caller's vision tower instead of between them (ffmpeg still waits while the main thread,
// which reads its pipe, is busy in the vision tower).
import type { Progress } from "../util/progress.ts";
import { decodeFrames } from "./frames.ts";
import { preprocessFrame, SIGLIP_SIZE } from "./preprocess.ts";
import { defaultPreprocessWorkers, PreprocessPool } from "./preprocess-pool.ts";
import { probeVideo, type VideoInfo } from "./probe.ts";
import { sampleOneFpsMin, samplePrefix, sampleStreaming, type FrameSample, type RateOptions } from "./sampling.ts";

export type SamplingStrategy = "one-fps-min" | "streaming" | "prefix";

export interface FramePlan {
  info: VideoInfo;
  sample: FrameSample;
}

export interface PlanOptions {
  strategy?: SamplingStrategy;
  minFrames?: number;
  /**
   * Count the video packets instead of estimating duration*fps (default true): the official extraction uses
   * the container's frame count, and counting costs one demux pass without decoding.
   */
  countFrames?: boolean;
  /** A probe of the same file (e.g. remembered from an earlier run), to skip probing and counting. */
  info?: VideoInfo;
  /** Frames per second to keep (official: 1) and an optional cap on their number. */
  rate?: RateOptions;
}

export async function planFrames(path: string, opts: PlanOptions = {}): Promise<FramePlan> {
  const info = opts.info ?? (await probeVideo(path, { countFrames: opts.countFrames ?? true }));
  const input = { frameCount: info.frameCount, fps: info.fps };
  const r = opts.rate ?? {};
  const strategy = opts.strategy ?? "one-fps-min";
  if (strategy === "prefix" && r.maxFrames !== undefined)
    throw new Error("--max-frames spreads frames over the whole video, which the prefix rule does not; leave one out");
  const sample =
    strategy === "streaming"
      ? sampleStreaming(input, { minFrames: opts.minFrames, videoFps: r.rate, framesUpbound: r.maxFrames })
      : strategy === "prefix"
        ? samplePrefix(input, r.rate)
        : sampleOneFpsMin(input, opts.minFrames, r);
  return { info, sample };
}

export interface PreprocessedFrame {
  index: number;
  timeS: number;
  /** Float32Array(3*size*size), CHW, normalised to [-1, 1]. */
  pixels: Float32Array;
}

export interface PreprocessOptions {
  size?: number;
  progress?: Progress;
  /** Preprocessing worker threads; 0: on this thread. Default: none for short plans (starting workers would cost
   * more than they save), else defaultPreprocessWorkers() (HOURLLAVA_PREPROCESS_WORKERS overrides it). */
  workers?: number;
}

/** Plans with less preprocessing than this (frames × source pixels; about 50 frames of 720p) stay on this thread. */
export const WORKER_MIN_PIXELS = 5e7;
/** Decoded or preprocessed frames held ahead of the consumer, at most (and at most WINDOW_BYTES of them). */
const WINDOW_FRAMES = 32;
const WINDOW_BYTES = 128 * 2 ** 20;

export async function* preprocessedFrames(path: string, plan: FramePlan, opts: PreprocessOptions = {}): AsyncGenerator<PreprocessedFrame> {
  const size = opts.size ?? SIGLIP_SIZE;
  const { width, height } = plan.info;
  const workers = opts.workers ?? (plan.sample.indices.length * width * height < WORKER_MIN_PIXELS ? 0 : defaultPreprocessWorkers());
  if (workers === 0) {
    for await (const f of decodeFrames(path, plan.sample.indices, { info: plan.info })) {
      const pixels = preprocessFrame(f.rgb, f.width, f.height, size);
      opts.progress?.tick(1);
      yield { index: f.index, timeS: f.timeS, pixels };
    }
    return;
  }
  const perFrame = width * height * 3 + 3 * size * size * 4;
  const window = Math.max(2 * workers, Math.min(WINDOW_FRAMES, Math.floor(WINDOW_BYTES / perFrame)));
  const pool = new PreprocessPool(workers);
  const abort = new AbortController();
  const decoded = decodeFrames(path, plan.sample.indices, { info: plan.info, signal: abort.signal });
  const queue: { index: number; timeS: number; pixels: Promise<Float32Array> }[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let wakeConsumer = () => {};
  let wakeReader = () => {};
  // The reader: takes ffmpeg's frames as they come and hands each to a worker, until the window is full.
  const reader = (async () => {
    try {
      for await (const f of decoded) {
        const pixels = pool.run(f.rgb, f.width, f.height, size);
        pixels.catch(() => undefined); // awaited in order below; a frame dropped at close is no unhandled rejection
        queue.push({ index: f.index, timeS: f.timeS, pixels });
        wakeConsumer();
        while (queue.length >= window && !stopped) await new Promise<void>((r) => (wakeReader = r));
        if (stopped) break;
      }
    } catch (error) {
      failure = { error };
    } finally {
      ended = true;
      wakeConsumer();
    }
  })();
  try {
    for (;;) {
      const next = queue.shift();
      if (!next) {
        if (ended) {
          if (failure) throw failure.error; // after every frame that came before it, as without workers
          return;
        }
        await new Promise<void>((r) => (wakeConsumer = r));
        continue;
      }
      wakeReader();
      const pixels = await next.pixels;
      opts.progress?.tick(1);
      yield { index: next.index, timeS: next.timeS, pixels };
    }
  } finally {
    // Stopped early or failed: end ffmpeg now (the reader may be waiting for its next frame), then the workers.
    stopped = true;
    abort.abort();
    wakeReader();
    await reader;
    await pool.close();
  }
}
