// Every batch of a FrameBatches in order (16 frames at a time), closing it after, as the encode loop reads them.
import type { FrameBatches } from "../../src/video/frame-batches.ts";

export async function takeAll(batches: FrameBatches, T: number, step = 16): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  try {
    for (let s = 0; s < T; s += step) out.push(await batches.take(s, Math.min(step, T - s)));
  } finally {
    await batches.close();
  }
  return out;
}
