// Settings of the synthesis pipeline: the OpenAI-compatible endpoint, one model per stage (a
// vision-capable captioner for clips, a text summarizer for events, the global caption and QA, as the
// paper pairs Qwen2-VL-7B with DeepSeek-V3), clip windows, and retry limits.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { formatZodError } from "../../util/zod-error.ts";

const stageSchema = z.strictObject({
  model: z.string().min(1),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().positive().optional(),
});

export const synthConfigSchema = z.strictObject({
  /** e.g. "http://127.0.0.1:8000/v1". */
  baseURL: z.url(),
  /** Sent as the bearer token; when absent, the environment variable named by `apiKeyEnv` is read. */
  apiKey: z.string().optional(),
  apiKeyEnv: z.string().default("OPENAI_API_KEY"),
  captioner: stageSchema,
  summarizer: stageSchema,
  /** Clip length and stride in seconds (the paper's clip prompt speaks of 30-second clips). */
  clipSeconds: z.number().positive().default(30),
  clipStrideSeconds: z.number().positive().optional(),
  framesPerClip: z.number().int().min(1).max(64).default(8),
  /** The paper keeps only videos with at least three events; fewer → the video is skipped (no QA). */
  minEvents: z.number().int().min(1).default(3),
  /** LLM calls in flight at once for one video. */
  parallelCalls: z.number().int().min(1).max(64).default(4),
  /** Tries per LLM step when the reply fails validation (the error is sent back each time). */
  maxValidationAttempts: z.number().int().min(1).max(20).default(3),
  network: z
    .strictObject({
      maxRetries: z.number().int().min(0).max(20).default(6),
      baseDelayMs: z.number().min(0).default(500),
      maxDelayMs: z.number().min(0).default(30_000),
      timeoutMs: z.number().int().positive().default(300_000),
    })
    .prefault({}),
});

export type SynthConfigInput = z.input<typeof synthConfigSchema>;
export type SynthConfig = z.output<typeof synthConfigSchema>;
export type Stage = "captioner" | "summarizer";

export function parseSynthConfig(value: unknown, where = "synthesis config"): SynthConfig {
  const r = synthConfigSchema.safeParse(value);
  if (!r.success) throw new Error(formatZodError(where, r.error));
  return r.data;
}

export function loadSynthConfig(file: string): SynthConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: cannot read synthesis config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseSynthConfig(value, file);
}

export function resolveApiKey(c: SynthConfig): string {
  // Local OpenAI-compatible servers usually ignore the key, but the client insists on one.
  return c.apiKey ?? process.env[c.apiKeyEnv] ?? "none";
}
