// Training samples from the procedural world: each record is one world and up to five QA turns about it.
// Frames are rendered at renderSize and resized to the model's image size with the same Pillow-exact bicubic
// the video path uses, then normalised as SigLIP does.
import { buildSynthDataset } from "../synth/dataset.ts";
import type { SynthRecord } from "../synth/dataset.ts";
import { generateWorld } from "../synth/world.ts";
import { renderFrame } from "../synth/render.ts";
import { resizeBicubicRGB } from "../video/resize-bicubic.ts";
import { normalizeToCHW } from "../video/preprocess.ts";
import type { TrainSample } from "./sample.ts";

export interface SampleSource {
  readonly size: number;
  get(i: number): TrainSample;
  /** All text the samples contain (tokenizer training). */
  texts(): Iterable<string>;
}

export function renderWorldFrames(seed: number, durationS: number, renderSize: number, imageSize: number): Float32Array {
  const w = generateWorld({ seed, durationS });
  const per = 3 * imageSize * imageSize;
  const out = new Float32Array(durationS * per);
  const buf = new Uint8Array(renderSize * renderSize * 3);
  for (let t = 0; t < durationS; t++) {
    renderFrame(w, t, { width: renderSize, height: renderSize }, buf);
    const small = renderSize === imageSize ? buf : resizeBicubicRGB(buf, renderSize, renderSize, imageSize, imageSize);
    out.set(normalizeToCHW(small, imageSize * imageSize), t * per);
  }
  return out;
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
