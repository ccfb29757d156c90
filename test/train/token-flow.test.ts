// The token layout around <image> is defined once (model/arch/token-flow.ts) for inference and training: the training
// graph's loss on a sample must equal the cross-entropy of the inference path's logits on the same sample.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Runtime } from "../../src/graph/runtime.ts";
import { tokenizeConversation } from "../../src/io/chat-template.ts";
import { HourLlava } from "../../src/model/arch/hourllava.ts";
import { initWeights } from "../../src/model/load/init.ts";
import { IGNORE_INDEX, llmLabels, nextTokenTargets } from "../../src/model/arch/token-flow.ts";
import { MapWeights, WeightStore } from "../../src/model/arch/weights.ts";
import { prepareSample } from "../../src/train/sample.ts";
import { buildTrainGraph } from "../../src/train/train-graph.ts";
import { microSample } from "../helpers/micro-sample.ts";

test("training graph loss = cross-entropy over inference logits on the same sample (uniform forgetting)", async () => {
  const { config, tok, sample, T } = microSample();
  const store = new WeightStore(new MapWeights(initWeights(config, 11, 0.2)));
  const rt = new Runtime({ threads: 1 });

  // Training: the whole forward as one graph, fed by the host-side sample preparation.
  const prep = prepareSample(config, tok, sample, "uniform", 0);
  const step = await rt.compile(buildTrainGraph(config, store, []).graph, { weightsAsInputs: true });
  const trainLoss = ((await step.run(prep.feeds)).loss.data as Float32Array)[0];

  // Inference: encode → memory → plan (with training labels) → MemAug → LLM input → logits.
  const model = new HourLlava(config, store, rt, "uniform");
  const memory = model.buildMemory((await model.encodeFrames(sample.pixels, T)).tokens, T);
  const { ids, labels } = tokenizeConversation(tok, sample.turns, { video: { duration: T, nFrames: T } });
  const plan = model.plan(memory, ids, labels, { spatial: "uniform" });
  const logits = await model.logits(model.llmInput(plan, await model.memAug(memory, plan)));
  const targets = nextTokenTargets(llmLabels(plan, labels));
  const V = config.vocab_size;
  assert.equal(logits.length, targets.length * V);
  let sum = 0;
  let n = 0;
  targets.forEach((t, i) => {
    if (t === IGNORE_INDEX) return;
    const row = logits.subarray(i * V, (i + 1) * V);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0));
    sum += lse - row[t];
    n++;
  });
  assert.ok(n >= 5, `the answer should supervise several tokens, got ${n}`);
  const inferLoss = sum / n;
  assert.ok(Math.abs(trainLoss - inferLoss) <= 1e-4 * Math.max(1, inferLoss), `train ${trainLoss} vs inference ${inferLoss}`);
});

test('supervise "answers": the same inputs, targets a subset of the official ones, loss = cross-entropy on those only', async () => {
  const { config, tok, sample } = microSample();
  const store = new WeightStore(new MapWeights(initWeights(config, 11, 0.2)));
  const step = await new Runtime({ threads: 1 }).compile(buildTrainGraph(config, store, [], { logits: true }).graph, { weightsAsInputs: true });
  const official = prepareSample(config, tok, sample, "uniform", 0);
  const answers = prepareSample(config, tok, sample, "uniform", 0, "answers");
  for (const k of Object.keys(official.feeds)) if (k !== "targets") assert.deepEqual(answers.feeds[k], official.feeds[k], k);
  const tOff = Array.from(official.feeds.targets.data as BigInt64Array, Number);
  const tAns = Array.from(answers.feeds.targets.data as BigInt64Array, Number);
  tAns.forEach((t, i) => assert.ok(t === IGNORE_INDEX || t === tOff[i], `target ${i}`));
  assert.ok(answers.targetTokens >= 2 && answers.targetTokens < official.targetTokens, `${answers.targetTokens} of ${official.targetTokens}`);
  const out = await step.run(official.feeds);
  const logits = out.logits.data as Float32Array;
  const V = config.vocab_size;
  let sum = 0;
  tAns.forEach((t, i) => {
    if (t === IGNORE_INDEX) return;
    const row = logits.subarray(i * V, (i + 1) * V);
    const m = Math.max(...row);
    sum += m + Math.log(row.reduce((a, x) => a + Math.exp(x - m), 0)) - row[t];
  });
  const answerLoss = ((await step.run(answers.feeds)).loss.data as Float32Array)[0];
  assert.ok(Math.abs(answerLoss - sum / answers.targetTokens) <= 1e-4 * Math.max(1, answerLoss), `${answerLoss} vs ${sum / answers.targetTokens}`);
  assert.notEqual(answerLoss, (out.loss.data as Float32Array)[0]);
});
