// WebGPU in Node gives the CPU's results: onnxruntime-node's WebGPU provider (Dawn on Vulkan) against its CPU
// provider, on a micro model (float, q8 and q4 weights) and on the shipped tiny model (frame tokens, MemAug,
// logits, greedy answer tokens). Without a GPU it runs on chromium's SwiftShader (a CPU Vulkan): slow, but the same
// shaders as on a GPU. Skips with one line where no adapter exists; CI sets HOURLLAVA_REQUIRE_WEBGPU=1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Runtime, availableDevices, pickDevice } from "../../src/graph/runtime.ts";
import { writeCheckpoint } from "../../src/io/checkpoint.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { initWeights } from "../../src/model/load/init.ts";
import { loadHourLlava } from "../../src/model/load/load.ts";
import type { LoadOptions } from "../../src/model/load/load.ts";
import type { HourLlava } from "../../src/model/arch/hourllava.ts";
import { answer, answerSettings } from "../../src/model/generate/answer.ts";
import { loadTokenizer } from "../../src/io/tokenizer.ts";
import { endTokenIds, readGenerationConfig } from "../../src/io/generation-config.ts";
import { DEFAULT_MODEL_DIR } from "../../src/app/default-model.ts";
import { renderWorldFrames } from "../../src/synth/model-frames.ts";
import { IMAGE_TOKEN_INDEX } from "../../src/io/chat-template.ts";
import { microConfig } from "../helpers/micro-config.ts";
import { fixedOutputs, relErr } from "../helpers/model-outputs.ts";
import { webGpuMissing } from "../helpers/needs.ts";

const skip = await webGpuMissing();
const cpu = new Runtime({ threads: 1 });
const cpuBasic = new Runtime({ threads: 1, optimization: "basic" });
const gpu = skip ? undefined : new Runtime({ device: "webgpu" });

const CONFIG = microConfig({ num_hidden_layers: 2, hidden_size: 64, intermediate_size: 160, vocab_size: 300 });
const dir = mkdtempSync(join(tmpdir(), "hl-webgpu-"));
{
  const w = initWeights(parseHourLlavaConfig(CONFIG, "micro"), 11);
  const tensors = Object.fromEntries([...w].map(([n, t]) => [n, { dtype: "F32" as const, shape: t.shape, data: t.data }]));
  writeCheckpoint(dir, CONFIG, tensors, { version: "1.0", model: { type: "BPE", vocab: {}, merges: [] } });
}
test.after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await gpu?.release();
});

const both = (opts: LoadOptions = {}, folder = dir): [HourLlava, HourLlava] => [
  loadHourLlava(folder, { runtime: cpu, ...opts }).model,
  loadHourLlava(folder, { runtime: gpu, ...opts }).model,
];

// f32 on both providers: only the order of additions differs (WebGPU's shaders tile reductions differently),
// so the results agree to a few float32 ulps of the largest value. Measured on SwiftShader: ≤ 1e-6.
const F32_TOL = 2e-5;

test("micro model, f32: frame tokens and logits through MemAug equal the CPU's", { skip }, async () => {
  const [c, g] = both();
  const [a, b] = [await fixedOutputs(c), await fixedOutputs(g)];
  const err = { tokens: relErr(b.tokens, a.tokens), logits: relErr(b.logits, a.logits) };
  for (const [k, v] of Object.entries(err)) assert.ok(v < F32_TOL, `${k}: ${v}`);
});

test("micro model, q4 (MatMulNBits) and q8 (dequantized int8): the CPU's results for the same weights and ops", { skip }, async () => {
  const f32 = await fixedOutputs(both()[0]);
  for (const quant of ["q4", "q8"] as const) {
    // The CPU runs int8 linears the GPU's way here (DequantizeLinear + MatMul), at the "basic" level: above it the
    // CPU provider fuses them into an int8 GEMM that rounds activations (test/graph/quant.test.ts).
    const c = loadHourLlava(dir, { runtime: cpuBasic, quant, blockSize: 16, int8Linear: "dequantize" }).model;
    const g = loadHourLlava(dir, { runtime: gpu, quant, blockSize: 16 }).model;
    const [a, b] = [await fixedOutputs(c), await fixedOutputs(g)];
    const own = { tokens: relErr(a.tokens, f32.tokens), logits: relErr(a.logits, f32.logits) };
    const err = { tokens: relErr(b.tokens, a.tokens), logits: relErr(b.logits, a.logits) };
    // The LLM's MatMulNBits runs with accuracy_level 4, which lets the CPU (MLAS) round activations to int8 per
    // block, while WebGPU multiplies in float: the logits differ by that rounding (measured 4.8e-3, against the
    // quantization's own 5.9e-2 for q4 and 1.5e-2 for q8). The tower's int8 linears run dequantized on both: its
    // tokens agree to 4e-7. A broken kernel would differ as much as quantization itself does.
    for (const k of ["tokens", "logits"] as const) assert.ok(err[k] <= own[k] / 2, `${quant} ${k}: ${err[k]} (quantization's own error ${own[k]})`);
  }
});

test("the shipped tiny model: frame tokens, MemAug, logits and the greedy answer equal the CPU's", { skip }, async () => {
  const [c, g] = both({}, DEFAULT_MODEL_DIR);
  const T = 10;
  const S = c.config.vision.image_size;
  const pixels = renderWorldFrames(424242, T, 64, S);
  const run = async (m: HourLlava) => {
    const { tokens } = await m.encodeFrames(pixels, T);
    const memory = m.buildMemory(tokens, T);
    const plan = m.plan(memory, [5, 6, IMAGE_TOKEN_INDEX, 7, 8]);
    const aug = await m.memAug(memory, plan);
    const logits = await m.logits(m.llmInput(plan, aug));
    const tok = loadTokenizer(DEFAULT_MODEL_DIR);
    const gen = readGenerationConfig(DEFAULT_MODEL_DIR);
    const settings = answerSettings(m, gen, endTokenIds(m.config.eos_token_id, gen, tok), { maxNewTokens: 8 });
    const video = { memory, durationS: T, frames: T };
    const said = await answer(m, tok, video, [{ role: "user", content: "What scene is shown?" }], settings);
    return { tokens, aug, logits, ids: said.ids };
  };
  const [a, b] = [await run(c), await run(g)];
  for (const k of ["tokens", "aug", "logits"] as const) assert.ok(relErr(b[k], a[k]) < F32_TOL, `${k}: ${relErr(b[k], a[k])}`);
  assert.deepEqual(b.ids, a.ids);
});

test("--device auto picks WebGPU where an adapter runs and CUDA is not installed", { skip }, async () => {
  assert.equal(await pickDevice(), availableDevices().includes("cuda") ? "cuda" : "webgpu");
});
