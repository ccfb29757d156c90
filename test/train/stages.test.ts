// The official stages: each freezes exactly the parts jylins/hourllava's s1/s2/s3 scripts freeze, at their
// learning rates; a frozen part gets no gradient output and no gradient computation in the training graph;
// configs that contradict their stage are refused with the field named.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { deadNodes } from "../../src/graph/liveness.ts";
import { initWeights } from "../../src/model/load/init.ts";
import { MapWeights, WeightStore } from "../../src/model/arch/weights.ts";
import { parseTrainConfig } from "../../src/train/config.ts";
import { partOf } from "../../src/train/parts.ts";
import type { Part } from "../../src/train/parts.ts";
import { buildTrainGraph } from "../../src/train/train-graph.ts";
import { microConfig } from "../helpers/micro-config.ts";

const cfg = (extra: Record<string, unknown>) =>
  parseTrainConfig({ model: { from: "prev" }, data: { synth: { seed: 0, worlds: 1 } }, steps: 1, out: "x", ...extra }, "cfg.json");

// Written out from the scripts (mm_tunable_parts, --learning_rate, --mm_*_lr), not read from stages.ts.
const OFFICIAL: Record<1 | 2 | 3, { tunable: Part[]; lr: Record<Part, number | undefined> }> = {
  1: { tunable: ["vision_resampler"], lr: { vision_tower: undefined, mm_projector: undefined, vision_resampler: 1e-4, language_model: undefined } },
  2: {
    tunable: ["vision_tower", "mm_projector", "vision_resampler", "language_model"],
    lr: { vision_tower: 5e-6, mm_projector: 1e-4, vision_resampler: 1e-4, language_model: 2e-5 },
  },
  3: {
    tunable: ["mm_projector", "vision_resampler", "language_model"],
    lr: { vision_tower: undefined, mm_projector: 1e-4, vision_resampler: 1e-4, language_model: 2e-5 },
  },
};

test("each stage trains exactly the official parts at the official learning rates (lrScale keeps the ratios)", () => {
  for (const stage of [1, 2, 3] as const) {
    const c = cfg({ stage });
    assert.deepEqual([...c.tunable].sort(), [...OFFICIAL[stage].tunable].sort(), `stage ${stage}`);
    for (const p of c.tunable) assert.equal(c.lr[p] ?? c.baseLr, OFFICIAL[stage].lr[p], `stage ${stage} ${p}`);
    const scaled = cfg({ stage, lrScale: 10 });
    for (const p of c.tunable) assert.ok(Math.abs((scaled.lr[p] ?? scaled.baseLr) - 10 * OFFICIAL[stage].lr[p]!) < 1e-12);
  }
  assert.equal(cfg({ stage: 1 }).data.synth.kind, "frame");
  assert.equal(cfg({ stage: 2 }).data.synth.kind, "clip");
  assert.equal(cfg({ stage: 3 }).data.synth.kind, "video");
  // The official train.py trains image_newline with "mm_language_model" (its name has none of the other keys).
  assert.equal(partOf("model.image_newline"), "language_model");
  assert.equal(partOf("model.mm_projector.0.weight"), "mm_projector");
});

test("the training graph has gradient outputs for the stage's parts only, and no work for frozen ones", () => {
  const config = parseHourLlavaConfig(microConfig(), "micro");
  const weights = initWeights(config, 3);
  const names = [...weights.keys()];
  const store = () => new WeightStore(new MapWeights(weights));
  const forward = buildTrainGraph(config, store(), []).graph;
  for (const stage of [1, 2, 3] as const) {
    const parts = OFFICIAL[stage].tunable;
    const trained = names.filter((n) => parts.includes(partOf(n)));
    const { graph } = buildTrainGraph(config, store(), trained);
    const grads = graph.outputs.filter((o) => o.name.startsWith("grad.")).map((o) => o.name.slice(5));
    assert.deepEqual(grads.sort(), [...trained].sort(), `stage ${stage}`);
    // Nothing is computed that no output needs: a frozen weight's gradient would be such dead work.
    assert.deepEqual(
      deadNodes(graph).map((n) => n.op),
      [],
      `stage ${stage}`,
    );
    assert.ok(graph.nodes.length > forward.nodes.length);
  }
});

test("configs that contradict their stage are refused, naming the field", () => {
  assert.throws(
    () => cfg({ stage: 1, tunable: ["vision_resampler", "language_model"] }),
    /cfg\.json: tunable: stage 1 \(image-language pretraining\) trains exactly \[vision_resampler\]/,
  );
  assert.throws(() => cfg({ stage: 3, lr: { vision_tower: 1e-3 } }), /cfg\.json: lr\.vision_tower: stage 3 .* freezes vision_tower/);
  assert.throws(() => cfg({ stage: 2, model: { init: {} } }), /cfg\.json: model: stage 2 .* set model\.from to stage 1's output folder/);
  assert.throws(() => cfg({ stage: 1, model: { init: {} } }), /cfg\.json: model: stage 1 .* trains only MemAug, so it starts from a trained model/);
  assert.throws(() => cfg({ stage: 1, data: { synth: { seed: 0, worlds: 1, kind: "video" } } }), /data\.synth\.kind: stage 1 .* trains on images/);
  assert.throws(() => cfg({ stage: 4 }), /cfg\.json: stage: /);
  assert.throws(
    () => cfg({ data: { synth: { seed: 0, worlds: 1, kind: "clip", tasks: ["Scene Recognition", "Juggling"] } } }),
    /data\.synth\.tasks\.1: unknown task "Juggling"/,
  );
  assert.throws(
    () => cfg({ data: { synth: { seed: 0, worlds: 1, minDurationS: 90, maxDurationS: 30 } } }),
    /data\.synth\.maxDurationS: 30 is below minDurationS 90/,
  );
  // The same tunable set in another order, and an lr for a trained part, are fine.
  assert.equal(cfg({ stage: 3, tunable: ["language_model", "mm_projector", "vision_resampler"], lr: { mm_projector: 3e-4 } }).lr.mm_projector, 3e-4);
});
