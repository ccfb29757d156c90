// The three stages in a row on a micro model and the procedural world: each stage starts from the previous
// stage's output folder (its first step's loss is the previous checkpoint's loss), lowers the loss on its
// data, and leaves the parts it freezes bit-identical.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Runtime } from "../../src/graph/runtime.ts";
import { openCheckpoint } from "../../src/io/checkpoint.ts";
import type { HourLlavaConfig } from "../../src/io/config.ts";
import { loadTokenizer } from "../../src/io/tokenizer.ts";
import { scratchWeights } from "../../src/train/init-scales.ts";
import { loadHourLlava } from "../../src/model/load/load.ts";
import { MapWeights, WeightStore } from "../../src/model/arch/weights.ts";
import { parseTrainConfig } from "../../src/train/config.ts";
import type { TrainConfig } from "../../src/train/config.ts";
import { partOf } from "../../src/train/parts.ts";
import type { Part } from "../../src/train/parts.ts";
import { prepareSample } from "../../src/train/sample.ts";
import { synthSource } from "../../src/train/synth-source.ts";
import type { SampleSource } from "../../src/train/synth-source.ts";
import { buildTrainGraph } from "../../src/train/train-graph.ts";
import { readMetrics, sampleIndex, train } from "../../src/train/trainer.ts";
import { microConfig } from "../helpers/micro-config.ts";

const MICRO = microConfig({ vocab_size: 300 });
const rt = new Runtime({ threads: 1 });

/** Stage 0 is the stand-in for LLaVA-OV-SI (the official stage 1's starting point): all parts, from scratch. */
function stageConfig(stage: 0 | 1 | 2 | 3, out: string, from: string | null, synth: Record<string, unknown>): TrainConfig {
  return parseTrainConfig(
    {
      ...(stage ? { stage } : { tunable: ["vision_tower", "mm_projector", "vision_resampler", "language_model"], baseLr: 1e-2 }),
      model: from ? { from } : { init: MICRO, seed: 1 },
      ...(from ? {} : { tokenizer: { train: { vocabSize: 300 } } }),
      data: { synth: { seed: stage, worlds: 1, renderSize: 16, perTask: 1, formats: ["open"], ...synth } },
      // The official rates are for pretrained 3B models; a micro model from scratch needs them ×100.
      lrScale: stage ? 100 : 1,
      warmupRatio: 0,
      steps: stage ? 16 : 40,
      threads: 1,
      saveEvery: 1000,
      spatialSampling: "uniform",
      out,
    },
    `stage ${stage}`,
  );
}

/** Loss of every sample of a source under some weights (the training graph without gradients). */
async function losses(config: HourLlavaConfig, weights: WeightStore, tokDir: string, source: SampleSource): Promise<number[]> {
  const step = await rt.compile(buildTrainGraph(config, weights, []).graph, { weightsAsInputs: true });
  const tok = loadTokenizer(tokDir);
  const out: number[] = [];
  for (let i = 0; i < source.size; i++)
    out.push(((await step.run(prepareSample(config, tok, source.get(i), "uniform", 0).feeds)).loss.data as Float32Array)[0]);
  return out;
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function weightsOf(dir: string): Map<string, Float32Array> {
  const ck = openCheckpoint(dir);
  const m = new Map(ck.names().map((n) => [n, ck.read(n)]));
  ck.close();
  return m;
}

/** Parts whose weights differ between two checkpoints. */
function changedParts(a: Map<string, Float32Array>, b: Map<string, Float32Array>): Part[] {
  const parts = new Set<Part>();
  for (const [n, x] of a) if (!x.every((v, i) => v === b.get(n)![i])) parts.add(partOf(n));
  return [...parts].sort();
}

test("stage 1 → 2 → 3 on a micro model: each loads the previous folder, lowers its loss, freezes the official parts", async () => {
  const root = mkdtempSync(join(tmpdir(), "hl-stages-"));
  try {
    const synth = {
      0: { kind: "frame", framesPerWorld: 2 },
      1: { framesPerWorld: 2 },
      2: { minDurationS: 10, maxDurationS: 10 },
      3: { minDurationS: 10, maxDurationS: 12 },
    } as const;
    let prev: { weights: WeightStore; config: HourLlavaConfig } | null = null;
    let prevWeights: Map<string, Float32Array> | null = null;
    for (const stage of [0, 1, 2, 3] as const) {
      const out = join(root, `s${stage}`);
      const cfg = stageConfig(stage, out, prev ? join(root, `s${stage - 1}`) : null, synth[stage]);
      const r = await train(cfg, { quiet: true, log: () => {} });
      const model = loadHourLlava(r.checkpoint).model;
      const source = synthSource(cfg.data.synth, model.config.vision.image_size);
      const before = prev ?? { weights: new WeightStore(new MapWeights(scratchWeights(model.config, 1))), config: model.config };
      const lossBefore = await losses(before.config, before.weights, r.checkpoint, source);
      const lossAfter = await losses(model.config, model.weights, r.checkpoint, source);
      // The first step ran on the previous stage's weights: its loss is that checkpoint's loss on the sample.
      const first = readMetrics(join(out, "metrics.jsonl"))[0].loss;
      const k = sampleIndex(cfg.seed, source.size, 0);
      assert.ok(Math.abs(first - lossBefore[k]) < 1e-4 * Math.max(1, first), `stage ${stage}: first step ${first} vs previous checkpoint ${lossBefore[k]}`);
      // MemAug alone (stage 1) can only improve the answers that depend on the frame, a small share of the loss.
      assert.ok(mean(lossAfter) < (stage === 1 ? 0.99 : 0.9) * mean(lossBefore), `stage ${stage}: loss ${mean(lossBefore)} → ${mean(lossAfter)}`);
      // Exactly the stage's parts moved.
      const now = weightsOf(r.checkpoint);
      const was: Map<string, Float32Array> = prevWeights ?? new Map([...scratchWeights(model.config, 1)].map(([n, t]) => [n, t.data]));
      assert.deepEqual(changedParts(was, now), [...cfg.tunable].sort(), `stage ${stage}`);
      prev = { weights: model.weights, config: model.config };
      prevWeights = now;
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
