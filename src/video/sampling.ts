// The official frame-sampling rules of Hour-LLaVA (notes §4.4), as index lists over a video's decoded frames.

/** Frames picked from a video, in increasing index order, with their times in seconds. */
export interface FrameSample {
  strategy: "one-fps-min" | "streaming" | "prefix";
  indices: number[];
  /** index / native fps: the true presentation time of each picked frame. */
  timesS: number[];
  /** The video length the official code reports for this rule (see each rule). */
  durationS: number;
}

/**
 * numpy's `np.linspace(start, stop, n, dtype=int)`: start + i*step with step = (stop-start)/(n-1), the last
 * element forced to stop, then truncated toward zero as numpy's float→int cast does.
 */
export function linspaceInt(start: number, stop: number, n: number): number[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`linspace: n must be a non-negative integer, got ${n}`);
  if (n === 0) return [];
  if (n === 1) return [Math.trunc(start)];
  const div = n - 1;
  const delta = stop - start;
  const step = delta / div;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    // numpy divides first when the step underflows to zero; same values otherwise.
    const y = step === 0 ? (i / div) * delta : i * step;
    out[i] = Math.trunc(y + start);
  }
  out[n - 1] = Math.trunc(stop);
  return out;
}

/** Python's round(): halves go to the even neighbour (round(12.5) == 12). */
export function pyRound(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export interface SampleInput {
  frameCount: number;
  fps: number;
}

function checkInput(rule: string, { frameCount, fps }: SampleInput): void {
  if (!Number.isInteger(frameCount) || frameCount < 1) throw new Error(`${rule}: frameCount must be a positive integer, got ${frameCount}`);
  if (!(fps > 0) || !Number.isFinite(fps)) throw new Error(`${rule}: fps must be a positive number, got ${fps}`);
}

/** A CPU user's knobs over the official rules (defaults: 1 fps, no cap). */
export interface RateOptions {
  /** Frames per second of video to keep (the official rate is 1). */
  rate?: number;
  /** At most this many frames, spread evenly over the whole video. */
  maxFrames?: number;
}

/**
 * The feature-extraction rule (scripts/embedding/videomarathon_emb.py): duration = floor(frames / fps),
 * n = max(duration, minFrames) frames by linspace(0, frames-1, n), plus the last frame if missing; a video
 * with fewer than minFrames frames keeps every frame. It yields 1 fps for videos of minFrames seconds or more.
 * durationS is frames / fps (the official code stores it rounded to 0.01 s). `rate` scales the 1 fps and
 * `maxFrames` caps n (the linspace still spans the whole video).
 */
export function sampleOneFpsMin(input: SampleInput, minFrames = 128, o: RateOptions = {}): FrameSample {
  checkInput("sampleOneFpsMin", input);
  checkRate(o);
  const { frameCount, fps } = input;
  let n = minFrames > frameCount ? frameCount : Math.max(Math.floor((frameCount / fps) * (o.rate ?? 1)), minFrames);
  if (o.rate !== undefined) n = Math.min(n, frameCount); // a rate above the video's own picks each frame once
  if (o.maxFrames !== undefined) n = Math.min(n, o.maxFrames);
  const indices = n === frameCount ? Array.from({ length: frameCount }, (_, i) => i) : linspaceInt(0, frameCount - 1, n);
  if (!indices.includes(frameCount - 1)) indices.push(frameCount - 1);
  return { strategy: "one-fps-min", indices, timesS: indices.map((i) => i / fps), durationS: frameCount / fps };
}

function checkRate(o: RateOptions): void {
  if (o.rate !== undefined && !(o.rate > 0 && Number.isFinite(o.rate))) throw new Error(`the frame rate must be a positive number, got ${o.rate}`);
  if (o.maxFrames !== undefined && !(Number.isInteger(o.maxFrames) && o.maxFrames >= 1))
    throw new Error(`the frame cap must be a positive integer, got ${o.maxFrames}`);
}

export interface StreamingOptions {
  /** Target rate (the official video_fps); 1. */
  videoFps?: number;
  /** Fewer picked frames than this → linspace over the whole video to min(frames, minFrames). */
  minFrames?: number;
  /** frames_upbound; ≤ 0 means no cap (Stages 2 and 3). */
  framesUpbound?: number;
  /** force_sample: always use linspace to framesUpbound when framesUpbound > 0. */
  forceSample?: boolean;
}

export interface StreamingSample extends FrameSample {
  /**
   * Frame times as the official loader prints them: index / step on the every-step-th branch (it divides
   * by the rounded step, not the fps), index / fps on the linspace branches.
   */
  officialTimesS: number[];
}

/**
 * The streaming loader of raw videos in training (decord): step = round(fps / videoFps), every step-th frame;
 * fewer than minFrames → linspace to min(frames, minFrames); then the frames_upbound cap. durationS = frames / fps.
 */
export function sampleStreaming(input: SampleInput, opts: StreamingOptions = {}): StreamingSample {
  checkInput("sampleStreaming", input);
  const { frameCount, fps } = input;
  const videoFps = opts.videoFps ?? 1;
  const minFrames = opts.minFrames ?? 128;
  const upbound = opts.framesUpbound ?? -1;
  const step = pyRound(fps / videoFps);
  if (step < 1) throw new Error(`sampleStreaming: step round(${fps} / ${videoFps}) is 0; fps too low for videoFps ${videoFps}`);
  let indices: number[] = [];
  for (let i = 0; i < frameCount; i += step) indices.push(i);
  let officialTimesS = indices.map((i) => i / step);
  if (indices.length < minFrames) {
    indices = linspaceInt(0, frameCount - 1, Math.min(frameCount, minFrames));
    officialTimesS = indices.map((i) => i / fps);
  }
  if (upbound > 0 && (indices.length > upbound || opts.forceSample)) {
    indices = linspaceInt(0, frameCount - 1, upbound);
    officialTimesS = indices.map((i) => i / fps);
  }
  return { strategy: "streaming", indices, timesS: indices.map((i) => i / fps), officialTimesS, durationS: frameCount / fps };
}

/**
 * The prefix-stable rule: every round(fps / videoFps)-th frame from frame 0, however short the video. It is the
 * streaming loader without its short-video branch, so a video cut at any point keeps the frames the whole video
 * picked before that point: what a live memory holds (app/live.ts). From minFrames seconds on (128 at 1 fps) it
 * picks what sampleStreaming picks; below that the model repeats the short memory up to 128 frames by linspace
 * (model/arch/memory.ts), as the official code does for any memory shorter than 128 frames.
 */
export function samplePrefix(input: SampleInput, videoFps = 1): FrameSample {
  checkInput("samplePrefix", input);
  const step = prefixStep(input.fps, videoFps);
  const indices: number[] = [];
  for (let i = 0; i < input.frameCount; i += step) indices.push(i);
  return { strategy: "prefix", indices, timesS: indices.map((i) => i / input.fps), durationS: input.frameCount / input.fps };
}

/** Frames between two picked ones: round(fps / videoFps), as the streaming loader rounds it; at least 1. */
export function prefixStep(fps: number, videoFps = 1): number {
  if (!(videoFps > 0) || !Number.isFinite(videoFps)) throw new Error(`the frame rate must be a positive number, got ${videoFps}`);
  return Math.max(1, pyRound(fps / videoFps));
}
