// One measured question about a video with a real-size model folder, in its own process so its peak RSS is its
// own: load, encode (memory not cached), ask twice (first = with graph compilation), as JSON on stdout.
// Usage: node --import tsx bench/scale/ask.ts --model DIR --video FILE [--quant q4|q8] [--tokens 16] [--max-frames N]
//        [--device cpu|webgpu|cuda|auto] [--compute-dtype f32|f16]
// (--max-frames 32 keeps MemAug and the LLM's work as for the full 130 frames — the memory is repeated to 128
// frames and 32 are kept either way — while the vision encode, timed in bench/scale/vision.ts, takes 4× less.)
import { readFileSync } from "node:fs";
import { HourLlavaApp } from "../../src/app/app.ts";
import { folderQuantization, parseQuantScheme } from "../../src/model/load/quant-plan.ts";
import { memAugFlops, llmFlopsPerToken } from "./flops.ts";
import { linearRate } from "./linear-rate.ts";

const arg = (k: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const rssGb = (field: "VmHWM" | "VmRSS") =>
  Number(
    /(\d+) kB/.exec(
      readFileSync("/proc/self/status", "utf8")
        .split("\n")
        .find((l) => l.startsWith(field))!,
    )![1],
  ) /
  1024 ** 2;

const model = arg("model")!;
const video = arg("video")!;
const quant = arg("quant") ? parseQuantScheme(arg("quant")!) : undefined;
const maxNewTokens = Number(arg("tokens") ?? 16);
const maxFrames = arg("max-frames") ? Number(arg("max-frames")) : undefined;
const question = "What happens in the video, and in what order?";

const t0 = performance.now();
const device = (arg("device") ?? "cpu") as "cpu" | "webgpu" | "cuda" | "auto";
const computeDtype = arg("compute-dtype") === "f16" ? "float16" : "float32";
const app = await HourLlavaApp.load(model, { quant, device, computeDtype, noCache: true, quiet: true, rate: maxFrames ? { maxFrames } : undefined });
const loadS = (performance.now() - t0) / 1000;
const rssLoaded = rssGb("VmRSS");
const mem = await app.remember(video);
const rssEncoded = rssGb("VmRSS");
await app.model.releaseVision(); // as the CLI's ask does

async function ask() {
  const t = performance.now();
  const stream = app.ask(mem, question, { maxNewTokens });
  let r = await stream.next();
  while (!r.done) r = await stream.next();
  return { s: (performance.now() - t) / 1000, timings: r.value.timings, text: r.value.text };
}
const first = await ask();
const second = await ask();
const c = app.model.config;
const plan = app.model.plan(mem.memory, [0, -200, 0], undefined, { spatial: "uniform" }); // the video's share of the queries
const videoQueries = plan.videoEnd - plan.videoStart;
const Lq = videoQueries + 90; // + the prompt's text (≈90 tokens with the time instruction)
const memAugTflop = memAugFlops(c, Lq, mem.memory.frames * 65) / 1e12;
const prefillTokens = Lq;
const t = second.timings;
// Same-precision baselines, measured here after the questions: the linear op each stage's weights run on, at
// the stage's own shapes (MemAug's attention is f32 either way, so its f32 rate is given too).
const scheme = quant ?? folderQuantization(JSON.parse(readFileSync(`${model}/config.json`, "utf8")), model)?.scheme;
const memAugOp = scheme ? "int8" : "f32";
const llmOp = scheme === "q4" ? "nbits4" : scheme === "q8" ? "nbits8" : "f32";
const memAugGflops = (memAugTflop * 1000) / t.memAugS;
const prefillGflops = (prefillTokens * llmFlopsPerToken(c)) / t.prefillS / 1e9;
const base = {
  memaug_linear: await linearRate(memAugOp, Lq, c.hidden_size, c.hidden_size),
  f32_matmul: await linearRate("f32", Lq, c.hidden_size, c.hidden_size),
  prefill_linear: await linearRate(llmOp, prefillTokens, c.hidden_size, c.intermediate_size),
};
process.stdout.write(
  JSON.stringify({
    model,
    device: app.device,
    compute_dtype: computeDtype,
    quant: scheme ?? "as stored, f32 compute",
    frames: mem.frames,
    load_s: loadS,
    encode_s: mem.timings.encodeS,
    decode_video_s: mem.timings.decodeS,
    vision_frames_per_s: mem.frames / mem.timings.encodeS,
    first_question_s: first.s,
    warm_question_s: second.s,
    first_question_overhead_s: first.s - second.s,
    memaug_s: t.memAugS,
    memaug_tflop: memAugTflop,
    memaug_gflop_per_s: memAugGflops,
    baselines_gflop_per_s: { [`memaug_${memAugOp}_linear`]: base.memaug_linear, f32_matmul: base.f32_matmul, [`prefill_${llmOp}_linear`]: base.prefill_linear },
    memaug_vs_its_linear: memAugGflops / base.memaug_linear,
    memaug_vs_f32_matmul: memAugGflops / base.f32_matmul,
    prefill_vs_its_linear: prefillGflops / base.prefill_linear,
    prefill_tokens: prefillTokens,
    prefill_tok_per_s: prefillTokens / t.prefillS,
    prefill_gflop_per_s: prefillGflops,
    decode_tokens: t.tokens,
    decode_tok_per_s: t.tokens > 1 ? (t.tokens - 1) / t.generateS : null,
    rss_gb: { loaded: rssLoaded, encoded: rssEncoded, peak: rssGb("VmHWM") },
    host_embedding_gb: app.model.embeddings.bytes / 1024 ** 3,
    answer_sample: second.text.slice(0, 60),
  }) + "\n",
);
