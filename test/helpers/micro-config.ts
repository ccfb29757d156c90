// The smallest Hour-LLaVA config the architecture allows (an 8×8 patch grid), shared by tests that need a
// real model folder or a trainable model; override fields per test.
export const MICRO_CONFIG = {
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
  mm_vision_tower: "micro-tower",
  mm_projector_type: "mlp2x_gelu",
  mm_resampler_type: "memaug",
  memaug_depth: 1,
  vision_config: { hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2, patch_size: 2, image_size: 16, layer_norm_eps: 1e-6 },
};

export function microConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...MICRO_CONFIG, ...overrides };
}
