// Quantized models: a folder written by quantizeFolder loads like any other and computes exactly what
// quantizing at load computes; q8/q4 stay close to f32; bad folders and options get one clear error each.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeCheckpoint } from "../../src/io/checkpoint.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { initWeights } from "../../src/model/load/init.ts";
import { loadHourLlava } from "../../src/model/load/load.ts";
import type { HourLlava } from "../../src/model/arch/hourllava.ts";
import { quantizeFolder } from "../../src/model/load/quantize-folder.ts";
import { QUANT_CONFIG_KEY, parseQuantScheme } from "../../src/model/load/quant-plan.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { microConfig } from "../helpers/micro-config.ts";
import { fixedOutputs as outputs, relErr } from "../helpers/model-outputs.ts";

const CONFIG = microConfig({ num_hidden_layers: 2, hidden_size: 64, intermediate_size: 160, vocab_size: 300, tie_word_embeddings: false });
const rt = new Runtime({ threads: 1 });
const dir = mkdtempSync(join(tmpdir(), "hl-quant-"));
const float = join(dir, "f32");
{
  const config = parseHourLlavaConfig(CONFIG, "micro");
  const w = initWeights(config, 11);
  // bf16 storage, as official checkpoints ship, sharded so the index path is exercised.
  const tensors = Object.fromEntries([...w].map(([n, t]) => [n, { dtype: "BF16" as const, shape: t.shape, data: t.data }]));
  writeCheckpoint(float, CONFIG, tensors, { version: "1.0", model: { type: "BPE", vocab: {}, merges: [] } }, { maxShardBytes: 40_000 });
  writeFileSync(join(float, "generation_config.json"), '{"eos_token_id": [1, 2]}\n');
}
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("quantize → save → load computes exactly what quantizing at load does, and stays close to f32", async () => {
  const ref = await outputs(loadHourLlava(float, { runtime: rt }).model);
  const errors: Record<string, { tokens: number; logits: number }> = {};
  for (const scheme of ["q8", "q4"] as const) {
    const out = join(dir, scheme);
    const report = quantizeFolder(float, out, scheme, { blockSize: 16, maxShardBytes: 30_000 });
    assert.ok(report.shards > 1 && report.quantized > 0);
    assert.ok(report.bytesOut < report.bytesIn, `${scheme}: ${report.bytesOut} bytes out vs ${report.bytesIn} in`);
    const cfg = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    assert.deepEqual(cfg[QUANT_CONFIG_KEY], { scheme, block_size: 16, format_version: 1 });
    assert.equal(readFileSync(join(out, "generation_config.json"), "utf8"), '{"eos_token_id": [1, 2]}\n');
    const saved = await outputs(loadHourLlava(out, { runtime: rt }).model);
    const atLoad = await outputs(loadHourLlava(float, { runtime: rt, quant: scheme, blockSize: 16 }).model);
    assert.deepEqual(saved.logits, atLoad.logits, `${scheme}: saved folder = quantized at load`);
    assert.deepEqual(saved.tokens, atLoad.tokens);
    errors[scheme] = { tokens: relErr(saved.tokens, ref.tokens), logits: relErr(saved.logits, ref.logits) };
  }
  // int8 vision/MemAug (7-bit codes, per-tensor activations) and 8/4-bit LLM blocks; random weights are the
  // hard case (no structure to exploit), so these bounds are loose but well below any real divergence.
  assert.ok(errors.q8.tokens < 0.03, JSON.stringify(errors));
  assert.ok(errors.q8.logits < 0.05, JSON.stringify(errors));
  assert.ok(errors.q4.logits < 0.25, JSON.stringify(errors));
  assert.ok(errors.q4.logits > errors.q8.logits, "4 bits lose more than 8");
});

