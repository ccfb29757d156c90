// Shapes of every weight a config implies, and a seeded random initialisation (for training from scratch,
// tests and benchmarks): Linear/embedding weights N(0, 0.02), biases 0, norm scales 1, image_newline N(0, 1/√H)
// as the official code initialises it.
import type { HourLlavaConfig } from "../io/config.ts";
import { memAugDims } from "./memaug.ts";
import { seededRandom } from "./sampling.ts";
import { NEWLINE_WEIGHT, expectedWeightNames } from "./hourllava.ts";
import { VISION_PREFIX } from "./siglip.ts";

export function weightShapes(c: HourLlavaConfig): Map<string, number[]> {
  const v = c.vision;
  const H = c.hidden_size;
  const d = H / c.num_attention_heads;
  const kvw = d * c.num_key_value_heads;
  const { qWidth } = memAugDims(c);
  const out = new Map<string, number[]>();
  const vp = VISION_PREFIX;
  const rule = (n: string): number[] => {
    if (n === `${vp}embeddings.patch_embedding.weight`) return [v.hidden_size, v.num_channels, v.patch_size, v.patch_size];
    if (n === `${vp}embeddings.position_embedding.weight`) return [v.grid_size * v.grid_size, v.hidden_size];
    if (n.startsWith(vp)) {
      if (n.includes("mlp.fc1")) return n.endsWith("weight") ? [v.intermediate_size, v.hidden_size] : [v.intermediate_size];
      if (n.includes("mlp.fc2")) return n.endsWith("weight") ? [v.hidden_size, v.intermediate_size] : [v.hidden_size];
      if (n.includes("_proj.weight")) return [v.hidden_size, v.hidden_size];
      return [v.hidden_size];
    }
    if (n === "model.mm_projector.0.weight") return [H, v.hidden_size];
    if (n === "model.mm_projector.2.weight") return [H, H];
    if (n.startsWith("model.mm_projector.") || n === NEWLINE_WEIGHT) return [H];
    if (n.startsWith("model.vision_resampler.")) {
      const m = n.replace(/^model\.vision_resampler\.layers\.\d+\./, "").replace(/\.(weight|bias)$/, "");
      const isW = n.endsWith(".weight");
      const outDim: Record<string, number> = {
        "self_attn.Wqkv": qWidth + 2 * kvw,
        "self_attn.Wo": H,
        "cross_attn.Wq": qWidth,
        "cross_attn.Wkv": 2 * kvw,
        "cross_attn.Wo": H,
        "mlp.0": 4 * H,
        "mlp.2": H,
      };
      const inDim: Record<string, number> = { "mlp.2": 4 * H };
      if (m.startsWith("norm")) return [H];
      return isW ? [outDim[m], inDim[m] ?? H] : [outDim[m]];
    }
    if (n === "model.embed_tokens.weight" || n === "lm_head.weight") return [c.vocab_size, H];
    if (n === "model.norm.weight" || n.endsWith("layernorm.weight")) return [H];
    const qkv: Record<string, number> = { q_proj: H, k_proj: kvw, v_proj: kvw };
    const mm = /self_attn\.(q_proj|k_proj|v_proj)\.(weight|bias)$/.exec(n);
    if (mm) return mm[2] === "weight" ? [qkv[mm[1]], H] : [qkv[mm[1]]];
    if (n.endsWith("o_proj.weight")) return [H, H];
    if (n.endsWith("gate_proj.weight") || n.endsWith("up_proj.weight")) return [c.intermediate_size, H];
    if (n.endsWith("down_proj.weight")) return [H, c.intermediate_size];
    throw new Error(`no shape rule for weight ${n}`);
  };
  for (const n of expectedWeightNames(c)) out.set(n, rule(n));
  return out;
}

function normal(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function initWeights(c: HourLlavaConfig, seed = 0, std = 0.02): Map<string, { data: Float32Array; shape: number[] }> {
  const rand = seededRandom(seed);
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const [n, shape] of weightShapes(c)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const isNorm = /(norm\d?|layernorm|layer_norm\d)\.weight$/.test(n) || n === "model.norm.weight";
    if (isNorm) data.fill(1);
    else if (n.endsWith(".bias")) data.fill(0);
    else {
      const s = n === NEWLINE_WEIGHT ? 1 / Math.sqrt(c.hidden_size) : std;
      for (let i = 0; i < size; i++) data[i] = normal(rand) * s;
    }
    out.set(n, { data, shape });
  }
  return out;
}
