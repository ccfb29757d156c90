// A tiny random Hour-LLaVA folder with a real tokenizer.json, for app and CLI tests.
import { writeCheckpoint } from "../../src/io/checkpoint.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { qwen2TokenizerConfig, trainByteLevelBpe } from "../../src/io/bpe-trainer.ts";
import { renderConversation } from "../../src/io/chat-template.ts";
import { initWeights } from "../../src/model/load/init.ts";
import { microConfig } from "../helpers/micro-config.ts";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { after, before } from "node:test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ffmpeg } from "../video/clips.ts";

export const TEST_CONFIG = microConfig({ tokenizer_model_max_length: 2048 });

export function writeTinyModel(
  dir: string,
  overrides: Record<string, unknown> = {},
  mutate?: (w: Map<string, { data: Float32Array; shape: number[] }>) => void,
): void {
  const json = { ...TEST_CONFIG, ...overrides };
  const config = parseHourLlavaConfig(json, "test");
  const w = initWeights(config, 5);
  mutate?.(w);
  const tok = trainByteLevelBpe(
    [
      renderConversation([{ role: "user", content: "what colour is the circle?" }], { video: { duration: 12.5, nFrames: 12 }, addGenerationPrompt: true }),
      "red blue green 0123456789",
    ],
    { vocabSize: 400 },
  );
  const tensors = Object.fromEntries([...w].map(([n, t]) => [n, { dtype: "F32" as const, shape: t.shape, data: t.data }]));
  writeCheckpoint(dir, json, tensors, tok, { tokenizerConfig: qwen2TokenizerConfig(tok) });
}

/** A temp folder with a tiny model in `model/` and a 4-second 32x32 clip `v.mp4`, for binary-level tests. */
export function tinyModelAndClip(prefix: string): { dir: string; model: string; video: string; hl: (args: string[], input?: string) => Ran } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const model = join(dir, "model");
  writeTinyModel(model);
  const video = join(dir, "v.mp4");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=32x32:rate=1:duration=4", "-pix_fmt", "yuv420p", video]);
  return { dir, model, video, hl: runBinary };
}

/** tinyModelAndClip made before the file's tests and removed after them. */
export function useTinyModelAndClip(prefix: string): { dir: string; model: string; video: string } {
  const fx = { dir: "", model: "", video: "" };
  before(() => Object.assign(fx, tinyModelAndClip(prefix)));
  after(() => rmSync(fx.dir, { recursive: true, force: true }));
  return fx;
}

export interface Ran {
  code: number | null;
  out: string;
  err: string;
}

/** Runs bin/hourllava.js with the given arguments (and stdin text). */
export function runBinary(args: string[], input?: string): Ran {
  const r = spawnSync(process.execPath, ["bin/hourllava.js", ...args], { encoding: "utf8", input });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
