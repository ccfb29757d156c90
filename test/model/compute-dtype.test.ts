// Half-precision graphs (for the WebGPU/CUDA providers) run on the CPU too: the same micro model computed in
// f16 stays within f16 tolerance of f32, through every stage, the KV cache and the quantized ops.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Graph } from "../../src/graph/graph.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { writeCheckpoint } from "../../src/io/checkpoint.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { initWeights } from "../../src/model/load/init.ts";
import { loadHourLlava } from "../../src/model/load/load.ts";
import type { LoadOptions } from "../../src/model/load/load.ts";
import type { HourLlava } from "../../src/model/arch/hourllava.ts";
import { microConfig } from "../helpers/micro-config.ts";
import { fixedOutputs, relErr } from "../helpers/model-outputs.ts";

const CONFIG = microConfig({ num_hidden_layers: 2, hidden_size: 64, intermediate_size: 160, vocab_size: 300 });
const rt = new Runtime({ threads: 1 });
const dir = mkdtempSync(join(tmpdir(), "hl-f16-"));
{
  const w = initWeights(parseHourLlavaConfig(CONFIG, "micro"), 5);
  const tensors = Object.fromEntries([...w].map(([n, t]) => [n, { dtype: "BF16" as const, shape: t.shape, data: t.data }]));
  writeCheckpoint(dir, CONFIG, tensors, { version: "1.0", model: { type: "BPE", vocab: {}, merges: [] } });
}
test.after(() => rmSync(dir, { recursive: true, force: true }));

const load = (opts: LoadOptions = {}) => loadHourLlava(dir, { runtime: rt, ...opts }).model;

/** Logits of one token decoded after a 5-token prefill: the KV cache crosses a graph call in the compute dtype. */
async function cachedStep(m: HourLlava): Promise<Float32Array> {
  const H = m.hidden;
  const rows = (n: number, seed: number) => new Float32Array(n * H).map((_, i) => 0.5 * Math.sin(seed + i * 0.37));
  const { present } = await m.decode(rows(5, 1), undefined, true);
  return (await m.decode(rows(1, 2), present, true)).logits;
}

test("float weights enter graphs in the compute dtype; the int8 ops' scales stay f32", () => {
  const m = load({ computeDtype: "float16" });
  const g = new Graph();
  assert.equal(m.weights.param(g, "model.norm.weight").dtype, "float16");
  assert.equal(m.weights.param(g, "model.layers.0.self_attn.q_proj.weight").dtype, "float16");
  assert.equal(load().weights.param(new Graph(), "model.norm.weight").dtype, "float32");
  const q = load({ quant: "q8", blockSize: 16, computeDtype: "float16" });
  const qg = new Graph();
  const x = qg.input("x", "float16", [3, 64]);
  const y = q.weights.linear(qg, x, "model.vision_resampler.layers.0.mlp.0");
  assert.equal(y.dtype, "float16");
  const dqmm = qg.nodes.find((n) => n.op === "DynamicQuantizeMatMul")!;
  assert.deepEqual(
    dqmm.inputs.map((t) => t?.dtype),
    ["float32", "int8", "float32"],
  );
});

test("an f16 model stays within f16 tolerance of f32: frame tokens, logits, a cached decode step", async () => {
  const f32 = load();
  const f16 = load({ computeDtype: "float16" });
  const [a, b] = [await fixedOutputs(f32), await fixedOutputs(f16)];
  const err = { tokens: relErr(b.tokens, a.tokens), logits: relErr(b.logits, a.logits), step: relErr(await cachedStep(f16), await cachedStep(f32)) };
  // f16 keeps 11 significant bits (unit roundoff 4.9e-4); norms and softmax run in f32. Measured: 1.8e-4 tokens,
  // 2.9e-4 logits, 1.6e-4 for the cached step. A stage that lost range or precision would be far above 2e-3.
  for (const [k, v] of Object.entries(err)) assert.ok(v < 2e-3, `${k}: ${v} (${JSON.stringify(err)})`);
  assert.ok(err.logits > 1e-5, `f16 must differ from f32 somewhere (${err.logits}): otherwise the graphs are not f16`);
});

test("f16 graphs with quantized weights (MatMulNBits with f16 scales, DynamicQuantizeMatMul crossed in f32)", async () => {
  const q32 = await fixedOutputs(load({ quant: "q8", blockSize: 16 }));
  const q16 = await fixedOutputs(load({ quant: "q8", blockSize: 16, computeDtype: "float16" }));
  const err = { tokens: relErr(q16.tokens, q32.tokens), logits: relErr(q16.logits, q32.logits) };
  // int8 activations are requantized from f16 inputs, so a few codes flip by one step: measured 1.1e-2, the
  // size of q8's own error against f32 (2.3e-2), not of a precision bug.
  for (const [k, v] of Object.entries(err)) assert.ok(v < 3e-2, `${k}: ${v} (${JSON.stringify(err)})`);
});
