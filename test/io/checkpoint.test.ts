import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./tmp.ts";
import { checkKeys, openCheckpoint, writeCheckpoint } from "../../src/io/checkpoint.ts";
import { writeSafetensors } from "../../src/io/safetensors.ts";

const tmp = () => tempDir("io-ck-");

const config = {
  model_type: "hour_llava_qwen",
  hidden_size: 8,
  intermediate_size: 16,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  vocab_size: 5,
  rms_norm_eps: 1e-6,
  rope_theta: 10000,
  tie_word_embeddings: true,
  mm_vision_tower: "google/siglip-so400m-patch14-384",
  mm_projector_type: "mlp2x_gelu",
  mm_resampler_type: "memaug",
};

function tensors() {
  const emb = Float32Array.from({ length: 40 }, (_, i) => i / 8);
  return {
    "model.embed_tokens.weight": { dtype: "BF16" as const, shape: [5, 8], data: emb },
    "model.norm.weight": { dtype: "F32" as const, shape: [8], data: new Float32Array(8).fill(1) },
    "model.layers.0.self_attn.q_proj.bias": { dtype: "F16" as const, shape: [8], data: [0, 1, 2, 3, 4, 5, 6, 7] },
    "model.image_newline": { dtype: "F32" as const, shape: [8], data: new Float32Array(8).fill(-0.5) },
  };
}

