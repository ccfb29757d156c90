// Safetensors element types and the bit-exact float conversions between f32 and f16 / bf16.
// Safetensors is little-endian; typed-array views below assume a little-endian host (checked once).

export type SafeDType = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U64" | "U32" | "U16" | "U8" | "BOOL" | "F8_E4M3" | "F8_E5M2";

export const DTYPE_BYTES: Record<SafeDType, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U64: 8,
  U32: 4,
  U16: 2,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

export function isSafeDType(s: unknown): s is SafeDType {
  return typeof s === "string" && Object.prototype.hasOwnProperty.call(DTYPE_BYTES, s);
}

/** The typed array that `readRaw` returns for each dtype (F16/BF16 as their 16-bit patterns). */
export type RawArray =
  Float64Array | Float32Array | BigInt64Array | BigUint64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array;

export function rawView(dtype: SafeDType, buf: ArrayBuffer, byteOffset: number, length: number): RawArray {
  switch (dtype) {
    case "F64":
      return new Float64Array(buf, byteOffset, length);
    case "F32":
      return new Float32Array(buf, byteOffset, length);
    case "I64":
      return new BigInt64Array(buf, byteOffset, length);
    case "U64":
      return new BigUint64Array(buf, byteOffset, length);
    case "I32":
      return new Int32Array(buf, byteOffset, length);
    case "U32":
      return new Uint32Array(buf, byteOffset, length);
    case "I16":
      return new Int16Array(buf, byteOffset, length);
    case "F16":
    case "BF16":
    case "U16":
      return new Uint16Array(buf, byteOffset, length);
    case "I8":
      return new Int8Array(buf, byteOffset, length);
    case "U8":
    case "BOOL":
    case "F8_E4M3":
    case "F8_E5M2":
      return new Uint8Array(buf, byteOffset, length);
  }
}

let endianChecked = false;
export function assertLittleEndianHost(): void {
  if (endianChecked) return;
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) throw new Error("safetensors I/O needs a little-endian host (this one is big-endian)");
  endianChecked = true;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** f32 → IEEE half bits, round to nearest, ties to even; overflow → ±inf; NaN → quiet NaN (sign kept). */
export function f32ToF16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return mant !== 0 ? sign | 0x7e00 | (mant >>> 13) : sign | 0x7c00;
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Result is subnormal (or zero): m = full · 2^(e-14), rounded to an integer.
    const shift = 14 - e;
    if (shift > 24) return sign;
    const full = mant | 0x800000;
    let q = full >>> shift;
    const r = full & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (r > half || (r === half && (q & 1) === 1)) q++;
    return sign | q;
  }
  let h = sign | (e << 10) | (mant >>> 13);
  const r = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to inf).
  if (r > 0x1000 || (r === 0x1000 && (h & 1) === 1)) h++;
  return h;
}

let f16Table: Float32Array | null = null;
function buildF16Table(): Float32Array {
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >>> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) t[h] = s * m * 2 ** -24;
    else if (e === 31) t[h] = m === 0 ? s * Infinity : NaN;
    else t[h] = s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return t;
}

export function f16BitsToF32(h: number): number {
  f16Table ??= buildF16Table();
  return f16Table[h & 0xffff];
}

/** f32 → bfloat16 bits, round to nearest, ties to even; NaN → quiet NaN (sign kept). */
export function f32ToBf16Bits(v: number): number {
  f32[0] = v;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) & 0x8000) | 0x7fc0;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bf16BitsToF32(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

/** Converts 16-bit patterns into `out[outOffset…]` as f32. */
export function halfBitsToF32(dtype: "F16" | "BF16", src: Uint16Array, out: Float32Array, outOffset = 0): void {
  const n = src.length;
  if (dtype === "BF16") {
    const o = new Uint32Array(out.buffer, out.byteOffset + outOffset * 4, n);
    for (let i = 0; i < n; i++) o[i] = src[i] << 16;
  } else {
    f16Table ??= buildF16Table();
    const t = f16Table;
    for (let i = 0; i < n; i++) out[outOffset + i] = t[src[i]];
  }
}

/** Converts f32 values (any numeric array) into 16-bit patterns. */
export function f32ToHalfBits(dtype: "F16" | "BF16", src: ArrayLike<number>, out: Uint16Array, outOffset = 0): void {
  const conv = dtype === "BF16" ? f32ToBf16Bits : f32ToF16Bits;
  for (let i = 0; i < src.length; i++) out[outOffset + i] = conv(src[i]);
}
