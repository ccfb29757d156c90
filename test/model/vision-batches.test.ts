// The vision tower runs a few frames at a time (bounded memory): tokens equal one run over all frames. warmUp
// compiles the question-time sessions ahead of the first question.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadHourLlava } from "../../src/model/load/load.ts";
import { Runtime } from "../../src/graph/runtime.ts";

test("encoding 7 frames 3 at a time gives the tokens of one 7-frame run", async () => {
  const { model } = loadHourLlava("models/hourllava-tiny", { runtime: new Runtime({ threads: 1 }) });
  const S = model.config.vision.image_size;
  const T = 7;
  const pixels = new Float32Array(T * 3 * S * S).map((_, i) => Math.sin(i * 0.007));
  model.visionFramesPerRun = 100;
  const whole = (await model.encodeFrames(pixels, T)).tokens;
  model.visionFramesPerRun = 3;
  const parts = (await model.encodeFrames(pixels, T)).tokens;
  assert.equal(parts.length, whole.length);
  let max = 0;
  for (let i = 0; i < whole.length; i++) max = Math.max(max, Math.abs(parts[i] - whole[i]));
  assert.ok(max < 1e-5, `max difference ${max}`);
  // The last frame is really its own (a misplaced slice would repeat an earlier frame).
  const per = whole.length / T;
  assert.notDeepEqual(parts.subarray(6 * per), parts.subarray(5 * per, 6 * per));
  // Released after encoding (the CLI frees its memory that way), the tower is rebuilt on the next encode.
  const sessions = model.runtime.cachedSessions;
  await model.releaseVision();
  assert.equal(model.runtime.cachedSessions, sessions - 1);
  assert.deepEqual((await model.encodeFrames(pixels, T)).tokens, parts);
});

test("warmUp builds exactly the sessions a question uses: answering afterwards compiles nothing new", async () => {
  const { model } = loadHourLlava("models/hourllava-tiny", { runtime: new Runtime({ threads: 1 }) });
  await model.warmUp();
  assert.equal(model.runtime.cachedSessions, 2, "MemAug and the decoder");
  const S = model.config.vision.image_size;
  const T = 3;
  const { tokens } = await model.encodeFrames(
    new Float32Array(T * 3 * S * S).map((_, i) => Math.cos(i * 0.01)),
    T,
  );
  assert.equal(model.runtime.cachedSessions, 3, "+ the vision tower");
  const memory = model.buildMemory(tokens, T);
  const plan = model.plan(memory, [5, -200, 6, 7]);
  const out: number[] = [];
  for await (const tok of model.generate(model.llmInput(plan, await model.memAug(memory, plan)), { maxNewTokens: 3 })) out.push(tok);
  assert.equal(out.length, 3);
  assert.equal(model.runtime.cachedSessions, 3);
});
