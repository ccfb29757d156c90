// The Qwen2 decoder: RMSNorm, GQA attention with q/k/v biases and full-dim rotary, SwiGLU MLP, final norm and
// LM head (tied to the embeddings when the config says so). Takes input embeddings (so MemAug's video tokens
// can be spliced in) and a KV cache per layer; returns logits and the grown cache.
import type { Graph, Tensor } from "../../graph/graph.ts";
import { add, mul } from "../../graph/ops/elementwise.ts";
import { concat, slice } from "../../graph/ops/shape-ops.ts";
import { silu } from "../../graph/nn/activations.ts";
import { attention } from "../../graph/nn/attention.ts";
import { boundedAttention } from "../../graph/nn/bounded-attention.ts";
import { rmsNorm } from "../../graph/nn/norms.ts";
import { applyRotary } from "../../graph/nn/rotary.ts";
import { fromHeads, toHeads } from "./heads.ts";
import type { WeightStore } from "./weights.ts";
import type { Tables, WeightSpec } from "../types.ts";

export interface Qwen2Config {
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  rms_norm_eps: number;
  rope_theta: number;
  vocab_size: number;
  tie_word_embeddings: boolean;
}

export const EMBED_WEIGHT = "model.embed_tokens.weight";
export const LM_HEAD_WEIGHT = "lm_head.weight";

/** Every decoder weight with its shape (lm_head only when untied). */
export function qwen2WeightSpec(c: Qwen2Config): WeightSpec {
  const H = c.hidden_size;
  const kv = (H / c.num_attention_heads) * c.num_key_value_heads;
  const I = c.intermediate_size;
  const spec: WeightSpec = [
    [EMBED_WEIGHT, [c.vocab_size, H]],
    ["model.norm.weight", [H]],
  ];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const l = `model.layers.${i}.`;
    for (const [p, rows] of [
      ["q_proj", H],
      ["k_proj", kv],
      ["v_proj", kv],
    ] as const)
      spec.push([`${l}self_attn.${p}.weight`, [rows, H]], [`${l}self_attn.${p}.bias`, [rows]]);
    spec.push(
      [`${l}self_attn.o_proj.weight`, [H, H]],
      [`${l}mlp.gate_proj.weight`, [I, H]],
      [`${l}mlp.up_proj.weight`, [I, H]],
      [`${l}mlp.down_proj.weight`, [H, I]],
    );
    spec.push([`${l}input_layernorm.weight`, [H]], [`${l}post_attention_layernorm.weight`, [H]]);
  }
  if (!c.tie_word_embeddings) spec.push([LM_HEAD_WEIGHT, [c.vocab_size, H]]);
  return spec;
}

export function qwen2WeightNames(c: Qwen2Config): string[] {
  return qwen2WeightSpec(c).map(([n]) => n);
}

/** The decoder's Linear weights (what quantization converts; a tied LM head is the embedding, listed apart). */
export function qwen2LinearNames(c: Qwen2Config): string[] {
  const out: string[] = [];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const l = `model.layers.${i}.`;
    for (const p of ["q_proj", "k_proj", "v_proj", "o_proj"]) out.push(`${l}self_attn.${p}.weight`);
    for (const p of ["gate_proj", "up_proj", "down_proj"]) out.push(`${l}mlp.${p}.weight`);
  }
  return out;
}

export interface DecoderInputs {
  /** [L, H] */
  embeds: Tensor;
  /** Rotary tables for the L new positions, [L, headDim/2]. */
  rope: Tables;
  /** Per layer [1, Hkv, P, d] caches (P may be 0); absent when training on whole sequences. */
  pastK?: Tensor[];
  pastV?: Tensor[];
  /** Attention bounded to about this many bytes of scores (key chunks on long prompts, one matrix on short ones);
   * absent: one materialised score matrix (training). */
  scoreBytes?: number;
}

export interface DecoderOutputs {
  /** [L, vocab], or [1, vocab] for the last position only. */
  logits: Tensor;
  presentK: Tensor[];
  presentV: Tensor[];
  hidden: Tensor;
}

export function qwen2(g: Graph, w: WeightStore, c: Qwen2Config, inp: DecoderInputs, lastOnly = false): DecoderOutputs {
  const H = c.num_attention_heads;
  const Hkv = c.num_key_value_heads;
  const d = c.hidden_size / H;
  const P = (n: string) => w.param(g, n);
  let h = inp.embeds;
  const presentK: Tensor[] = [];
  const presentV: Tensor[] = [];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const l = `model.layers.${i}.`;
    const x = rmsNorm(h, P(`${l}input_layernorm.weight`), c.rms_norm_eps);
    const proj = (n: string) => w.linear(g, x, `${l}self_attn.${n}`);
    const q = applyRotary(toHeads(proj("q_proj"), H, d), inp.rope, d);
    const kNew = applyRotary(toHeads(proj("k_proj"), Hkv, d), inp.rope, d);
    const vNew = toHeads(proj("v_proj"), Hkv, d);
    const k = inp.pastK ? concat([inp.pastK[i], kNew], 2) : kNew;
    const v = inp.pastV ? concat([inp.pastV[i], vNew], 2) : vNew;
    presentK.push(k);
    presentV.push(v);
    const o = inp.scoreBytes ? boundedAttention(q, k, v, { causal: true, scoreBytes: inp.scoreBytes }) : attention(q, k, v, { causal: true });
    h = add(h, w.linear(g, fromHeads(o), `${l}self_attn.o_proj`, false));
    const y = rmsNorm(h, P(`${l}post_attention_layernorm.weight`), c.rms_norm_eps);
    const mlp = (t: Tensor, n: string) => w.linear(g, t, `${l}mlp.${n}`, false);
    h = add(h, mlp(mul(silu(mlp(y, "gate_proj")), mlp(y, "up_proj")), "down_proj"));
  }
  let hidden = rmsNorm(h, P("model.norm.weight"), c.rms_norm_eps);
  if (lastOnly) hidden = slice(hidden, 0, -1);
  const head = c.tie_word_embeddings ? "model.embed_tokens" : "lm_head";
  return { logits: w.linear(g, hidden, head, false), presentK, presentV, hidden };
}