test("quantizing errors: unknown scheme, an already quantized folder, a folder whose config claims a scheme its tensors lack", () => {
  assert.throws(() => parseQuantScheme("q3"), /unknown --quant "q3": use q4, q8 or f32/);
  assert.equal(parseQuantScheme("f32"), undefined);
  const q8 = join(dir, "q8-again");
  quantizeFolder(float, q8, "q8");
  assert.throws(() => quantizeFolder(q8, join(dir, "q8-twice"), "q4"), /is already quantized \(q8\): quantize its float original instead/);
  assert.ok(!existsSync(join(dir, "q8-twice")));
  assert.throws(() => loadHourLlava(q8, { runtime: rt, quant: "q4" }), /is already quantized \(q8\)/);
  assert.throws(() => quantizeFolder(float, float, "q8"), /--out must be a new folder/);
  // A float folder whose config.json claims q4.
  const liar = join(dir, "liar");
  quantizeFolder(float, liar, "q8");
  const cfgPath = join(float, "config.json");
  const original = readFileSync(cfgPath, "utf8");
  try {
    writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(original), [QUANT_CONFIG_KEY]: { scheme: "q4", block_size: 32, format_version: 1 } }));
    assert.throws(
      () => loadHourLlava(float, { runtime: rt }),
      /config\.json says the weights are q4-quantized, but \d+ quantized tensors are missing \(model\./,
    );
  } finally {
    writeFileSync(cfgPath, original);
  }
});

test("a shard named in model.safetensors.index.json but absent is named, with where to fetch it", () => {
  const index = JSON.parse(readFileSync(join(float, "model.safetensors.index.json"), "utf8"));
  const shard = Object.values(index.weight_map)[0] as string;
  const broken = join(dir, "broken");
  quantizeFolder(float, broken, "q4", { maxShardBytes: 30_000 });
  const bIndex = JSON.parse(readFileSync(join(broken, "model.safetensors.index.json"), "utf8"));
  rmSync(join(broken, Object.values(bIndex.weight_map)[0] as string));
  assert.throws(
    () => loadHourLlava(broken, { runtime: rt }),
    /1 of \d+ shards listed in model\.safetensors\.index\.json are missing \(model-00001-of-\d+\.safetensors\): fetch them/,
  );
  assert.ok(shard.endsWith(".safetensors"));
});

test("the shipped tiny model: q8 greedy answers equal f32's token for token", async () => {
  const tiny = "models/hourllava-tiny";
  const answer = async (m: HourLlava) => {
    const T = 4;
    const S = m.config.vision.image_size;
    const pixels = new Float32Array(T * 3 * S * S).map((_, i) => Math.cos(i * 0.013));
    const memory = m.buildMemory((await m.encodeFrames(pixels, T)).tokens, T);
    const plan = m.plan(memory, [3, 4, 5, -200, 6, 7, 8, 9]);
    const out: number[] = [];
    for await (const t of m.generate(m.llmInput(plan, await m.memAug(memory, plan)), { maxNewTokens: 12 })) out.push(t);
    return out;
  };
  const f32 = await answer(loadHourLlava(tiny, { runtime: rt }).model);
  const q8 = await answer(loadHourLlava(tiny, { runtime: rt, quant: "q8" }).model);
  assert.equal(f32.length, 12);
  assert.deepEqual(q8, f32);
});

test("int8 linears as DequantizeLinear + MatMul (GPU providers) stay as close to f32 as DynamicQuantizeMatMul", async () => {
  const CONFIG = microConfig({ num_hidden_layers: 2, hidden_size: 64, intermediate_size: 160, vocab_size: 300 });
  const dir = mkdtempSync(join(tmpdir(), "hl-int8-"));
  try {
    const w = initWeights(parseHourLlavaConfig(CONFIG, "micro"), 11);
    const tensors = Object.fromEntries([...w].map(([n, t]) => [n, { dtype: "F32" as const, shape: t.shape, data: t.data }]));
    writeCheckpoint(dir, CONFIG, tensors, { version: "1.0", model: { type: "BPE", vocab: {}, merges: [] } });
    const runtime = new Runtime({ threads: 1 });
    const out = (opts: object) => outputs(loadHourLlava(dir, { runtime, ...opts }).model);
    const f32 = await out({});
    const dyn = await out({ quant: "q8", blockSize: 16 });
    const deq = await out({ quant: "q8", blockSize: 16, int8Linear: "dequantize" });
    const own = { dynamic: relErr(dyn.tokens, f32.tokens), dequantized: relErr(deq.tokens, f32.tokens), between: relErr(deq.tokens, dyn.tokens) };
    // The same int8 weights; DynamicQuantizeMatMul also rounds the activations (per tensor), an error of the same
    // size here. Measured: 1.7e-2 (dynamic) and 1.8e-2 (dequantized) from f32, 1.6e-2 apart. A wrong axis or
    // scale would be far above these; the op's arithmetic itself is checked exactly in test/graph.
    assert.ok(own.dequantized > 1e-3 && own.dequantized < 2 * own.dynamic, JSON.stringify(own));
    assert.ok(own.between < 2 * own.dynamic, JSON.stringify(own));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
