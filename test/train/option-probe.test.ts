// The option-lookup probe: LLM-only training on option drills, scored as held-out exact answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { trainByteLevelBpe } from "../../src/io/bpe-trainer.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { tokenizerFromJson } from "../../src/io/tokenizer.ts";
import { initWeights } from "../../src/model/load/init.ts";
import { optionDrills } from "../../src/synth/option-drill.ts";
import { probeOptionLookup } from "../../src/train/option-probe.ts";
import type { Drill } from "../../src/train/option-probe.ts";
import { microConfig } from "../helpers/micro-config.ts";

const MC = (answer: string, options: string[]) =>
  `What scene is shown?\n${options.map((o, i) => `${"ABCD"[i]}. ${o}`).join("\n")}\nAnswer with the option's letter.`;
const SCENES = ["yellow desert", "gray city", "purple cave", "green forest"];
const drill = (k: number): Drill =>
  optionDrills([
    { from: "human", value: MC(SCENES[k], SCENES) },
    { from: "gpt", value: "ABCD"[k] },
  ]) as Drill;

test("the probe trains only the LLM, and a drill it is trained on comes out exact", async () => {
  const config = parseHourLlavaConfig(microConfig({ vocab_size: 300 }), "micro");
  const tok = tokenizerFromJson(trainByteLevelBpe([MC("", SCENES), "Which option is ?", "ABCD"], { vocabSize: 300 }), {});
  const weights = initWeights(config, 3);
  const before = new Map([...weights].map(([n, t]) => [n, Float32Array.from(t.data)]));
  const points: number[] = [];
  const curve = await probeOptionLookup(config, weights, tok, [drill(2)], [drill(2)], {
    steps: 40,
    lr: 1e-2,
    perStep: 2,
    evalEvery: 20,
    threads: 1,
    onEval: (p) => points.push(p.step),
  });
  assert.deepEqual(
    curve.map((p) => p.step),
    [0, 20, 40],
  );
  assert.deepEqual(points, [0, 20, 40]);
  assert.equal(curve[0].heldOutExact, 0, "an untrained model does not give the letter and its end");
  assert.equal(curve[2].heldOutExact, 1);
  assert.ok(curve[2].loss < curve[1].loss);
  for (const [n, t] of weights) {
    const moved = t.data.some((x, i) => x !== before.get(n)![i]);
    assert.equal(moved, n.startsWith("model.layers.") || n.startsWith("model.norm") || n === "model.embed_tokens.weight", n);
  }
});

test("the probe refuses to run without drills", async () => {
  const config = parseHourLlavaConfig(microConfig({ vocab_size: 300 }), "micro");
  const tok = tokenizerFromJson(trainByteLevelBpe(["x"], { vocabSize: 300 }), {});
  await assert.rejects(probeOptionLookup(config, initWeights(config, 3), tok, [], [drill(0)], { steps: 1, lr: 1e-3, perStep: 1, evalEvery: 1 }), /no drills/);
});

test("lossOn all trains on every next token and still scores the letters alone", async () => {
  const config = parseHourLlavaConfig(microConfig({ vocab_size: 300 }), "micro");
  const tok = tokenizerFromJson(trainByteLevelBpe([MC("", SCENES), "Which option is ?", "ABCD"], { vocabSize: 300 }), {});
  const run = (lossOn: "answers" | "all") =>
    probeOptionLookup(config, initWeights(config, 3), tok, [drill(1)], [drill(1)], { steps: 60, lr: 1e-2, perStep: 2, evalEvery: 30, threads: 1, lossOn });
  const [answers, all] = [await run("answers"), await run("all")];
  // The first window's mean loss covers the prompt's tokens too, which an untrained model predicts worse than the
  // two answer tokens' average; both runs end with the letter right.
  assert.ok(all[1].loss > answers[1].loss, `${all[1].loss} vs ${answers[1].loss}`);
  assert.equal(all[2].heldOutExact, 1);
  assert.equal(answers[2].heldOutExact, 1);
});
