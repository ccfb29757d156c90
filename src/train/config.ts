// `hourllava train --config FILE`: what to train, on what, how.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { PARTS } from "./parts.ts";

const partRecord = <T extends z.ZodType>(t: T) => z.partialRecord(z.enum(PARTS), t);

export const trainConfigSchema = z.object({
  /** Start from a model folder, or initialise a fresh model from a config.json object. */
  model: z.union([z.object({ from: z.string() }), z.object({ init: z.record(z.string(), z.unknown()), seed: z.int().default(0) })]),
  /** Tokenizer: from a folder's tokenizer.json, or trained (byte-level BPE) on the training text. */
  tokenizer: z.union([z.object({ from: z.string() }), z.object({ train: z.object({ vocabSize: z.int().min(260) }) })]).optional(),
  data: z.object({
    synth: z.object({
      seed: z.int(),
      worlds: z.int().positive(),
      minDurationS: z.int().positive().default(60),
      maxDurationS: z.int().positive().default(180),
      perTask: z.int().positive().default(2),
      /** Worlds are rendered at this size, then resized to the model's image size as video frames are. */
      renderSize: z.int().positive().default(64),
      formats: z.array(z.enum(["open", "mc"])).default(["open", "mc"]),
    }),
  }),
  tunable: z.array(z.enum(PARTS)).min(1).default(["mm_projector", "vision_resampler", "language_model"]),
  lr: partRecord(z.number().nonnegative()).default({}),
  baseLr: z.number().positive().default(2e-5),
  steps: z.int().positive(),
  gradAccum: z.int().positive().default(1),
  warmupRatio: z.number().min(0).max(1).default(0.03),
  weightDecay: z.number().min(0).default(0),
  maxGradNorm: z.number().min(0).default(1),
  spatialSampling: z.enum(["random", "uniform"]).default("random"),
  checkpointing: z.boolean().default(false),
  saveEvery: z.int().positive().default(100),
  logEvery: z.int().positive().default(10),
  seed: z.int().default(0),
  threads: z.int().positive().optional(),
  out: z.string(),
});

export type TrainConfig = z.output<typeof trainConfigSchema>;

export function parseTrainConfig(json: unknown, source: string): TrainConfig {
  const r = trainConfigSchema.safeParse(json);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new Error(`${source}: ${msg}`);
  }
  return r.data;
}

export function readTrainConfig(path: string): TrainConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: cannot read the training config: ${(e as Error).message.split("\n")[0]}`);
  }
  return parseTrainConfig(json, path);
}
