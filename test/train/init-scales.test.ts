// From-scratch scales: frame tokens enter MemAug at about the text embeddings' size, and MemAug's last norm hands
// the LLM outputs at that size too (with the plain 0.02 init they were ~50× apart, and the tiny model never
// learned to read the frames).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { initWeights } from "../../src/model/load/init.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { HourLlava } from "../../src/model/arch/hourllava.ts";
import { MapWeights, WeightStore } from "../../src/model/arch/weights.ts";
import { matchInitScales } from "../../src/train/init-scales.ts";
import { microConfig } from "../helpers/micro-config.ts";

const rms = (a: Float32Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);

async function frameTokenRms(scaled: boolean): Promise<number> {
  const config = parseHourLlavaConfig(microConfig(), "micro");
  const w = initWeights(config, 4);
  if (scaled) matchInitScales(w, config);
  const model = new HourLlava(config, new WeightStore(new MapWeights(w)), new Runtime({ threads: 1 }));
  const S = config.vision.image_size;
  const pixels = new Float32Array(2 * 3 * S * S).map((_, i) => Math.sin(i * 0.37));
  return rms((await model.encodeFrames(pixels, 2)).tokens);
}

test("projected frame tokens start near the embeddings' 0.02, not far below it", async () => {
  const plain = await frameTokenRms(false);
  const scaled = await frameTokenRms(true);
  assert.ok(plain < 0.005, `plain init: ${plain} (matched: ${scaled})`);
  assert.ok(scaled > 0.01 && scaled < 0.2, `matched init: ${scaled}`);
});

test("MemAug's last norm starts at the embeddings' scale; nothing else in it changes", () => {
  const config = parseHourLlavaConfig(microConfig({ memaug_depth: 2 }), "micro");
  const plain = initWeights(config, 4);
  const w = initWeights(config, 4);
  matchInitScales(w, config);
  assert.ok(w.get("model.vision_resampler.layers.1.norm3.weight")!.data.every((x) => x === Math.fround(0.02)));
  for (const [n, t] of w) {
    if (n.startsWith("model.mm_projector.") && n.endsWith(".weight")) continue;
    if (n === "model.vision_resampler.layers.1.norm3.weight") continue;
    assert.deepEqual(t.data, plain.get(n)!.data, n);
  }
});
