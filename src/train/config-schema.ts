// The training config's shape (zod schema and types), apart from reading it (config.ts) and applying its stage
// (stage-config.ts), which both need these types.
import { z } from "zod";
import { PARTS } from "./parts.ts";
import { DRILL_KINDS } from "./drill-sets.ts";
import type { Part } from "./parts.ts";
import type { SynthKind } from "./stages.ts";

const partRecord = <T extends z.ZodType>(t: T) => z.partialRecord(z.enum(PARTS), t);

export const trainConfigSchema = z.object({
  /** Start from a model folder (or a training run's folder: its latest checkpoint), or initialise a fresh model. */
  model: z.union([z.object({ from: z.string() }), z.object({ init: z.record(z.string(), z.unknown()), seed: z.int().default(0) })]),
  /** Tokenizer: from a folder's tokenizer.json, or trained (byte-level BPE) on the training text. */
  tokenizer: z.union([z.object({ from: z.string() }), z.object({ train: z.object({ vocabSize: z.int().min(260) }) })]).optional(),
  /** The official stage this run is (stages.ts); unset: a free-form run, stage-3 defaults. */
  stage: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  data: z.object({
    synth: z.object({
      /** frame: one frame per sample with questions about what it shows (stage 1's images); clip: short
       * videos with simple questions (stage 2); video: long videos with the 22 tasks (stage 3). */
      kind: z.enum(["frame", "clip", "video"]).optional(),
      seed: z.int(),
      worlds: z.int().positive(),
      /** World lengths; defaults by kind (clip 10–30 s, otherwise 60–180 s). */
      minDurationS: z.int().positive().optional(),
      maxDurationS: z.int().positive().optional(),
      perTask: z.int().positive().default(2),
      /** Restrict the questions to these tasks (taxonomy names); clip defaults to the simple ones. */
      tasks: z.array(z.string()).min(1).optional(),
      /** kind frame: frames taken from each world. */
      framesPerWorld: z.int().positive().default(4),
      /** QA turns per sample (one conversation about one video or frame); the video tokens cost the same for 1 or 16. */
      qaPerSample: z.int().min(1).max(64).default(5),
      /** Worlds are rendered at this size, then resized to the model's image size as video frames are. */
      renderSize: z.int().positive().default(64),
      formats: z.array(z.enum(["open", "mc"])).default(["open", "mc"]),
      /** Keep a question's open-ended and multiple-choice forms in different records (synth/dataset.ts
       * groupQuestions): together, the second is answerable from the first without looking. Left out of the
       * config hash while unset, so older runs resume with their old grouping. */
      twinsApart: z.boolean().optional(),
      /** kinds clip and video: this share of the samples are single frames of the same worlds with the frame
       * questions (kind frame's data, framesPerWorld per world), shuffled in with the videos so that reading
       * frames is not forgotten while the video tasks are learned. */
      frameShare: z.number().min(0).max(0.9).default(0),
      /** Text drills (train/drill-source.ts) appended to every sample's conversation, to keep the language stage's
       * multiple-choice skill trained through the video stages; 0 = none. */
      drillsPerSample: z.int().min(0).max(16).default(0),
      /** Which drill kinds (train/drill-sets.ts) those are drawn from, evenly (default mc, four, two, mc; left out
       * of the config hash while unset, so older runs resume). */
      drillKinds: z.array(z.enum(DRILL_KINDS)).min(1).optional(),
    }),
  }),
  tunable: z.array(z.enum(PARTS)).min(1).optional(),
  lr: partRecord(z.number().nonnegative()).default({}),
  baseLr: z.number().positive().optional(),
  /** Multiplies every learning rate (the official ones suit pretrained billion-parameter models, not a tiny
   * model trained from scratch); the per-part ratios stay the recipe's. */
  lrScale: z.number().positive().default(1),
  steps: z.int().positive(),
  gradAccum: z.int().positive().default(1),
  warmupRatio: z.number().min(0).max(1).default(0.03),
  weightDecay: z.number().min(0).default(0),
  maxGradNorm: z.number().min(0).default(1),
  spatialSampling: z.enum(["random", "uniform"]).default("random"),
  checkpointing: z.boolean().default(false),
  /** Which tokens the loss covers: "official" (preprocess_qwen's masking: answers, assistant headers and every
   * template "\n", <|im_start|>, <|im_end|>) or "answers" (each answer and its <|im_end|> only). */
  supervise: z.enum(["official", "answers"]).default("official"),
  saveEvery: z.int().positive().default(100),
  logEvery: z.int().positive().default(10),
  /** Every this many steps (0: never), score held-out samples of the run's kind: loss and exact answers
   * (train/held-out.ts), logged to metrics.jsonl as eval_loss and eval_answer_acc. */
  evalEvery: z.int().min(0).default(0),
  evalSamples: z.int().positive().default(16),
  seed: z.int().default(0),
  threads: z.int().positive().optional(),
  out: z.string(),
});

export type RawTrainConfig = z.output<typeof trainConfigSchema>;
type RawSynth = RawTrainConfig["data"]["synth"];

/** A parsed config with the stage applied: every learning rate final (lrScale included). */
export type TrainConfig = Omit<RawTrainConfig, "tunable" | "baseLr" | "data"> & {
  tunable: Part[];
  baseLr: number;
  data: { synth: Omit<RawSynth, "kind" | "minDurationS" | "maxDurationS"> & { kind: SynthKind; minDurationS: number; maxDurationS: number } };
};
