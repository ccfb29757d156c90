// Training samples from the procedural world: each record is one world (or one frame of it, for stage 1) and
// up to five QA turns about it, its frames rendered as the vision tower reads them (synth/model-frames.ts).
import { buildSynthDataset } from "../synth/dataset.ts";
import type { SynthRecord, Turn } from "../synth/dataset.ts";
import { buildFrameRecords } from "../synth/frame-dataset.ts";
import type { FrameRecord } from "../synth/frame-dataset.ts";
import { renderWorldFrames } from "../synth/model-frames.ts";
import type { TrainConfig } from "./config.ts";
import type { TrainSample } from "./sample.ts";

export interface SampleSource {
  readonly size: number;
  get(i: number): TrainSample;
  /** All text the samples contain (tokenizer training). */
  texts(): Iterable<string>;
}

type SynthOptions = TrainConfig["data"]["synth"];

// The trainer's template adds the video itself; the records' `<image>\n` marker is the official data format.
export const turnsOf = (conversations: Turn[]) => conversations.map((c) => ({ from: c.from, value: c.value.replace(/^<image>\n/, "") }));

abstract class RecordSource<R extends { conversations: Turn[] }> implements SampleSource {
  constructor(
    readonly records: R[],
    protected readonly renderSize: number,
    protected readonly imageSize: number,
  ) {}
  get size(): number {
    return this.records.length;
  }
  abstract get(i: number): TrainSample;
  *texts(): Iterable<string> {
    for (const r of this.records) for (const t of turnsOf(r.conversations)) yield t.value;
  }
}

/** Whole worlds as videos at 1 fps (kinds video and clip). */
export class SynthSource extends RecordSource<SynthRecord> {
  // No eval split here: a dataset's eval worlds are numbered after its train worlds, so the eval worlds of a
  // small dataset are the train worlds of a larger one with the same seed. Held-out data takes another seed.
  // (The one eval world keeps the world ids, and so the question groups, of the runs made so far.)
  constructor(opts: Omit<SynthOptions, "kind" | "framesPerWorld" | "renderSize">, renderSize: number, imageSize: number) {
    const ds = buildSynthDataset({
      seed: opts.seed,
      trainWorlds: opts.worlds,
      evalWorlds: 1,
      minDurationS: opts.minDurationS,
      maxDurationS: opts.maxDurationS,
      perTask: opts.perTask,
      formats: opts.formats,
      tasks: opts.tasks,
      qaPerSample: opts.qaPerSample,
      twinsApart: opts.twinsApart,
    });
    super(ds.train, renderSize, imageSize);
  }
  get(i: number): TrainSample {
    const r = this.records[i];
    const { seed, durationS } = r.world;
    return { pixels: renderWorldFrames(seed, durationS, this.renderSize, this.imageSize), frames: durationS, durationS, turns: turnsOf(r.conversations) };
  }
}

/** One frame of a world as a one-frame, one-second video (kind frame: the memory repeats it to 128 frames). */
export class FrameSource extends RecordSource<FrameRecord> {
  constructor(opts: SynthOptions, imageSize: number) {
    super(buildFrameRecords({ ...opts }), opts.renderSize, imageSize);
  }
  get(i: number): TrainSample {
    const r = this.records[i];
    return {
      pixels: renderWorldFrames(r.world.seed, r.world.durationS, this.renderSize, this.imageSize, [r.t]),
      frames: 1,
      durationS: 1,
      turns: turnsOf(r.conversations),
    };
  }
}

/** Videos with single frames of the same worlds shuffled in: index < videos.size is a video, the rest are frames
 * spread evenly over the frame records, so that frames make up `share` of the samples. */
export class MixedSource implements SampleSource {
  readonly size: number;
  readonly frameCount: number;
  constructor(
    readonly videos: SampleSource,
    readonly frames: SampleSource,
    share: number,
  ) {
    if (!(share > 0 && share < 1)) throw new Error(`frameShare must be in (0, 1), got ${share}`);
    this.frameCount = Math.max(1, Math.round((videos.size * share) / (1 - share)));
    this.size = videos.size + this.frameCount;
  }
  get(i: number): TrainSample {
    if (i < this.videos.size) return this.videos.get(i);
    const j = i - this.videos.size;
    return this.frames.get(Math.floor((j * this.frames.size) / this.frameCount));
  }
  *texts(): Iterable<string> {
    yield* this.videos.texts();
    yield* this.frames.texts();
  }
}

export function synthSource(opts: SynthOptions, imageSize: number): SampleSource {
  if (opts.kind === "frame") return new FrameSource(opts, imageSize);
  const videos = new SynthSource(opts, opts.renderSize, imageSize);
  return opts.frameShare > 0 ? new MixedSource(videos, new FrameSource(opts, imageSize), opts.frameShare) : videos;
}
