// config.json of the official Hour-LLaVA checkpoints (jylins/hourllava-qwen25-3b-s3, -qwen2-7b-s3): the fields our
// loader reads, with the published Qwen2.5-3B / Qwen2-7B and SigLIP-so400m shapes.
export const OFFICIAL_CONFIGS: Record<"3b" | "7b", Record<string, unknown>> = {
  "3b": {
    hidden_size: 2048,
    intermediate_size: 11008,
    num_hidden_layers: 36,
    num_attention_heads: 16,
    num_key_value_heads: 2,
    vocab_size: 151936,
    rope_theta: 1000000,
    tie_word_embeddings: true,
  },
  "7b": {
    hidden_size: 3584,
    intermediate_size: 18944,
    num_hidden_layers: 28,
    num_attention_heads: 28,
    num_key_value_heads: 4,
    vocab_size: 152064,
    rope_theta: 1000000,
    tie_word_embeddings: false,
  },
};

export function officialConfig(size: "3b" | "7b"): Record<string, unknown> {
  return {
    architectures: ["HourLlavaQwenForCausalLM"],
    model_type: "hour_llava_qwen",
    ...OFFICIAL_CONFIGS[size],
    rms_norm_eps: 1e-6,
    max_position_embeddings: 32768,
    bos_token_id: 151643,
    eos_token_id: 151645,
    torch_dtype: "bfloat16",
    mm_vision_tower: "google/siglip-so400m-patch14-384",
    mm_projector_type: "mlp2x_gelu",
    mm_resampler_type: "memaug",
    memaug_depth: 4,
    mm_hidden_size: 1152,
    spatial_sampling_type: "random",
    mm_newline_position: "grid",
    mm_patch_merge_type: "spatial_unpad",
    mm_spatial_pool_mode: "bilinear",
    mm_vision_select_layer: -2,
  };
}
