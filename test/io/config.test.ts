import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHourLlavaConfig } from "../../src/io/config.ts";

/** The fields an official Hour-LLaVA-3B config.json carries (Qwen2.5-3B-Instruct + notes §5.10). */
function official3b(): Record<string, unknown> {
  return {
    architectures: ["HourLlavaQwenForCausalLM"],
    model_type: "hour_llava_qwen",
    hidden_size: 2048,
    intermediate_size: 11008,
    num_hidden_layers: 36,
    num_attention_heads: 16,
    num_key_value_heads: 2,
    vocab_size: 151936,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000.0,
    max_position_embeddings: 32768,
    tie_word_embeddings: true,
    hidden_act: "silu",
    bos_token_id: 151643,
    eos_token_id: 151645,
    torch_dtype: "bfloat16",
    use_sliding_window: false,
    mm_vision_tower: "google/siglip-so400m-patch14-384",
    mm_projector_type: "mlp2x_gelu",
    mm_resampler_type: "memaug",
    memaug_depth: 4,
    spatial_sampling_type: "random",
    mm_patch_merge_type: "spatial_unpad",
    mm_newline_position: "grid",
    mm_spatial_pool_mode: "bilinear",
    mm_spatial_pool_stride: null,
    mm_vision_select_layer: -2,
    mm_vision_select_feature: "patch",
    mm_hidden_size: 1152,
    image_aspect_ratio: "anyres_max_9",
    image_grid_pinpoints: [
      [384, 384],
      [384, 768],
    ],
    tokenizer_model_max_length: 32768,
    tokenizer_padding_side: "right",
    mm_tunable_parts: "mm_mlp_adapter,mm_vision_resampler,mm_language_model",
  };
}

function tiny(): Record<string, unknown> {
  return {
    model_type: "hour_llava_qwen",
    hidden_size: 64,
    intermediate_size: 128,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    vocab_size: 300,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    mm_vision_tower: "hourllava/tiny-siglip",
    mm_projector_type: "mlp2x_gelu",
    mm_resampler_type: "memaug",
    vision_config: {
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 3,
      num_attention_heads: 2,
      patch_size: 8,
      image_size: 64,
      layer_norm_eps: 1e-6,
    },
  };
}

test("official 3B config: the so400m tower is derived from its name, unknown fields are kept", () => {
  const c = parseHourLlavaConfig(official3b(), "config.json");
  assert.equal(c.headDim, 128);
  assert.equal(c.num_key_value_heads, 2);
  assert.equal(c.tie_word_embeddings, true);
  assert.equal(c.rope_theta, 1e6);
  assert.deepEqual(c.vision, {
    name: "google/siglip-so400m-patch14-384",
    hidden_size: 1152,
    intermediate_size: 4304,
    num_hidden_layers: 27,
    num_layers_used: 26,
    num_attention_heads: 16,
    head_dim: 72,
    patch_size: 14,
    image_size: 384,
    grid_size: 27,
    num_patches: 729,
    layer_norm_eps: 1e-6,
    num_channels: 3,
    hidden_act: "gelu_pytorch_tanh",
  });
  assert.equal(c.mm_tunable_parts, "mm_mlp_adapter,mm_vision_resampler,mm_language_model");
  assert.equal(c.torch_dtype, "bfloat16");
  // a local path to the same tower is recognised by its last component
  const local = parseHourLlavaConfig({ ...official3b(), mm_vision_tower: "/models/siglip-so400m-patch14-384/" }, "c");
  assert.equal(local.vision.hidden_size, 1152);
});

