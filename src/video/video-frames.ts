// From a video path to vision-tower input: probe, pick frames by an official rule, decode them one at a time
// and preprocess each for SigLIP, so an hour of video never sits in memory.
import type { Progress } from "../util/progress.ts";
import { decodeFrames } from "./frames.ts";
import { preprocessFrame, SIGLIP_SIZE } from "./preprocess.ts";
import { probeVideo, type VideoInfo } from "./probe.ts";
import { sampleOneFpsMin, sampleStreaming, type FrameSample, type RateOptions } from "./sampling.ts";

export type SamplingStrategy = "one-fps-min" | "streaming";

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
  const sample =
    (opts.strategy ?? "one-fps-min") === "streaming"
      ? sampleStreaming(input, { minFrames: opts.minFrames, videoFps: r.rate, framesUpbound: r.maxFrames })
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
}

export async function* preprocessedFrames(path: string, plan: FramePlan, opts: PreprocessOptions = {}): AsyncGenerator<PreprocessedFrame> {
  const size = opts.size ?? SIGLIP_SIZE;
  for await (const f of decodeFrames(path, plan.sample.indices, { info: plan.info })) {
    const pixels = preprocessFrame(f.rgb, f.width, f.height, size);
    opts.progress?.tick(1);
    yield { index: f.index, timeS: f.timeS, pixels };
  }
}
