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

test("micro model, q4 (MatMulNBits) and q8 (DynamicQuantizeMatMul): the CPU's results for the same weights", { skip }, async () => {
  const f32 = await fixedOutputs(both()[0]);
  for (const quant of ["q4", "q8"] as const) {
    const [c, g] = both({ quant, blockSize: 16 });
    const [a, b] = [await fixedOutputs(c), await fixedOutputs(g)];
    const own = { tokens: relErr(a.tokens, f32.tokens), logits: relErr(a.logits, f32.logits) };
    const err = { tokens: relErr(b.tokens, a.tokens), logits: relErr(b.logits, a.logits) };
    // The providers' kernels differ (WebGPU's MatMulNBits accumulates in its own order; int8 activations are
    // requantized from inputs that differ in the last bits, so codes on a boundary flip), but a broken kernel would
    // differ as much as quantization itself does. Measured on SwiftShader: logits q4 4.6e-3 against its own 5.9e-2,
    // q8 4.9e-3 against 1.8e-2; tokens 0 (the tower stays float).
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
