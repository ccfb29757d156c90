// Per-output-channel symmetric int8 weights in the layout of ONNX Runtime's DynamicQuantizeMatMul
// (com.microsoft): B [K, N] int8 (W transposed) with one f32 scale per output column. Activations are
// quantized per tensor at run time, so large-M products (vision tower, MemAug over the memory) run on int8
// dot-product instructions.

// 7-bit codes: without AVX-512 VNNI (this CPU has AVX2 only), MLAS multiplies u8 × s8 with vpmaddubsw, whose
// 16-bit pair sums saturate for |codes| > 63 (255·64·2 > 32767).
export const QMAX = 63;

export interface Int8Weight {
  N: number;
  K: number;
  /** [K, N] */
  qweight: Int8Array;
  /** [N] */
  scales: Float32Array;
}

/** Quantizes W [N, K] (torch's Linear layout). */
export function quantizeInt8(w: ArrayLike<number>, N: number, K: number): Int8Weight {
  if (w.length !== N * K) throw new Error(`quantizeInt8: ${w.length} values for [${N}, ${K}]`);
  const qweight = new Int8Array(K * N);
  const scales = new Float32Array(N);
  for (let n = 0; n < N; n++) {
    let amax = 0;
    for (let k = 0; k < K; k++) amax = Math.max(amax, Math.abs(w[n * K + k]));
    const scale = amax > 0 ? Math.fround(amax / QMAX) : 1;
    scales[n] = scale;
    for (let k = 0; k < K; k++) qweight[k * N + n] = Math.max(-QMAX, Math.min(QMAX, Math.round(w[n * K + k] / scale)));
  }
  return { N, K, qweight, scales };
}

/** The weight the codes stand for, back in [N, K]. */
export function dequantizeInt8(q: Int8Weight): Float32Array {
  const out = new Float32Array(q.N * q.K);
  for (let n = 0; n < q.N; n++) for (let k = 0; k < q.K; k++) out[n * q.K + k] = Math.fround(q.qweight[k * q.N + n] * q.scales[n]);
  return out;
}
