// Model throughput on this machine, in one run: Qwen2-0.5B-shaped decoder (random weights) prefill and decode
// tokens/s, SigLIP-so400m-shaped vision tower frames/s, each as achieved GFLOP/s against the machine's measured
// fp32 peak and against a raw single-op ORT MatMul of the model's main GEMM shape. Prints one JSON object.
// Usage: node --import tsx bench/model/run.ts [--prefill 512] [--decode 32] [--frames 2] [--small]
import * as ort from "onnxruntime-node";
import { Graph } from "../../src/graph/graph.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { qwen2 } from "../../src/model/arch/qwen2.ts";
import { visionTower } from "../../src/model/arch/siglip.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { weightShapes } from "../../src/model/load/init.ts";
import { visionWeightNames } from "../../src/model/arch/siglip.ts";
import { qwen2WeightNames } from "../../src/model/arch/qwen2.ts";
import { MapWeights, WeightStore } from "../../src/model/arch/weights.ts";
import { ropeTables } from "../../src/model/arch/rope.ts";
import { matmulModel, measurePeak, randomArray, rawSession, timeIt } from "../peak.ts";
import { QWEN2_0_5B, randomWeights } from "../shapes.ts";

const arg = (k: string, d: number) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const small = process.argv.includes("--small");
const PREFILL = arg("prefill", 512);
const DECODE = arg("decode", 32);
const FRAMES = arg("frames", 2);

// One Hour-LLaVA config, so the weight shapes come from the model's own rules (src/model/load/init.ts).
const config = parseHourLlavaConfig(
  {
    ...(small
      ? {
          hidden_size: 256,
          intermediate_size: 1024,
          num_hidden_layers: 4,
          num_attention_heads: 4,
          num_key_value_heads: 2,
          rms_norm_eps: 1e-6,
          rope_theta: 1e6,
          vocab_size: 4096,
          tie_word_embeddings: true,
        }
      : QWEN2_0_5B),
    model_type: "hour_llava_qwen",
    mm_projector_type: "mlp2x_gelu",
    mm_resampler_type: "memaug",
    ...(small
      ? {
          mm_vision_tower: "bench-small",
          vision_config: {
            hidden_size: 128,
            intermediate_size: 512,
            num_hidden_layers: 3,
            num_attention_heads: 4,
            patch_size: 14,
            image_size: 112,
            layer_norm_eps: 1e-6,
          },
        }
      : { mm_vision_tower: "google/siglip-so400m-patch14-384" }),
  },
  "bench/model",
);
const llm = config;
const vision = config.vision;
const shapes = weightShapes(config);
const shaped = (names: string[]) => names.map((n) => [n, shapes.get(n)!] as [string, number[]]);

const rt = new Runtime();
const peak = await measurePeak();
const rawGemm = async (m: number, k: number, n: number) => {
  const s = await rawSession(matmulModel(m, k, n));
  const f = { a: new ort.Tensor("float32", randomArray(m * k), [m, k]), b: new ort.Tensor("float32", randomArray(k * n), [k, n]) };
  return (2 * m * k * n) / (await timeIt(() => s.run(f), 3)) / 1e9;
};

