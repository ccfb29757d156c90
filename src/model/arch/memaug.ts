// MemAug: post-LN blocks of non-causal self-attention over the queries, cross-attention from the queries to the
// full memory repository, and an MLP. Widths and head counts come from the LLM config (GQA included); rotary
// embedding on the first half of each head's dims with explicit query/key positions. Attention runs chunked,
// so a one-hour memory (234k keys) never materialises a score matrix.
import type { Graph, Tensor } from "../../graph/graph.ts";
import { add } from "../../graph/ops/elementwise.ts";
import { slice } from "../../graph/ops/shape-ops.ts";
import { gelu } from "../../graph/nn/activations.ts";
import { chunkedAttention } from "../../graph/nn/long-attention.ts";
import { boundedAttention } from "../../graph/nn/bounded-attention.ts";
import type { ChunkedAttentionOptions } from "../../graph/nn/long-attention.ts";
import { layerNorm } from "../../graph/nn/norms.ts";
import { applyRotary } from "../../graph/nn/rotary.ts";
import { fromHeads, toHeads } from "./heads.ts";
import type { WeightStore } from "./weights.ts";
import type { Tables, WeightSpec } from "../types.ts";

export interface MemAugConfig {
  hidden_size: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  memaug_depth: number;
  rope_theta: number;
}

export const MEMAUG_LN_EPS = 1e-5;
const PREFIX = "model.vision_resampler.layers.";
const MODULES = ["self_attn.Wqkv", "self_attn.Wo", "cross_attn.Wq", "cross_attn.Wkv", "cross_attn.Wo", "mlp.0", "mlp.2", "norm1", "norm2", "norm3"];

/** Every MemAug weight with its shape ([out, in] for Linears; LayerNorms [H]). */
export function memAugWeightSpec(c: MemAugConfig): WeightSpec {
  const H = c.hidden_size;
  const { qWidth, kvWidth } = memAugDims(c);
  const rows: Record<string, number> = {
    "self_attn.Wqkv": qWidth + 2 * kvWidth,
    "self_attn.Wo": H,
    "cross_attn.Wq": qWidth,
    "cross_attn.Wkv": 2 * kvWidth,
    "cross_attn.Wo": H,
    "mlp.0": 4 * H,
    "mlp.2": H,
  };
  const cols: Record<string, number> = { "self_attn.Wo": qWidth, "cross_attn.Wo": qWidth, "mlp.2": 4 * H };
  const spec: WeightSpec = [];
  for (let i = 0; i < c.memaug_depth; i++)
    for (const m of MODULES) {
      const r = rows[m] ?? H;
      spec.push([`${PREFIX}${i}.${m}.weight`, m.startsWith("norm") ? [H] : [r, cols[m] ?? H]], [`${PREFIX}${i}.${m}.bias`, [r]]);
    }
  return spec;
}

const LINEARS = MODULES.filter((m) => !m.startsWith("norm"));

/** MemAug's Linear weights (what quantization converts). */
export function memAugLinearNames(c: MemAugConfig): string[] {
  const out: string[] = [];
  for (let i = 0; i < c.memaug_depth; i++) for (const m of LINEARS) out.push(`${PREFIX}${i}.${m}.weight`);
  return out;
}

export function memAugDims(c: MemAugConfig) {
  const headDim = c.hidden_size / c.num_attention_heads;
  return { headDim, rotaryDim: headDim / 2, qWidth: headDim * c.num_attention_heads, kvWidth: headDim * c.num_key_value_heads };
}

export interface MemAugInputs {
  /** Query tokens [Lq, H]: prompt text embeddings with the decayed video tokens spliced in. */
  x: Tensor;
  /** Memory repository [Lk, H]. */
  memory: Tensor;
  /** Rotary tables [Lq, rotaryDim/2] for query positions and [Lk, rotaryDim/2] for memory positions. */
  qRope: Tables;
  kRope: Tables;
}

/** `attn`: fixed chunks for training (the gradient needs them), a run-time score budget for inference. */
export function memAug(g: Graph, w: WeightStore, c: MemAugConfig, inp: MemAugInputs, attn: ChunkedAttentionOptions = { chunk: 4096 }): Tensor {
  const attend = (q: Tensor, k: Tensor, v: Tensor) =>
    attn.scoreBytes !== undefined ? boundedAttention(q, k, v, { scoreBytes: attn.scoreBytes }) : chunkedAttention(q, k, v, attn);
  const { headDim, rotaryDim, qWidth, kvWidth } = memAugDims(c);
  const H = c.num_attention_heads;
  const Hkv = c.num_key_value_heads;
  const rope = (t: Tensor, tab: Tables) => applyRotary(t, tab, rotaryDim);
  let x = inp.x;
  for (let i = 0; i < c.memaug_depth; i++) {
    const l = `${PREFIX}${i}.`;
    const lin = (t: Tensor, m: string) => w.linear(g, t, `${l}${m}`);
    const norm = (t: Tensor, m: string) => layerNorm(t, w.param(g, `${l}${m}.weight`), w.param(g, `${l}${m}.bias`), MEMAUG_LN_EPS);

    // Self-attention: Wqkv packs q | k | v (the kv part as [2, Hkv, d]).
    const qkv = lin(x, "self_attn.Wqkv");
    const q = rope(toHeads(slice(qkv, 1, 0, qWidth), H, headDim), inp.qRope);
    const k = rope(toHeads(slice(qkv, 1, qWidth, qWidth + kvWidth), Hkv, headDim), inp.qRope);
    const v = toHeads(slice(qkv, 1, qWidth + kvWidth, qWidth + 2 * kvWidth), Hkv, headDim);
    x = norm(add(x, lin(fromHeads(attend(q, k, v)), "self_attn.Wo")), "norm1");

    // Cross-attention to the memory: Wkv packs k | v.
    const cq = rope(toHeads(lin(x, "cross_attn.Wq"), H, headDim), inp.qRope);
    const kv = lin(inp.memory, "cross_attn.Wkv");
    const ck = rope(toHeads(slice(kv, 1, 0, kvWidth), Hkv, headDim), inp.kRope);
    const cv = toHeads(slice(kv, 1, kvWidth, 2 * kvWidth), Hkv, headDim);
    x = norm(add(x, lin(fromHeads(attend(cq, ck, cv)), "cross_attn.Wo")), "norm2");

    x = norm(add(x, lin(gelu(lin(x, "mlp.0")), "mlp.2")), "norm3");
  }
  return x;
}
