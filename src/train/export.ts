// `hourllava train --config C --export DIR`: a training run written out for tools/train_torch (PyTorch, e.g. on
// a GPU machine without Node): the starting checkpoint in the trainer's own layout, every micro-step's sample
// plan (the integer feeds and positions prepareSample computes, forgetting included) and each distinct video's
// frames as uint8. The PyTorch trainer writes checkpoints in the same layout with the same config hash, so
// `hourllava train` resumes its runs and the model loader opens them.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip, gzipSync } from "node:zlib";
import { writeSafetensors } from "../io/safetensors.ts";
import { SIGLIP_NORMALIZE_LUT } from "../video/preprocess.ts";
import { createProgress } from "../util/progress.ts";
import { ADAMW_DEFAULTS } from "./adamw.ts";
import { saveTrainingCheckpoint } from "./checkpoint.ts";
import type { TrainConfig } from "./config.ts";
import { planSample } from "./sample.ts";
import { microStep, setupRun } from "./trainer.ts";
import type { SampleSource } from "./synth-source.ts";

export const EXPORT_FORMAT = "hourllava-train-export/1";

export interface ExportManifest {
  format: typeof EXPORT_FORMAT;
  /** The run's config hash: checkpoints written with it are resumed by `hourllava train` on the same config. */
  configHash: string;
  seed: number;
  /** Steps start … end − 1 are exported (start: the checkpoint's step). */
  start: number;
  end: number;
  /** The schedule's length (cfg.steps), which the cosine decay spans. */
  totalSteps: number;
  gradAccum: number;
  warmupRatio: number;
  weightDecay: number;
  maxGradNorm: number;
  adam: { beta1: number; beta2: number; eps: number };
  saveEvery: number;
  logEvery: number;
  /** Trained tensors in gradient order, with their learning rates (before the schedule). */
  trained: [string, number][];
  checkpoint: string;
  pixels: string;
  steps: string;
  /** sha256 of the uncompressed pixels and step lines: the parity fixture names the export it was made on. */
  contentSha256: string;
}

/** The uint8 value behind each normalised pixel (the normalisation table is one-to-one). */
const U8_OF = new Map<number, number>(Array.from(SIGLIP_NORMALIZE_LUT, (x, u) => [x, u]));

export function pixelsToU8(pixels: Float32Array): Uint8Array {
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const u = U8_OF.get(pixels[i]);
    if (u === undefined) throw new Error(`export: pixel ${i} (${pixels[i]}) is not a normalised uint8 value`);
    out[i] = u;
  }
  return out;
}

export interface ExportOptions {
  source?: SampleSource;
  /** Export only this many steps from the start (default: to cfg.steps). */
  steps?: number;
  quiet?: boolean;
  log?: (line: string) => void;
}

export async function exportRun(cfg: TrainConfig, dir: string, opts: ExportOptions = {}): Promise<ExportManifest> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + "\n"));
  const run = setupRun(cfg, { source: opts.source, log });
  const { config, source, tokenizer, start } = run;
  const end = Math.min(cfg.steps, opts.steps !== undefined ? start + opts.steps : cfg.steps);
  if (end <= start) throw new Error(`export: nothing to export (the run in ${cfg.out} is at step ${start} of ${cfg.steps})`);
  mkdirSync(dir, { recursive: true });
  const checkpoint = saveTrainingCheckpoint(dir, run.modelJson, run.weights, { json: run.tokJson, config: run.tokConfig }, run.optimizer, {
    step: start,
    seed: cfg.seed,
    configHash: run.configHash,
  });

  const v = config.vision;
  const frames = new Map<string, { data: Uint8Array; shape: number[] }>();
  const keyOfIndex = new Map<number, string>();
  const lines: string[] = [];
  const sha = createHash("sha256");
  const progress = createProgress({ label: "export", total: (end - start) * cfg.gradAccum, unit: "samples", quiet: opts.quiet });
  for (let step = start; step < end; step++)
    for (let j = 0; j < cfg.gradAccum; j++) {
      const k = step * cfg.gradAccum + j;
      const { index, seed } = microStep(cfg, source.size, k);
      const sample = source.get(index);
      let key = keyOfIndex.get(index);
      if (!key) {
        const u8 = pixelsToU8(sample.pixels);
        key = createHash("sha256").update(u8).digest("hex").slice(0, 16);
        if (!frames.has(key)) frames.set(key, { data: u8, shape: [sample.frames, v.num_channels, v.image_size, v.image_size] });
        keyOfIndex.set(index, key);
      }
      const line = JSON.stringify({ step, micro: j, pixels: key, ...planSample(config, tokenizer, sample, cfg.spatialSampling, seed, cfg.supervise) });
      sha.update(line + "\n");
      lines.push(line);
      progress.tick(1);
    }
  progress.done();
  for (const key of [...frames.keys()].sort()) sha.update(key).update(frames.get(key)!.data);

  const rawPixels = join(dir, "pixels.safetensors.tmp");
  writeSafetensors(rawPixels, Object.fromEntries([...frames].map(([k, f]) => [k, { dtype: "U8" as const, shape: f.shape, data: f.data }])));
  await pipeline(createReadStream(rawPixels), createGzip(), createWriteStream(join(dir, "pixels.safetensors.gz")));
  rmSync(rawPixels);
  writeFileSync(join(dir, "steps.jsonl.gz"), gzipSync(lines.join("\n") + "\n"));

  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    configHash: run.configHash,
    seed: cfg.seed,
    start,
    end,
    totalSteps: cfg.steps,
    gradAccum: cfg.gradAccum,
    warmupRatio: cfg.warmupRatio,
    weightDecay: cfg.weightDecay,
    maxGradNorm: cfg.maxGradNorm,
    adam: ADAMW_DEFAULTS,
    saveEvery: cfg.saveEvery,
    logEvery: cfg.logEvery,
    trained: run.trained.map((n) => [n, run.lrOf(n)]),
    checkpoint: checkpoint.split(/[\\/]/).pop()!,
    pixels: "pixels.safetensors.gz",
    steps: "steps.jsonl.gz",
    contentSha256: sha.digest("hex"),
  };
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  log(`exported steps ${start}–${end} (${lines.length} samples, ${frames.size} videos) to ${dir}`);
  return manifest;
}