test("single-file checkpoint: names, shapes, reads; tied embeddings (no lm_head) are just data", () => {
  const d = join(tmp(), "m");
  writeCheckpoint(d, config, tensors(), { version: "1.0" }, { tokenizerConfig: { eos_token: "<|im_end|>" } });
  assert.deepEqual(readdirSync(d).sort(), ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]);
  const ck = openCheckpoint(d);
  assert.deepEqual(ck.files, ["model.safetensors"]);
  assert.deepEqual(ck.names().sort(), ["model.embed_tokens.weight", "model.image_newline", "model.layers.0.self_attn.q_proj.bias", "model.norm.weight"]);
  assert.equal(ck.has("lm_head.weight"), false);
  assert.deepEqual(ck.shape("model.embed_tokens.weight"), [5, 8]);
  assert.equal(ck.dtype("model.embed_tokens.weight"), "BF16");
  const e = ck.read("model.embed_tokens.weight");
  assert.equal(e[9], 9 / 8);
  assert.equal(e[39], 39 / 8);
  assert.deepEqual([...ck.read("model.layers.0.self_attn.q_proj.bias")], [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(ck.config.tie_word_embeddings, true);
  assert.equal(ck.hourLlavaConfig().headDim, 4);
  assert.throws(() => ck.read("lm_head.weight"), /the checkpoint has no tensor "lm_head\.weight" \(4 tensors\)/);
  assert.deepEqual(JSON.parse(readFileSync(join(d, "tokenizer.json"), "utf8")), { version: "1.0" });
  ck.close();
});

test("sharded checkpoint: index weight_map → shard files, total_size, same data", () => {
  const d = join(tmp(), "sharded");
  const progress: [number, number][] = [];
  writeCheckpoint(d, config, tensors(), undefined, { maxShardBytes: 64, onProgress: (a, b) => progress.push([a, b]) });
  assert.deepEqual(progress, [
    [80, 160],
    [128, 160],
    [160, 160],
  ]);
  const files = readdirSync(d).sort();
  assert.deepEqual(files, [
    "config.json",
    "model-00001-of-00003.safetensors",
    "model-00002-of-00003.safetensors",
    "model-00003-of-00003.safetensors",
    "model.safetensors.index.json",
  ]);
  const index = JSON.parse(readFileSync(join(d, "model.safetensors.index.json"), "utf8"));
  assert.equal(index.metadata.total_size, 80 + 32 + 16 + 32);
  assert.equal(index.weight_map["model.embed_tokens.weight"], "model-00001-of-00003.safetensors");
  assert.equal(index.weight_map["model.layers.0.self_attn.q_proj.bias"], "model-00002-of-00003.safetensors");
  const ck = openCheckpoint(d);
  assert.equal(ck.files.length, 3);
  assert.deepEqual([...ck.read("model.image_newline")], new Array(8).fill(-0.5));
  assert.deepEqual([...ck.read("model.norm.weight")], new Array(8).fill(1));
  assert.equal(ck.read("model.embed_tokens.weight")[17], 17 / 8);
  ck.close();
});

test("missing folder, config, weights or shards: the error says what to fetch and where", () => {
  const root = tmp();
  assert.throws(
    () => openCheckpoint(join(root, "nope")),
    /model folder .*nope does not exist: put a Hugging Face model folder there \(config\.json, \*\.safetensors, tokenizer\.json\), e\.g\. jylins\/hourllava-qwen25-3b-s3/,
  );
  const empty = join(root, "empty");
  mkdirSync(empty);
  assert.throws(() => openCheckpoint(empty), /^Error: no config\.json in .*empty: put a Hugging Face model folder there/);
  writeFileSync(join(empty, "config.json"), "{ not json");
  assert.throws(() => openCheckpoint(empty), /empty\/config\.json: cannot read config\.json: /);
  writeFileSync(join(empty, "config.json"), JSON.stringify(config));
  assert.throws(() => openCheckpoint(empty), /no model\.safetensors or model\.safetensors\.index\.json in .*empty: put a Hugging Face model folder there/);

  const d = join(root, "sh");
  writeCheckpoint(d, config, tensors(), undefined, { maxShardBytes: 64 });
  rmSync(join(d, "model-00002-of-00003.safetensors"));
  assert.throws(
    () => openCheckpoint(d),
    /sh: 1 of 3 shards listed in model\.safetensors\.index\.json are missing \(model-00002-of-00003\.safetensors\): fetch them from the same Hugging Face repo into .*sh/,
  );
  // index pointing at a shard that lacks the tensor
  writeSafetensors(join(d, "model-00002-of-00003.safetensors"), { other: { dtype: "F32", shape: [1], data: [0] } });
  assert.throws(
    () => openCheckpoint(d),
    /model-00002-of-00003\.safetensors: 2 tensor\(s\) the index maps to this shard are not in it \(model\.norm\.weight, model\.layers\.0\.self_attn\.q_proj\.bias\)/,
  );
  writeFileSync(join(d, "model.safetensors.index.json"), JSON.stringify({ weight_map: { a: "../x.safetensors" } }));
  assert.throws(() => openCheckpoint(d), /weight_map\["a"\] must be a shard file name in the folder, got "\.\.\/x\.safetensors"/);
});

test("writeCheckpoint replaces an existing folder whole and leaves no temp folders", () => {
  const root = tmp();
  const d = join(root, "m");
  writeCheckpoint(d, config, tensors());
  writeCheckpoint(d, { ...config, vocab_size: 7 }, { x: { dtype: "F32", shape: [1], data: [3] } });
  assert.deepEqual(readdirSync(root), ["m"]);
  const ck = openCheckpoint(d);
  assert.deepEqual(ck.names(), ["x"]);
  assert.equal(ck.config.vocab_size, 7);
  ck.close();
  // a failing write keeps the old folder and leaves nothing else
  assert.throws(
    () => writeCheckpoint(d, config, { bad: { dtype: "F32", shape: [2], data: [1] } }),
    /cannot write checkpoint m into .*: .*tensor "bad" has 1 elements but shape \[2\] needs 2/,
  );
  assert.deepEqual(readdirSync(root), ["m"]);
  assert.deepEqual(openCheckpoint(d).names(), ["x"]);
});

test("checkKeys lists all missing and unexpected keys, truncated with counts", () => {
  checkKeys(["a", "b", "lm_head.weight"], ["b", "a"], { allowMissing: (n) => n === "lm_head.weight" });
  assert.throws(() => checkKeys(["a", "b", "c"], ["a", "x"], {}), /^Error: checkpoint keys do not match the model: 2 missing \(b, c\); 1 unexpected \(x\)$/);
  const expected = Array.from({ length: 20 }, (_, i) => `layer.${i}`);
  assert.throws(
    () => checkKeys(expected, ["extra"], { max: 3, what: "tiny.safetensors" }),
    /^Error: tiny\.safetensors keys do not match the model: 20 missing \(layer\.0, layer\.1, layer\.2, … and 17 more\); 1 unexpected \(extra\)$/,
  );
  assert.throws(() => checkKeys(["a"], ["a", "rotary.inv_freq"], {}), /1 unexpected \(rotary\.inv_freq\)/);
  checkKeys(["a"], ["a", "rotary.inv_freq"], { allowUnexpected: (n) => n.endsWith("inv_freq") });
});
