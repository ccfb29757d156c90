// The video path, stage by stage, in one run (prints one JSON object):
//  - decode + preprocess frames/s for a generated 10-minute 720p clip at the official 1-fps sampling;
//  - end-to-end ask on a cached 10-minute memory with a Qwen2-0.5B-shaped decoder and a matching MemAug
//    (random weights), with the MemAug / prefill / generation breakdown;
//  - memory-repository bytes per hour of video for H = 896 (0.5B), 2048 (3B) and 3584 (7B).
// The SigLIP-so400m encode rate is in bench/model/run.ts.  Usage: node --import tsx bench/video/run.ts [--minutes 10]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateClip } from "./clip.ts";
import { planFrames, preprocessedFrames } from "../../src/video/video-frames.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { HourLlava } from "../../src/model/arch/hourllava.ts";
import { weightShapes } from "../../src/model/load/init.ts";
import { MapWeights, WeightStore } from "../../src/model/arch/weights.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { TOKENS_PER_FRAME } from "../../src/model/arch/projector.ts";
import { randomArray } from "../peak.ts";
import { QWEN2_0_5B, randomWeights } from "../shapes.ts";

const arg = (k: string, d: number) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const minutes = arg("minutes", 10);
const seconds = minutes * 60;
const dir = mkdtempSync(join(tmpdir(), "hl-bench-video-"));
try {
  // ---- decode + preprocess ----
  const clip = join(dir, "clip.mp4");
  const generateS = generateClip(clip, "1280x720", 5, seconds);
  const t0 = performance.now();
  const plan = await planFrames(clip);
  const t1 = performance.now();
  let n = 0;
  for await (const _f of preprocessedFrames(clip, plan, { size: 384 })) n++;
  const t2 = performance.now();

  // ---- end-to-end ask on a cached memory ----
  const H = QWEN2_0_5B.hidden_size;
  const config = parseHourLlavaConfig(
    {
      ...QWEN2_0_5B,
      model_type: "hour_llava_qwen",
      mm_vision_tower: "bench",
      mm_projector_type: "mlp2x_gelu",
      mm_resampler_type: "memaug",
      memaug_depth: 4,
      // The memory is cached, so the tower never runs; a small one keeps weight allocation down.
      vision_config: {
        hidden_size: 64,
        intermediate_size: 128,
        num_hidden_layers: 2,
        num_attention_heads: 4,
        patch_size: 14,
        image_size: 112,
        layer_norm_eps: 1e-6,
      },
    },
    "bench",
  );
  const weights = randomWeights(weightShapes(config));
  const model = new HourLlava(config, new WeightStore(new MapWeights(weights)), new Runtime());
  const T = plan.sample.indices.length;
  const memory = model.buildMemory(randomArray(T * TOKENS_PER_FRAME * H), T);
  const ids = [...Array.from({ length: 40 }, (_, i) => 100 + i), -200, ...Array.from({ length: 30 }, (_, i) => 200 + i)];
  const plan2 = model.plan(memory, ids);
  // Warm-up: compile the MemAug and decoder sessions (reported separately) before timing.
  const w0 = performance.now();
  const warm = await model.memAug(memory, plan2);
  for await (const _t of model.generate(model.llmInput(plan2, warm), { maxNewTokens: 2 })) break;
  const compileS = (performance.now() - w0) / 1000;
  const a0 = performance.now();
  const aug = await model.memAug(memory, plan2);
  const a1 = performance.now();
  const embeds = model.llmInput(plan2, aug);
  let first = 0;
  let tokens = 0;
  for await (const _t of model.generate(embeds, { maxNewTokens: 16 })) {
    if (!first) first = performance.now();
    tokens++;
  }
  const a2 = performance.now();
  const bytesPerHour = (h: number) => 3600 * TOKENS_PER_FRAME * h * 4;
  console.log(
    JSON.stringify(
      {
        bench: "video",
        clip: { minutes, size: "1280x720", generate_s: generateS },
        decode_preprocess: {
          frames: n,
          probe_plan_s: +((t1 - t0) / 1000).toFixed(2),
          seconds: +((t2 - t1) / 1000).toFixed(2),
          frames_per_s: +(n / ((t2 - t1) / 1000)).toFixed(1),
        },
        ask_cached_memory: {
          decoder: "Qwen2-0.5B-shaped, MemAug depth 4 (random weights)",
          memory_rows: memory.frames * 65,
          memaug_queries: plan2.qPos.length,
          llm_tokens: embeds.length / H,
          memaug_s: +((a1 - a0) / 1000).toFixed(2),
          prefill_s: +((first - a1) / 1000).toFixed(2),
          generate_16_tokens_s: +((a2 - first) / 1000).toFixed(2),
          total_s: +((a2 - a0) / 1000).toFixed(2),
          first_call_with_compile_s: +compileS.toFixed(2),
        },
        memory_bytes_per_hour: { h896_f32: bytesPerHour(896), h2048_f32: bytesPerHour(2048), h3584_f32: bytesPerHour(3584) },
        peak_rss_mb: Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20),
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
