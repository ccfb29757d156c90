// Block-wise weight-only quantization in the layout of ONNX Runtime's MatMulNBits (com.microsoft): a Linear
// weight W [N, K] is cut along K into blocks; each block keeps `bits`-bit codes, one f32 scale and one zero point
// (asymmetric, zero exactly representable). Codes are packed low nibble first; K is zero-padded to whole blocks.

export type NBits = 4 | 8;

export interface NBitsWeight {
  bits: NBits;
  blockSize: number;
  /** Output features (rows of W). */
  N: number;
  /** Input features (columns of W). */
  K: number;
  /** [N, blocks, blockSize·bits/8] */
  qweight: Uint8Array;
  /** [N, blocks] */
  scales: Float32Array;
  /** [N, ceil(blocks·bits/8)] */
  zeros: Uint8Array;
}

export function blocksPerRow(K: number, blockSize: number): number {
  return Math.ceil(K / blockSize);
}

/** Byte counts of the three tensors, for shapes and size estimates. */
export function nbitsShapes(N: number, K: number, bits: NBits, blockSize: number) {
  const blocks = blocksPerRow(K, blockSize);
  return {
    qweight: [N, blocks, (blockSize * bits) / 8],
    scales: [N, blocks],
    zeros: [N, Math.ceil((blocks * bits) / 8)],
  };
}

export function checkBlockSize(blockSize: number): void {
  if (!(Number.isInteger(blockSize) && blockSize >= 16 && (blockSize & (blockSize - 1)) === 0))
    throw new Error(`block size must be a power of two ≥ 16 (ORT's MatMulNBits), got ${blockSize}`);
}

function putCode(buf: Uint8Array, byte: number, index: number, code: number, bits: NBits): void {
  if (bits === 8) buf[byte] = code;
  else if ((index & 1) === 0) buf[byte] = (buf[byte] & 0xf0) | code;
  else buf[byte] = (buf[byte] & 0x0f) | (code << 4);
}

function getCode(buf: Uint8Array, byte: number, index: number, bits: NBits): number {
  if (bits === 8) return buf[byte];
  return (index & 1) === 0 ? buf[byte] & 0x0f : buf[byte] >> 4;
}

/** Quantizes W [N, K] (row-major, as torch stores a Linear weight). */
export function quantizeNBits(w: ArrayLike<number>, N: number, K: number, bits: NBits, blockSize: number): NBitsWeight {
  checkBlockSize(blockSize);
  if (w.length !== N * K) throw new Error(`quantizeNBits: ${w.length} values for [${N}, ${K}]`);
  const shapes = nbitsShapes(N, K, bits, blockSize);
  const blocks = shapes.scales[1];
  const blob = shapes.qweight[2];
  const zpRow = shapes.zeros[1];
  const qmax = (1 << bits) - 1;
  const qweight = new Uint8Array(N * blocks * blob);
  const scales = new Float32Array(N * blocks);
  const zeros = new Uint8Array(N * zpRow);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < blocks; b++) {
      const k0 = b * blockSize;
      const k1 = Math.min(K, k0 + blockSize);
      let lo = 0;
      let hi = 0;
      for (let k = k0; k < k1; k++) {
        const v = w[n * K + k];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      let scale = Math.fround((hi - lo) / qmax);
      if (!(scale > 0)) scale = 1; // an all-zero block: any scale represents it exactly
      const zp = Math.min(qmax, Math.max(0, Math.round(-lo / scale)));
      scales[n * blocks + b] = scale;
      putCode(zeros, n * zpRow + ((b * bits) >> 3), b, zp, bits);
      const base = (n * blocks + b) * blob;
      for (let j = 0; j < blockSize; j++) {
        const k = k0 + j;
        const code = k < k1 ? Math.min(qmax, Math.max(0, Math.round(w[n * K + k] / scale) + zp)) : zp;
        putCode(qweight, base + ((j * bits) >> 3), j, code, bits);
      }
    }
  }
  return { bits, blockSize, N, K, qweight, scales, zeros };
}

/** Rows [n0, n1) of the dequantized weight into `out` at `outOffset` (what MatMulNBits multiplies by). */
export function dequantizeRows(q: NBitsWeight, n0: number, n1: number, out: Float32Array, outOffset = 0): void {
  const { bits, blockSize, K } = q;
  const blocks = blocksPerRow(K, blockSize);
  const blob = (blockSize * bits) / 8;
  const zpRow = Math.ceil((blocks * bits) / 8);
  for (let n = n0; n < n1; n++) {
    const o = outOffset + (n - n0) * K;
    for (let b = 0; b < blocks; b++) {
      const scale = q.scales[n * blocks + b];
      const zp = getCode(q.zeros, n * zpRow + ((b * bits) >> 3), b, bits);
      const base = (n * blocks + b) * blob;
      const k0 = b * blockSize;
      const k1 = Math.min(K, k0 + blockSize);
      for (let k = k0; k < k1; k++) {
        const j = k - k0;
        out[o + k] = Math.fround((getCode(q.qweight, base + ((j * bits) >> 3), j, bits) - zp) * scale);
      }
    }
  }
}

export function dequantizeNBits(q: NBitsWeight): Float32Array {
  const out = new Float32Array(q.N * q.K);
  dequantizeRows(q, 0, q.N, out);
  return out;
}
