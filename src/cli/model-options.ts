// The options every model-loading command shares (ask, chat, encode, serve, eval, features, worker) and the app
// they open: one place, so an option means the same in each.
import type { Command } from "commander";
import { HourLlavaApp } from "../app/app.ts";
import type { AppOptions } from "../app/app.ts";
import type { Device } from "../graph/runtime.ts";
import { parseQuantScheme } from "../model/load/quant-plan.ts";
import type { QuantScheme } from "../model/load/quant-plan.ts";
import type { CacheDtype } from "../cache/cache.ts";
import type { SpatialSampling } from "../model/arch/forgetting.ts";
import type { SamplingStrategy } from "../video/video-frames.ts";
import { choiceOption, intOption, numOption } from "./options.ts";

export interface CommonOpts {
  model?: string;
  device?: Device | "auto";
  threads?: number;
  cache?: boolean;
  cacheDir?: string;
  quiet?: boolean;
  quant?: QuantScheme;
  computeDtype?: "f32" | "f16";
  lockTimeout?: number;
  fps?: number | "auto";
  maxFrames?: number;
  cacheDtype?: CacheDtype;
  json?: boolean;
  verbose?: boolean;
  strictMedia?: boolean;
  sampling?: SamplingStrategy;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  spatial?: SpatialSampling;
}

export function withModelOptions(c: Command): Command {
  return c
    .option("--model <dir>", "model folder (config.json, *.safetensors, tokenizer.json); default: the embedded tiny model")
    .option(
      "--device <name>",
      "cpu | webgpu | cuda | auto (CUDA, then WebGPU, then CPU); WebGPU without a GPU: HOURLLAVA_VK_ICD=swiftshader",
      choiceOption("device", ["cpu", "webgpu", "cuda", "auto"]),
      "cpu",
    )
    .option("--threads <n>", "intra-op threads (default: all cores)", intOption("threads", 1))
    .option(
      "--sampling <rule>",
      "frames: one-fps-min (feature-extraction rule) | streaming (raw-video loader: every round(fps)-th) | prefix (every round(fps)-th even under 128 s: what --live holds)",
      choiceOption("sampling", ["one-fps-min", "streaming", "prefix"]),
      "one-fps-min",
    )
    .option("--fps <rate>", "frames per second of video to keep (official: 1, at least 128 frames); with --live, auto: what this machine encodes", fpsOption)
    .option("--max-frames <n>", "at most this many frames, spread over the whole video (official: no cap)", intOption("max-frames", 1))
    .option("--no-cache", "do not read or write the memory cache")
    .option("--cache-dtype <dtype>", "precision of cached video tokens: f16 (half the disk) | f32 (exact)", choiceOption("cache-dtype", ["f16", "f32"]), "f16")
    .option("--cache-dir <dir>", "memory cache folder (default $HOURLLAVA_CACHE or ~/.cache/hourllava)")
    .option("--quiet", "no progress bar")
    .option("--strict-media", "refuse a truncated video (its header promises more than decodes) instead of warning")
    .option("--quant <scheme>", "quantize a float model while loading: q8 | q4 | f32 (a quantized folder loads as it is)", parseQuantScheme)
    .option(
      "--compute-dtype <dtype>",
      "float type of the graphs: f32 | f16 (for GPU providers; slower on CPU)",
      choiceOption("compute-dtype", ["f32", "f16"]),
      "f32",
    )
    .option("--lock-timeout <seconds>", "longest wait for another process encoding the same video (default 24 h)", numOption("lock-timeout", { min: 0 }));
}

const fpsNumber = numOption("fps", { min: 0, exclusiveMin: true });
function fpsOption(v: string): number | "auto" {
  return v.trim() === "auto" ? "auto" : fpsNumber(v);
}

export async function open(o: CommonOpts, batch?: number): Promise<HourLlavaApp> {
  if (o.fps === "auto") throw new Error("--fps auto is for --live sources (the rate a stream can be recorded at); give a file a number");
  const opts: AppOptions = {
    device: o.device,
    threads: o.threads,
    cacheDir: o.cacheDir,
    noCache: o.cache === false,
    quiet: o.quiet || o.json,
    batch,
    sampling: o.sampling,
    quant: o.quant,
    computeDtype: o.computeDtype === "f16" ? "float16" : "float32",
    lockTimeoutS: o.lockTimeout,
    strictMedia: o.strictMedia,
    cacheDtype: o.cacheDtype,
    rate: { ...(o.fps !== undefined ? { rate: o.fps } : {}), ...(o.maxFrames !== undefined ? { maxFrames: o.maxFrames } : {}) },
  };
  return HourLlavaApp.load(o.model, opts);
}