// ---- decoder ----
const names = qwen2WeightNames(llm);
const w = new WeightStore(new MapWeights(randomWeights(shaped(names))));
const params = names.reduce((s, n) => s + w.shape(n).reduce((a, b) => a * b, 1), 0);
const nonEmbed = params - llm.vocab_size * llm.hidden_size;
const d = llm.hidden_size / llm.num_attention_heads;
const g = new Graph();
const cache = (n: string) => g.input(n, "float32", [1, llm.num_key_value_heads, "P", d]);
const out = qwen2(
  g,
  w,
  llm,
  {
    embeds: g.input("embeds", "float32", ["L", llm.hidden_size]),
    rope: { cos: g.input("cos", "float32", ["L", d / 2]), sin: g.input("sin", "float32", ["L", d / 2]) },
    pastK: names.filter((n) => n.endsWith("q_proj.weight")).map((_, i) => cache(`pk${i}`)),
    pastV: names.filter((n) => n.endsWith("q_proj.weight")).map((_, i) => cache(`pv${i}`)),
  },
  true,
);
g.output("logits", out.logits);
out.presentK.forEach((t, i) => g.output(`k${i}`, t));
out.presentV.forEach((t, i) => g.output(`v${i}`, t));
const tc = Date.now();
const dec = await rt.compile(g);
const compileS = (Date.now() - tc) / 1000;
const feedsFor = (L: number, P: number, past?: Record<string, { data: Float32Array; dims: number[] }>) => {
  const r = ropeTables(
    Array.from({ length: L }, (_, i) => P + i),
    d,
    llm.rope_theta,
  );
  const f: Record<string, { data: Float32Array; dims: number[] }> = {
    embeds: { data: randomArray(L * llm.hidden_size), dims: [L, llm.hidden_size] },
    cos: { data: r.cos, dims: [L, d / 2] },
    sin: { data: r.sin, dims: [L, d / 2] },
  };
  for (let i = 0; i < llm.num_hidden_layers; i++) {
    f[`pk${i}`] = past?.[`k${i}`] ?? { data: new Float32Array(0), dims: [1, llm.num_key_value_heads, 0, d] };
    f[`pv${i}`] = past?.[`v${i}`] ?? { data: new Float32Array(0), dims: [1, llm.num_key_value_heads, 0, d] };
  }
  return f;
};
const prefillFeeds = feedsFor(PREFILL, 0);
const tPrefill = await timeIt(() => dec.run(prefillFeeds), 2);
let past = (await dec.run(prefillFeeds)) as Record<string, { data: Float32Array; dims: number[] }>;
const t0 = process.hrtime.bigint();
for (let s = 0; s < DECODE; s++) past = (await dec.run(feedsFor(1, PREFILL + s, past))) as typeof past;
const tDecode = Number(process.hrtime.bigint() - t0) / 1e9 / DECODE;
const prefillFlop = 2 * nonEmbed * PREFILL + 2 * llm.hidden_size * llm.vocab_size + 2 * llm.num_hidden_layers * PREFILL * PREFILL * llm.hidden_size;
const decodeFlop = 2 * params + 4 * llm.num_hidden_layers * PREFILL * llm.hidden_size;
const rawLlm = await rawGemm(PREFILL, llm.hidden_size, llm.intermediate_size);

// ---- vision tower ----
const vnames = visionWeightNames(vision);
const vw = new WeightStore(new MapWeights(randomWeights(shaped(vnames))));
const vparams = vnames.reduce((s, n) => s + vw.shape(n).reduce((a, b) => a * b, 1), 0);
const vg = new Graph();
vg.output("f", visionTower(vg, vw, vision, vg.input("pixels", "float32", ["T", 3, vision.image_size, vision.image_size])));
const vc = await rt.compile(vg);
const px = { pixels: { data: randomArray(FRAMES * 3 * vision.image_size ** 2), dims: [FRAMES, 3, vision.image_size, vision.image_size] } };
const tVision = await timeIt(() => vc.run(px), 2);
const N = vision.grid_size ** 2;
const visionFlop = FRAMES * (2 * vparams * N + 4 * vision.num_layers_used * N * N * vision.hidden_size);
const rawVision = await rawGemm(FRAMES * N, vision.hidden_size, vision.intermediate_size);

const gf = (flop: number, t: number) => +(flop / t / 1e9).toFixed(1);
console.log(
  JSON.stringify(
    {
      bench: "model",
      shapes: small ? "small (--small)" : "Qwen2-0.5B decoder, SigLIP-so400m tower (random weights)",
      threads: rt.threads,
      peak_gflops: +peak.toFixed(1),
      decoder: {
        params_m: +(params / 1e6).toFixed(1),
        compile_s: compileS,
        prefill_tokens: PREFILL,
        prefill_tokens_per_s: +(PREFILL / tPrefill).toFixed(1),
        prefill_gflops: gf(prefillFlop, tPrefill),
        prefill_vs_peak: +(prefillFlop / tPrefill / 1e9 / peak).toFixed(3),
        raw_matmul_gflops: +rawLlm.toFixed(1),
        prefill_vs_raw_matmul: +(prefillFlop / tPrefill / 1e9 / rawLlm).toFixed(3),
        decode_tokens_per_s: +(1 / tDecode).toFixed(2),
        decode_gflops: gf(decodeFlop, tDecode),
        decode_weight_gb_per_s: +((4 * params) / tDecode / 1e9).toFixed(1),
      },
      vision: {
        params_m: +(vparams / 1e6).toFixed(1),
        frames: FRAMES,
        frames_per_s: +(FRAMES / tVision).toFixed(3),
        gflops: gf(visionFlop, tVision),
        vs_peak: +(visionFlop / tVision / 1e9 / peak).toFixed(3),
        raw_matmul_gflops: +rawVision.toFixed(1),
        vs_raw_matmul: +(visionFlop / tVision / 1e9 / rawVision).toFixed(3),
        hour_of_video_at_1fps_h: +(3600 / (FRAMES / tVision) / 3600).toFixed(2),
      },
      peak_rss_mb: Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20),
    },
    null,
    2,
  ),
);
