// evalEvery: held-out loss and exact answers during training, scored with the weights of that step.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Runtime } from "../../src/graph/runtime.ts";
import { loadTokenizer } from "../../src/io/tokenizer.ts";
import { loadHourLlava } from "../../src/model/load/load.ts";
import { parseTrainConfig } from "../../src/train/config.ts";
import { HELD_OUT_SEED, heldOutMetrics, heldOutSamples, scoreAnswers } from "../../src/train/held-out.ts";
import { planSample } from "../../src/train/sample.ts";
import { buildTrainGraph } from "../../src/train/train-graph.ts";
import { train } from "../../src/train/trainer.ts";
import { FrameSource } from "../../src/train/synth-source.ts";
import { microConfig } from "../helpers/micro-config.ts";

test("an answer is a run of answer targets ending in <|im_end|>, exact only when every token of it is the argmax", () => {
  const V = 16;
  const [E, X] = [11, -100];
  // Targets under supervision "answers": the answer [1, 2] with its end, then [3] with its end.
  const targets = [X, X, X, X, 1, 2, E, X, X, X, X, 3, E, X];
  const logitsFor = (argmax: number[]) => {
    const l = new Float32Array(argmax.length * V);
    argmax.forEach((a, i) => (l[i * V + Math.max(0, a)] = 1));
    return l;
  };
  assert.deepEqual(scoreAnswers(logitsFor(targets), targets, V, E), { answers: 2, exact: 2 });
  // A wrong prediction outside the answers changes nothing; a wrong answer token or end token does.
  const wrongAt = (i: number) => logitsFor(targets.map((t, k) => (k === i ? 5 : t)));
  assert.deepEqual(scoreAnswers(wrongAt(2), targets, V, E), { answers: 2, exact: 2 });
  assert.deepEqual(scoreAnswers(wrongAt(4), targets, V, E), { answers: 2, exact: 1 });
  assert.deepEqual(scoreAnswers(wrongAt(6), targets, V, E), { answers: 2, exact: 1 });
  assert.deepEqual(scoreAnswers(wrongAt(11), targets, V, E), { answers: 2, exact: 1 });
  // An answer cut off before its end is not counted; int64 targets work as the graph's feeds give them.
  assert.deepEqual(scoreAnswers(logitsFor(targets), targets.slice(0, 12), V, E), { answers: 1, exact: 1 });
  assert.deepEqual(scoreAnswers(logitsFor(targets), BigInt64Array.from(targets.map(BigInt)), V, E), { answers: 2, exact: 2 });
});

const MICRO = microConfig({ vocab_size: 300, tokenizer_model_max_length: 4096 });
const cfg = (out: string) =>
  parseTrainConfig(
    {
      model: { init: MICRO, seed: 1 },
      tokenizer: { train: { vocabSize: 300 } },
      data: { synth: { kind: "frame", seed: 4, worlds: 2, framesPerWorld: 2, qaPerSample: 3 } },
      tunable: ["mm_projector", "vision_resampler", "language_model"],
      baseLr: 1e-2,
      steps: 4,
      evalEvery: 2,
      evalSamples: 3,
      threads: 1,
      saveEvery: 2,
      out,
    },
    "test",
  );

test("held-out samples come from worlds the training data does not use", () => {
  const c = cfg("x");
  const held = heldOutSamples(c, 16, 3);
  assert.equal(held.length, 3);
  const trainSeeds = new Set(new FrameSource(c.data.synth, 16).records.map((r) => r.world.seed));
  const heldSeeds = new FrameSource({ ...c.data.synth, seed: HELD_OUT_SEED + c.data.synth.seed, worlds: 2 }, 16).records.map((r) => r.world.seed);
  assert.ok(heldSeeds.every((s) => !trainSeeds.has(s)));
  assert.ok(
    held.every((s) => s.frames === 1),
    "the run's kind: single frames",
  );
});

test("evalEvery logs held-out loss and exact answers, scored with that step's weights", async () => {
  const out = mkdtempSync(join(tmpdir(), "hl-heldout-"));
  try {
    const c = cfg(out);
    await train(c, { quiet: true, log: () => {} });
    const lines = readFileSync(join(out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, number>);
    assert.deepEqual(
      lines.map((l) => "eval_loss" in l),
      [false, true, false, true],
    );
    // Recomputed from each saved checkpoint on its own: the same numbers, so the trainer scored the updated weights.
    for (const step of [2, 4]) {
      const dir = join(out, `checkpoint-${step}`);
      const { model } = loadHourLlava(dir);
      const graph = await new Runtime({ threads: 1 }).compile(buildTrainGraph(model.config, model.weights, [], { logits: true }).graph);
      const m = await heldOutMetrics(graph, new Map(), model.config, loadTokenizer(dir), c, heldOutSamples(c, 16, 3));
      const logged = lines[step - 1];
      assert.ok(Math.abs(m.loss - logged.eval_loss) < 1e-5 * Math.max(1, m.loss), `step ${step}: ${m.loss} vs ${logged.eval_loss}`);
      assert.equal(m.answerAccuracy, logged.eval_answer_acc);
    }
    assert.notEqual(lines[1].eval_loss, lines[3].eval_loss, "the weights moved between the two evaluations");
    // On a real conversation (the run's tokenizer and template), one answer per assistant turn.
    const dir = join(out, "checkpoint-4");
    const { model } = loadHourLlava(dir);
    const tok = loadTokenizer(dir);
    for (const s of heldOutSamples(c, 16, 3)) {
      const { targets } = planSample(model.config, tok, s, "uniform", 0, "answers");
      const r = scoreAnswers(new Float32Array(targets.length * model.config.vocab_size), targets, model.config.vocab_size, tok.tokenId("<|im_end|>"));
      assert.equal(r.answers, s.turns.filter((t) => ("from" in t ? t.from === "gpt" : t.role === "assistant")).length);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
