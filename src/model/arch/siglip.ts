// The SigLIP vision tower as Hour-LLaVA uses it: patch embedding + learned positions, the pre-LN encoder layers
// the checkpoint keeps (the official code deletes the last one), no post-layernorm, no head.
import type { Graph, Tensor } from "../../graph/graph.ts";
import { add } from "../../graph/ops/elementwise.ts";
import { linear } from "../../graph/ops/linalg.ts";
import { reshape, slice, transpose } from "../../graph/ops/shape-ops.ts";
import { geluTanh, gelu } from "../../graph/nn/activations.ts";
import { attention } from "../../graph/nn/attention.ts";
import { layerNorm } from "../../graph/nn/norms.ts";
import type { WeightStore } from "./weights.ts";
import type { WeightSpec } from "../types.ts";

export interface VisionTowerConfig {
  hidden_size: number;
  intermediate_size: number;
  num_layers_used: number;
  num_attention_heads: number;
  patch_size: number;
  image_size: number;
  grid_size: number;
  layer_norm_eps: number;
  num_channels: number;
  hidden_act: "gelu_pytorch_tanh" | "gelu";
}

export const VISION_PREFIX = "model.vision_tower.vision_tower.vision_model.";

/** Every weight of the tower with its shape, in the official names. */
export function visionWeightSpec(c: VisionTowerConfig): WeightSpec {
  const p = VISION_PREFIX;
  const C = c.hidden_size;
  const spec: WeightSpec = [
    [`${p}embeddings.patch_embedding.weight`, [C, c.num_channels, c.patch_size, c.patch_size]],
    [`${p}embeddings.patch_embedding.bias`, [C]],
    [`${p}embeddings.position_embedding.weight`, [c.grid_size * c.grid_size, C]],
  ];
  const out: Record<string, number> = { "mlp.fc1": c.intermediate_size };
  const inp: Record<string, number> = { "mlp.fc2": c.intermediate_size };
  for (let i = 0; i < c.num_layers_used; i++) {
    const l = `${p}encoder.layers.${i}.`;
    for (const m of ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj", "layer_norm1", "layer_norm2", "mlp.fc1", "mlp.fc2"]) {
      const rows = out[m] ?? C;
      spec.push([`${l}${m}.weight`, m.startsWith("layer_norm") ? [C] : [rows, inp[m] ?? C]], [`${l}${m}.bias`, [rows]]);
    }
  }
  return spec;
}

export function visionWeightNames(c: VisionTowerConfig): string[] {
  return visionWeightSpec(c).map(([n]) => n);
}

const VISION_LINEARS = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.out_proj", "mlp.fc1", "mlp.fc2"];

/** The encoder's Linear weights (what quantization converts). */
export function visionLinearNames(c: VisionTowerConfig): string[] {
  const out: string[] = [];
  for (let i = 0; i < c.num_layers_used; i++) for (const m of VISION_LINEARS) out.push(`${VISION_PREFIX}encoder.layers.${i}.${m}.weight`);
  return out;
}

/** pixels [T, 3, S, S] (normalised) → features [T, grid², hidden]. One frame at a time through attention. */
export function visionTower(g: Graph, w: WeightStore, c: VisionTowerConfig, pixels: Tensor): Tensor {
  const P = c.patch_size;
  const G = c.grid_size;
  const C = c.hidden_size;
  const T = pixels.shape[0];
  const p = VISION_PREFIX;
  // A stride-P convolution without padding sees only the first G·P pixels of each side.
  let x = pixels;
  if (G * P !== c.image_size) x = slice(slice(x, 2, 0, G * P), 3, 0, G * P);
  const patches = reshape(transpose(reshape(x, [T, c.num_channels, G, P, G, P]), [0, 2, 4, 1, 3, 5]), [T, G * G, c.num_channels * P * P]);
  const pw = reshape(w.param(g, `${p}embeddings.patch_embedding.weight`, [C, c.num_channels, P, P]), [C, c.num_channels * P * P]);
  let h = add(linear(patches, pw, w.param(g, `${p}embeddings.patch_embedding.bias`)), w.param(g, `${p}embeddings.position_embedding.weight`, [G * G, C]));
  const heads = c.num_attention_heads;
  const hd = C / heads;
  const act = c.hidden_act === "gelu" ? gelu : geluTanh;
  for (let i = 0; i < c.num_layers_used; i++) {
    const l = `${p}encoder.layers.${i}.`;
    const lin = (x: Tensor, m: string) => w.linear(g, x, `${l}${m}`);
    const n1 = layerNorm(h, w.param(g, `${l}layer_norm1.weight`), w.param(g, `${l}layer_norm1.bias`), c.layer_norm_eps);
    // [T, N, C] → [T, heads, N, hd]: frames act as the batch.
    const split = (t: Tensor) => transpose(reshape(t, [T, G * G, heads, hd]), [0, 2, 1, 3]);
    const o = attention(split(lin(n1, "self_attn.q_proj")), split(lin(n1, "self_attn.k_proj")), split(lin(n1, "self_attn.v_proj")));
    h = add(h, lin(reshape(transpose(o, [0, 2, 1, 3]), [T, G * G, C]), "self_attn.out_proj"));
    const n2 = layerNorm(h, w.param(g, `${l}layer_norm2.weight`), w.param(g, `${l}layer_norm2.bias`), c.layer_norm_eps);
    h = add(h, lin(act(lin(n2, "mlp.fc1")), "mlp.fc2"));
  }
  return h;
}
