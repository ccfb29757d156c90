// Training samples from the procedural world: each record is one world and up to five QA turns about it, its
// frames rendered as the vision tower reads them (synth/model-frames.ts).
import { buildSynthDataset } from "../synth/dataset.ts";
import type { SynthRecord } from "../synth/dataset.ts";
import { renderWorldFrames } from "../synth/model-frames.ts";
import type { TrainSample } from "./sample.ts";

export interface SampleSource {
  readonly size: number;
  get(i: number): TrainSample;
  /** All text the samples contain (tokenizer training). */
  texts(): Iterable<string>;
}

export class SynthSource implements SampleSource {
  readonly records: SynthRecord[];
  constructor(
    opts: { seed: number; worlds: number; minDurationS: number; maxDurationS: number; perTask: number; formats: ("open" | "mc")[] },
    private readonly renderSize: number,
    private readonly imageSize: number,
    split: "train" | "eval" = "train",
  ) {
    const ds = buildSynthDataset({
      seed: opts.seed,
      trainWorlds: split === "train" ? opts.worlds : 1,
      evalWorlds: split === "eval" ? opts.worlds : 1,
      minDurationS: opts.minDurationS,
      maxDurationS: opts.maxDurationS,
      perTask: opts.perTask,
      formats: opts.formats,
    });
    this.records = split === "train" ? ds.train : ds.eval;
  }
  get size(): number {
    return this.records.length;
  }
  get(i: number): TrainSample {
    const r = this.records[i];
    const { seed, durationS } = r.world;
    return {
      pixels: renderWorldFrames(seed, durationS, this.renderSize, this.imageSize),
      frames: durationS,
      durationS,
      turns: r.conversations.map((c) => ({ from: c.from, value: c.value.replace(/^<image>\n/, "") })),
    };
  }
  *texts(): Iterable<string> {
    for (const r of this.records) for (const c of r.conversations) yield c.value.replace(/^<image>\n/, "");
  }
}
