// Shapes of every weight a config implies, and a seeded random initialisation (for training from scratch,
// tests and benchmarks): Linear/embedding weights N(0, 0.02), biases 0, norm scales 1, image_newline N(0, 1/√H)
// as the official code initialises it.
import type { HourLlavaConfig } from "../../io/config.ts";
import { seededRandom } from "../arch/sampling.ts";
import { NEWLINE_WEIGHT, weightSpec } from "../arch/hourllava.ts";

/** Name → shape of every weight (each module declares its own: siglip, projector, memaug, qwen2). */
export function weightShapes(c: HourLlavaConfig): Map<string, number[]> {
  return new Map(weightSpec(c));
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
