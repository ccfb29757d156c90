// Rotary tables computed on the host the way PyTorch computes them in float32: inv_freq and the angles are
// float32 products, cos/sin are rounded from those angles. Fed to graphs as inputs, so positions up to the
// hundreds of thousands (hour-long memories) lose nothing to a kernel's approximate large-argument sin/cos.

export interface RopeTables {
  cos: Float32Array;
  sin: Float32Array;
  /** rotaryDim / 2 */
  half: number;
  length: number;
}

export function invFreq(rotaryDim: number, theta: number): Float32Array {
  const half = rotaryDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / Math.fround(Math.pow(theta, Math.fround((2 * i) / rotaryDim)));
  return inv;
}

export function ropeTables(positions: ArrayLike<number>, rotaryDim: number, theta: number): RopeTables {
  const inv = invFreq(rotaryDim, theta);
  const half = inv.length;
  const n = positions.length;
  const cos = new Float32Array(n * half);
  const sin = new Float32Array(n * half);
  for (let p = 0; p < n; p++) {
    const t = Math.fround(positions[p]);
    for (let i = 0; i < half; i++) {
      const a = Math.fround(t * inv[i]);
      cos[p * half + i] = Math.cos(a);
      sin[p * half + i] = Math.sin(a);
    }
  }
  return { cos, sin, half, length: n };
}
