// The training graph's gradients, checked against central finite differences of its own loss, for a weight in
// every part the stages train: the vision tower, the projector, image_newline, MemAug and the LLM. The video
// tokens reach the loss only through the memory, the forgetting plan, MemAug and the splice at <image>, so a
// wrong backward anywhere on that path shows here as a mismatch on the vision-side weights.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Runtime } from "../../src/graph/runtime.ts";
import { initWeights } from "../../src/model/load/init.ts";
import { MapWeights, WeightStore } from "../../src/model/arch/weights.ts";
import { seededRandom } from "../../src/model/arch/sampling.ts";
import { prepareSample } from "../../src/train/sample.ts";
import { buildTrainGraph } from "../../src/train/train-graph.ts";
import { microSample } from "../helpers/micro-sample.ts";

const CHECKED = [
  "model.vision_tower.vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight",
  "model.mm_projector.2.weight",
  "model.image_newline",
  "model.vision_resampler.layers.0.cross_attn.Wkv.weight",
  "model.vision_resampler.layers.0.norm3.bias",
  "model.layers.0.self_attn.q_proj.weight",
  "model.embed_tokens.weight",
];

test("gradients of every trained part equal central finite differences of the training loss", async () => {
  const { config, tok, sample } = microSample();
  const W = initWeights(config, 11, 0.2);
  for (const n of CHECKED) assert.ok(W.has(n), `no weight ${n}`);
  const step = await new Runtime({ threads: 1 }).compile(buildTrainGraph(config, new WeightStore(new MapWeights(W)), CHECKED).graph, { weightsAsInputs: true });
  const prep = prepareSample(config, tok, sample, "uniform", 0);
  const params = new Map(CHECKED.map((n) => [n, { data: W.get(n)!.data, dims: W.get(n)!.shape }]));
  const out = await step.run(prep.feeds, params);
  const rand = seededRandom(3);
  const eps = 1e-2;
  for (const n of CHECKED) {
    // Directional derivative along a random direction over the whole tensor: one finite difference per tensor.
    const w = W.get(n)!.data;
    const w0 = Float32Array.from(w);
    const d = Float32Array.from(w, () => rand() - 0.5);
    const g = out[`grad.${n}`].data as Float32Array;
    const analytic = g.reduce((s, x, i) => s + x * d[i], 0);
    const lossAt = async (sign: number) => {
      for (let i = 0; i < w.length; i++) w[i] = w0[i] + sign * eps * d[i];
      return ((await step.run(prep.feeds, params)).loss.data as Float32Array)[0];
    };
    const numeric = ((await lossAt(1)) - (await lossAt(-1))) / (2 * eps);
    w.set(w0);
    assert.ok(Math.abs(numeric) > 1e-3, `${n}: the loss should depend on it (finite difference ${numeric})`);
    assert.ok(Math.abs(analytic - numeric) <= 0.02 * Math.abs(numeric), `${n}: analytic ${analytic} vs finite difference ${numeric}`);
  }
});
