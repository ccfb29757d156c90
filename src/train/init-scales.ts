// Scales for a model trained from scratch, where nothing has been pretrained to line up: the projector is
// initialised fan-in scaled (so frame tokens enter MemAug at the size of the text embeddings instead of ~50×
// smaller) and MemAug's last norm starts at the embeddings' size (so its outputs enter the LLM at the size of the
// text around them instead of ~50× larger). With the uniform 0.02 init the tiny model learned to make MemAug's
// outputs constant at the video positions and never saw the frames (measured in issue 11's notes).
import type { HourLlavaConfig } from "../io/config.ts";
import { initWeights } from "../model/load/init.ts";

type Weights = Map<string, { data: Float32Array; shape: number[] }>;

export function matchInitScales(w: Weights, c: HourLlavaConfig, embedStd = 0.02): void {
  for (const [n, t] of w) {
    if (/^model\.mm_projector\.\d+\.weight$/.test(n)) {
      const k = 1 / Math.sqrt(t.shape[1]) / embedStd;
      for (let i = 0; i < t.data.length; i++) t.data[i] *= k;
    }
    if (n === `model.vision_resampler.layers.${c.memaug_depth - 1}.norm3.weight`) t.data.fill(embedStd);
  }
}

/** The weights a run that starts from scratch (`model.init`) begins with. */
export function scratchWeights(c: HourLlavaConfig, seed: number): Weights {
  const w = initWeights(c, seed);
  matchInitScales(w, c);
  return w;
}
