// The shipped training configs: each parses, and the curriculum is one chain — base (from scratch, on single
// frames) → stage 1 → stage 2 → stage 3, each starting from the previous run's folder with the official stage.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { readTrainConfig } from "../../src/train/config.ts";

test("every config in configs/ parses", () => {
  // *.text-stage.json are the language stage's recipes, run by tools/train_torch/text_stage.py, not this trainer.
  const files = readdirSync("configs").filter((f) => f.endsWith(".json") && !f.endsWith(".text-stage.json"));
  assert.ok(files.length >= 5, files.join(", "));
  for (const f of files) readTrainConfig(`configs/${f}`);
});

test("the tiny curriculum chains base → stage 1 → 2 → 3, with the official stage data kinds", () => {
  const chain = ["tiny-base", "tiny-s1", "tiny-s2", "tiny-s3"].map((n) => readTrainConfig(`configs/${n}.json`));
  assert.ok("init" in chain[0].model, "the base run starts from scratch");
  assert.equal(chain[0].data.synth.kind, "frame");
  chain.slice(1).forEach((c, i) => {
    assert.equal(c.stage, i + 1);
    assert.deepEqual(c.model, { from: chain[i].out }, `stage ${i + 1} starts from ${chain[i].out}`);
    assert.equal(c.data.synth.kind, (["frame", "clip", "video"] as const)[i]);
  });
});

test("the shipped model's chain: base → stage 3 from base → stage 3 with frames mixed in, each from the previous run", () => {
  const [base, s3, mixed] = ["tiny-base", "tiny-s3-from-base", "tiny-s3-mixed"].map((n) => readTrainConfig(`configs/${n}.json`));
  assert.deepEqual(s3.model, { from: base.out });
  assert.ok("from" in mixed.model && mixed.model.from.startsWith(`${s3.out}/checkpoint-`), "the mixed run continues a stage-3 checkpoint");
  assert.equal(mixed.data.synth.kind, "video");
  assert.ok(mixed.data.synth.frameShare > 0);
  assert.deepEqual(mixed.tunable, s3.tunable);
});