test("tiny config: explicit vision_config, defaults filled in", () => {
  const c = parseHourLlavaConfig(tiny(), "tiny/config.json");
  assert.equal(c.headDim, 16);
  assert.equal(c.vision.num_layers_used, 2);
  assert.equal(c.vision.grid_size, 8);
  assert.equal(c.vision.num_patches, 64);
  assert.equal(c.vision.head_dim, 16);
  assert.equal(c.vision.num_channels, 3);
  assert.equal(c.memaug_depth, 4);
  assert.equal(c.spatial_sampling_type, "random");
  assert.equal(c.mm_spatial_pool_mode, "bilinear");
  assert.equal(c.tokenizer_model_max_length, 32768);
  assert.equal(c.tie_word_embeddings, false);
  assert.equal(c.hidden_act, "silu");
  assert.equal(c.max_position_embeddings, 32768);
  assert.equal(c.eos_token_id, null);
});

test("errors name the field and the value", () => {
  const bad = (patch: Record<string, unknown>, re: RegExp) => assert.throws(() => parseHourLlavaConfig({ ...official3b(), ...patch }, "m/config.json"), re);
  bad({ hidden_size: "2048" }, /^Error: m\/config\.json: field "hidden_size" must be an integer, got "2048"$/);
  bad({ hidden_size: 2048.5 }, /field "hidden_size" must be an integer, got 2048\.5/);
  bad({ num_hidden_layers: 0 }, /field "num_hidden_layers" must be > 0, got 0/);
  bad({ spatial_sampling_type: "topk" }, /field "spatial_sampling_type" must be one of "random", "uniform", got "topk"/);
  bad({ mm_projector_type: "linear" }, /field "mm_projector_type" must be "mlp2x_gelu", got "linear"/);
  bad({ model_type: "qwen2" }, /field "model_type" must be "hour_llava_qwen", got "qwen2"/);
  bad({ hidden_act: "gelu" }, /field "hidden_act" must be "silu", got "gelu"/);
  bad({ tie_word_embeddings: "yes" }, /field "tie_word_embeddings" must be true or false, got "yes"/);
  bad({ image_grid_pinpoints: [[384]] }, /field "image_grid_pinpoints" has the wrong form, got \[\[384\]\]/);
  bad({ mm_hidden_size: 1024 }, /field "mm_hidden_size" 1024 does not match the vision tower's hidden_size 1152/);
  bad({ num_key_value_heads: 3 }, /field "num_key_value_heads" 3 does not divide num_attention_heads 16/);
  bad({ hidden_size: 2050 }, /field "hidden_size" 2050 is not divisible by num_attention_heads 16/);
  bad({ use_sliding_window: true }, /field "use_sliding_window" must be false, got true/);
  bad(
    { mm_vision_tower: "openai/clip-vit-large-patch14" },
    /field "mm_vision_tower" "openai\/clip-vit-large-patch14" is not a known vision tower \(google\/siglip-so400m-patch14-384\) and there is no "vision_config"/,
  );
  // several problems → one line naming all of them
  assert.throws(
    () => parseHourLlavaConfig({ ...official3b(), vocab_size: -1, memaug_depth: "4" }, "x.json"),
    /^Error: x\.json: field "vocab_size" must be > 0, got -1; field "memaug_depth" must be an integer, got "4"$/,
  );
});

test("missing required fields are listed by name", () => {
  const c = official3b();
  delete c.hidden_size;
  delete c.rope_theta;
  delete c.mm_vision_tower;
  assert.throws(() => parseHourLlavaConfig(c, "cfg.json"), /^Error: cfg\.json: missing required fields "hidden_size", "rope_theta", "mm_vision_tower"$/);
  const t = tiny();
  delete (t.vision_config as Record<string, unknown>).patch_size;
  (t.vision_config as Record<string, unknown>).layer_norm_eps = "1e-6";
  assert.throws(
    () => parseHourLlavaConfig(t, "t.json"),
    /^Error: t\.json: missing required field "vision_config\.patch_size"; field "vision_config\.layer_norm_eps" must be a number, got "1e-6"$/,
  );
  assert.throws(() => parseHourLlavaConfig([1], "a.json"), /a\.json: config must be a JSON object, got a list/);
});
