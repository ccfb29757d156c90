// A tiny random Hour-LLaVA folder with a real tokenizer.json, for app and CLI tests.
import { writeCheckpoint } from "../../src/io/checkpoint.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { qwen2TokenizerConfig, trainByteLevelBpe } from "../../src/io/bpe-trainer.ts";
import { renderConversation } from "../../src/io/chat-template.ts";
import { initWeights } from "../../src/model/init.ts";
import { microConfig } from "../helpers/micro-config.ts";

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
