// What model-precision tests compare: frame tokens and all-position logits of a fixed prompt through MemAug,
// so every graph (vision, projector, MemAug, decoder) and every linear op runs.
import type { HourLlava } from "../../src/model/arch/hourllava.ts";

export async function fixedOutputs(m: HourLlava): Promise<{ tokens: Float32Array; logits: Float32Array }> {
  const T = 2;
  const S = m.config.vision.image_size;
  const pixels = new Float32Array(T * 3 * S * S).map((_, i) => Math.sin(i * 0.11));
  const { tokens } = await m.encodeFrames(pixels, T);
  const memory = m.buildMemory(tokens, T);
  const ids = [5, 6, 7, -200, 8, 9, 10];
  const plan = m.plan(memory, ids);
  const logits = await m.logits(m.llmInput(plan, await m.memAug(memory, plan)));
  return { tokens, logits };
}

/** Largest absolute difference relative to the reference's largest magnitude. */
export function relErr(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}
