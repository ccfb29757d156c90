// A tiny Hour-LLaVA written as a Hugging Face folder with the official key names and config fields, loaded
// back through the key checks, and asked a question end to end (frames → memory → MemAug → tokens).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeCheckpoint } from "../../src/io/checkpoint.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { trainByteLevelBpe } from "../../src/io/bpe-trainer.ts";
import { tokenizerFromJson } from "../../src/io/tokenizer.ts";
import { tokenizeConversation } from "../../src/io/chat-template.ts";
import { initWeights, weightShapes } from "../../src/model/load/init.ts";
import { loadHourLlava } from "../../src/model/load/load.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { loadFixture } from "./fixture.ts";
import { microConfig } from "../helpers/micro-config.ts";

// Two decoder and MemAug layers, so a missing layer's keys can be listed.
const TINY_CONFIG = microConfig({ num_hidden_layers: 2, memaug_depth: 2, vocab_size: 300, spatial_sampling_type: "random" });

const rt = new Runtime({ threads: 1 });

test("weight shapes implied by a config match the official checkpoint layout of the parity fixture", () => {
  const fx = loadFixture("test/fixtures/parity/tiny_tied.safetensors");
  const shapes = weightShapes(fx.config);
  const stored = fx.weights.names().filter((n) => !n.includes("post_layernorm"));
  assert.deepEqual([...shapes.keys()].sort(), stored.sort());
  for (const n of stored) assert.deepEqual(shapes.get(n), fx.weights.shape(n), n);
});

test("write a tiny official-layout checkpoint folder, load it, and answer a question about a video", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-ckpt-"));
  try {
    const config = parseHourLlavaConfig(TINY_CONFIG, "tiny");
    const w = initWeights(config, 3);
    const tensors = Object.fromEntries([...w].map(([n, t]) => [n, { dtype: "F32" as const, shape: t.shape, data: t.data }]));
    const tok = trainByteLevelBpe("what colour is the circle? the red circle moves left. the blue square appears.", { vocabSize: 300 });
    writeCheckpoint(join(dir, "m"), TINY_CONFIG, tensors, tok);
    const { model } = loadHourLlava(join(dir, "m"), { runtime: rt });
    const tokenizer = tokenizerFromJson(tok);
    const T = 3;
    const S = config.vision.image_size;
    const pixels = new Float32Array(T * 3 * S * S).map((_, i) => Math.sin(i * 0.37));
    const { tokens } = await model.encodeFrames(pixels, T);
    const memory = model.buildMemory(tokens, T);
    assert.equal(memory.frames, 128);
    const { ids } = tokenizeConversation(tokenizer, [{ role: "user", content: "what colour is the circle?" }], {
      video: { duration: 3, nFrames: 3 },
      addGenerationPrompt: true,
    });
    const plan = model.plan(memory, ids);
    assert.equal(plan.videoEnd - plan.videoStart, 32 * 17);
    const embeds = model.llmInput(plan, await model.memAug(memory, plan));
    const out: number[] = [];
    for await (const t of model.generate(embeds, { maxNewTokens: 5, stopTokens: [tokenizer.tokenId("<|im_end|>")] })) out.push(t);
    assert.ok(out.length >= 1 && out.length <= 5);
    assert.ok(out.every((t) => t >= 0 && t < 300));
    // Deterministic: the same question gives the same tokens.
    const again: number[] = [];
    for await (const t of model.generate(embeds, { maxNewTokens: 5, stopTokens: [tokenizer.tokenId("<|im_end|>")] })) again.push(t);
    assert.deepEqual(again, out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a checkpoint with missing and unexpected keys is refused with both lists", () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-ckpt-"));
  try {
    const config = parseHourLlavaConfig(TINY_CONFIG, "tiny");
    const w = initWeights(config, 1);
    const tensors: Record<string, { dtype: "F32"; shape: number[]; data: Float32Array }> = {};
    for (const [n, t] of w) if (!n.includes("vision_resampler.layers.1.")) tensors[n] = { dtype: "F32", shape: t.shape, data: t.data };
    tensors["model.mystery.weight"] = { dtype: "F32", shape: [1], data: new Float32Array(1) };
    writeCheckpoint(join(dir, "m"), TINY_CONFIG, tensors);
    assert.throws(
      () => loadHourLlava(join(dir, "m"), { runtime: rt }),
      /checkpoint keys do not match the model: 20 missing \(model\.vision_resampler\.layers\.1\.self_attn\.Wqkv\.weight, .*; 1 unexpected \(model\.mystery\.weight\)/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a missing model folder says what to fetch and where", () => {
  assert.throws(
    () => loadHourLlava("/nonexistent/hourllava-model", { runtime: rt }),
    /model folder \/nonexistent\/hourllava-model does not exist: .*config\.json/,
  );
});
