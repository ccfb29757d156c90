// Preprocessed frames of a plan, handed out batch by batch from ONE ffmpeg pass: decoding an hour is linear in
// its length, where starting ffmpeg per batch decoded from frame 0 each time (quadratic). Batches must be asked
// for in order; a jump (e.g. resuming at a later batch) starts one new pass from there.
import type { FramePlan, PreprocessedFrame } from "./video-frames.ts";
import { preprocessedFrames } from "./video-frames.ts";

export class FrameBatches {
  private frames?: AsyncGenerator<PreprocessedFrame>;
  private next = 0; // position in plan.sample.indices of the next frame the open pass yields

  constructor(
    private readonly path: string,
    private readonly plan: FramePlan,
    private readonly size: number,
    /** Preprocessing worker threads (see preprocessedFrames; default: by the plan's size). */
    private readonly opts: { workers?: number } = {},
  ) {}

  /** Pixels of frames [start, start+count) of the plan, CHW per frame, concatenated. */
  async take(start: number, count: number): Promise<Float32Array> {
    const indices = this.plan.sample.indices;
    if (start < 0 || count < 1 || start + count > indices.length)
      throw new Error(`frame batch ${start}+${count} is outside the plan of ${indices.length} frames`);
    if (!this.frames || start !== this.next) await this.open(start);
    const per = 3 * this.size * this.size;
    const pixels = new Float32Array(count * per);
    for (let i = 0; i < count; i++) {
      const r = await this.frames!.next();
      if (r.done) throw new Error(`${this.path}: decoded ${i} of ${count} frames from frame ${indices[start]}`);
      pixels.set(r.value.pixels, per * i);
    }
    this.next = start + count;
    return pixels;
  }

  /** Ends the ffmpeg pass (call when done or on error, so no process outlives the encode). */
  async close(): Promise<void> {
    const f = this.frames;
    this.frames = undefined;
    await f?.return(undefined);
  }

  private async open(start: number): Promise<void> {
    await this.close();
    const s = this.plan.sample;
    const rest: FramePlan = { info: this.plan.info, sample: { ...s, indices: s.indices.slice(start), timesS: s.timesS.slice(start) } };
    this.frames = preprocessedFrames(this.path, rest, { size: this.size, workers: this.opts.workers });
    this.next = start;
  }
}
