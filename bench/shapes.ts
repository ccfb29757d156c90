// Model shapes and random weights shared by the benchmarks.
import { randomArray } from "./peak.ts";

/** Qwen2-0.5B(-Instruct)'s decoder shape. */
export const QWEN2_0_5B = {
  hidden_size: 896,
  intermediate_size: 4864,
  num_hidden_layers: 24,
  num_attention_heads: 14,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1e6,
  vocab_size: 151936,
  tie_word_embeddings: true,
};

/** Uniform ±0.02 weights (norm scales 1) for every (name, shape). */
export function randomWeights(shapes: Iterable<[string, number[]]>): Map<string, { data: Float32Array; shape: number[] }> {
  const m = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const [name, shape] of shapes) {
    const data = randomArray(shape.reduce((a, b) => a * b, 1)).map((v) => v * 0.04);
    if (/norm\d?\.weight$|layernorm\.weight$|layer_norm\d\.weight$/.test(name)) data.fill(1);
    m.set(name, { data, shape });
  }
  return m;
}
