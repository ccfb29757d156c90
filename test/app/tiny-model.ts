// A tiny random Hour-LLaVA folder with a real tokenizer.json, for app and CLI tests.
import { writeCheckpoint } from "../../src/io/checkpoint.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { qwen2TokenizerConfig, trainByteLevelBpe } from "../../src/io/bpe-trainer.ts";
import { renderConversation } from "../../src/io/chat-template.ts";
import { initWeights } from "../../src/model/init.ts";

export const TEST_CONFIG = {
  model_type: "hour_llava_qwen",
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 1,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  vocab_size: 400,
  tie_word_embeddings: true,
  mm_vision_tower: "test-tower",
  mm_projector_type: "mlp2x_gelu",
  mm_resampler_type: "memaug",
  memaug_depth: 1,
  tokenizer_model_max_length: 2048,
  vision_config: { hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2, patch_size: 2, image_size: 16, layer_norm_eps: 1e-6 },
};

export function writeTinyModel(dir: string, overrides: Record<string, unknown> = {}, mutate?: (w: Map<string, { data: Float32Array; shape: number[] }>) => void): void {
  const json = { ...TEST_CONFIG, ...overrides };
  const config = parseHourLlavaConfig(json, "test");
  const w = initWeights(config, 5);
  mutate?.(w);
  const tok = trainByteLevelBpe([renderConversation([{ role: "user", content: "what colour is the circle?" }], { video: { duration: 12.5, nFrames: 12 }, addGenerationPrompt: true }), "red blue green 0123456789"], { vocabSize: 400 });
  const tensors = Object.fromEntries([...w].map(([n, t]) => [n, { dtype: "F32" as const, shape: t.shape, data: t.data }]));
  writeCheckpoint(dir, json, tensors, tok, { tokenizerConfig: qwen2TokenizerConfig(tok) });
}
