// The trainer on a micro Hour-LLaVA: it overfits one sample, and a run stopped halfway and resumed ends with
// exactly the weights of an uninterrupted run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseTrainConfig } from "../../src/train/config.ts";
import { readMetrics, sampleIndex, train } from "../../src/train/trainer.ts";
import type { SampleSource } from "../../src/train/synth-source.ts";
import { openCheckpoint } from "../../src/io/checkpoint.ts";
import { loadHourLlava } from "../../src/model/load/load.ts";
import { cosineWithWarmup } from "../../src/train/schedule.ts";
import { microConfig } from "../helpers/micro-config.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { loadTokenizer } from "../../src/io/tokenizer.ts";
import { initWeights } from "../../src/model/load/init.ts";
import { MapWeights, WeightStore } from "../../src/model/arch/weights.ts";
import { prepareSample } from "../../src/train/sample.ts";
import { buildTrainGraph } from "../../src/train/train-graph.ts";

const MICRO = microConfig({ vocab_size: 300 });

function source(n: number): SampleSource {
  const samples = Array.from({ length: n }, (_, s) => ({
    pixels: new Float32Array(4 * 3 * 16 * 16).map((_, i) => Math.sin(i * 0.1 + s)),
    frames: 4,
    durationS: 4,
    turns: [
      { from: "human" as const, value: `what colour is shape ${s}?` },
      { from: "gpt" as const, value: ["red", "blue", "green"][s % 3] },
    ],
  }));
  return {
    size: n,
    get: (i) => samples[i],
    *texts() {
      for (const s of samples) for (const t of s.turns) yield t.value;
    },
  };
}

function config(out: string, extra: Record<string, unknown> = {}) {
  return parseTrainConfig(
    {
      model: { init: MICRO, seed: 1 },
      tokenizer: { train: { vocabSize: 300 } },
      data: { synth: { seed: 0, worlds: 1 } },
      tunable: ["vision_tower", "mm_projector", "vision_resampler", "language_model"],
      baseLr: 1e-2,
      warmupRatio: 0,
      steps: 120,
      // One intra-op thread: ORT's multithreaded reductions are not bitwise reproducible, and Adam turns
      // last-bit differences of near-zero gradients into full-size steps.
      threads: 1,
      saveEvery: 1000,
      spatialSampling: "uniform",
      out,
      ...extra,
    },
    "test",
  );
}

test("overfits one sample of a micro Hour-LLaVA to near-zero loss, checkpoint loads back", async () => {
  const out = mkdtempSync(join(tmpdir(), "hl-train-"));
  try {
    const r = await train(config(out), { quiet: true, source: source(1), log: () => {} });
    assert.ok(r.firstLoss > 2, `first loss ${r.firstLoss}`);
    assert.ok(r.lastLoss < 0.03, `loss ${r.firstLoss} -> ${r.lastLoss}`);
    assert.equal(readMetrics(join(out, "metrics.jsonl")).length, 120);
    assert.ok(existsSync(join(out, "loss.svg")) && existsSync(join(out, "loss.png")));
    // The checkpoint holds the trained weights, not the initial ones: its loss on the sample is the trained loss.
    const { model } = loadHourLlava(r.checkpoint);
    const lossOf = async (weights: WeightStore) => {
      const prep = prepareSample(model.config, loadTokenizer(r.checkpoint), source(1).get(0), "uniform", 0);
      const step = await new Runtime({ threads: 1 }).compile(buildTrainGraph(model.config, weights, []).graph, { weightsAsInputs: true });
      return ((await step.run(prep.feeds)).loss.data as Float32Array)[0];
    };
    const saved = await lossOf(model.weights);
    assert.ok(saved < 0.05, `loss with the saved weights ${saved}`);
    const initial = await lossOf(new WeightStore(new MapWeights(initWeights(model.config, 1))));
    assert.ok(initial > 2, `loss with the initial weights ${initial}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("stop halfway and resume = uninterrupted run, weights identical (with accumulation and random forgetting)", async () => {
  const a = mkdtempSync(join(tmpdir(), "hl-train-a-"));
  const b = mkdtempSync(join(tmpdir(), "hl-train-b-"));
  try {
    const extra = { steps: 6, gradAccum: 2, spatialSampling: "random", warmupRatio: 0.2, saveEvery: 2, baseLr: 1e-3, lr: { vision_resampler: 2e-3 } };
    const full = await train(config(a, extra), { quiet: true, source: source(3), log: () => {} });
    await train(config(b, extra), { quiet: true, source: source(3), stopAfter: 3, log: () => {} });
    const resumed = await train(config(b, extra), { quiet: true, source: source(3), log: () => {} });
    assert.equal(resumed.steps, 6);
    const x = openCheckpoint(full.checkpoint);
    const y = openCheckpoint(resumed.checkpoint);
    for (const n of x.names()) assert.deepEqual(y.read(n), x.read(n), n);
    const state = JSON.parse(readFileSync(join(b, "checkpoint-6", "trainer_state.json"), "utf8"));
    assert.equal(state.step, 6);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test("resuming with a different training config is refused", async () => {
  const out = mkdtempSync(join(tmpdir(), "hl-train-"));
  try {
    await train(config(out, { steps: 2, saveEvery: 1 }), { quiet: true, source: source(1), log: () => {} });
    await assert.rejects(
      train(config(out, { steps: 2, baseLr: 5e-2 }), { quiet: true, source: source(1), log: () => {} }),
      /was written by a different training config/,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("data order is a seeded permutation per epoch; schedule warms up then decays to zero", () => {
  const first = Array.from({ length: 5 }, (_, k) => sampleIndex(3, 5, k)).sort();
  assert.deepEqual(first, [0, 1, 2, 3, 4]);
  assert.equal(sampleIndex(3, 5, 7), sampleIndex(3, 5, 7));
  assert.equal(cosineWithWarmup(0, 100, 0.1), 0.1);
  assert.equal(cosineWithWarmup(9, 100, 0.1), 1);
  assert.ok(Math.abs(cosineWithWarmup(55, 100, 0.1) - 0.5) < 1e-9);
  assert.ok(cosineWithWarmup(99, 100, 0.1) < 0.001);
});

test("bad training configs name the field", () => {
  assert.throws(() => parseTrainConfig({ model: { init: {} }, data: { synth: { seed: 0, worlds: 1 } }, steps: 0, out: "x" }, "cfg.json"), /cfg\.json: steps: /);
  assert.throws(
    () => parseTrainConfig({ model: { init: {} }, data: { synth: { seed: 0, worlds: 1 } }, steps: 1, out: "x", tunable: ["eyes"] }, "cfg.json"),
    /tunable\.0/,
  );
});
