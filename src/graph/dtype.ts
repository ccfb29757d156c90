// Element types the engine knows, their ONNX enum codes and the typed arrays that hold them.
import { f32ToHalfBits } from "../io/dtype.ts";

export type DType = "float32" | "float16" | "float64" | "int64" | "int32" | "bool" | "uint8" | "int8";

export const ONNX_DTYPE: Record<DType, number> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
};

export type TypedArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | Int8Array | Uint16Array;

/** The float types a model may compute in: f32 on CPU, f16 for GPU execution providers. */
export type ComputeDType = "float32" | "float16";

/** f32 values in a float dtype's storage (f16 as its 16-bit patterns, round to nearest even). */
export function floatArray(values: ArrayLike<number>, dtype: ComputeDType): Float32Array | Uint16Array {
  if (dtype === "float32") return values instanceof Float32Array ? values : Float32Array.from(values);
  const out = new Uint16Array(values.length);
  f32ToHalfBits("F16", values, out);
  return out;
}

/** A finite stand-in for −∞ in masked attention scores: exp() of it is 0, and subtracting two of them never
 * gives NaN (as −∞ − −∞ would). f16 tops out at 65504. */
export function maskedScore(dtype: DType): number {
  return dtype === "float16" ? -65504 : -1e30;
}

export function bytesPerElement(d: DType): number {
  switch (d) {
    case "float64":
    case "int64":
      return 8;
    case "float32":
    case "int32":
      return 4;
    case "float16":
      return 2;
    case "bool":
    case "uint8":
    case "int8":
      return 1;
  }
}

export function isFloat(d: DType): boolean {
  return d === "float32" || d === "float16" || d === "float64";
}

/** The dtype a typed array holds (Uint16Array is taken as float16 bits). */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  if (a instanceof BigInt64Array) return "int64";
  if (a instanceof Uint16Array) return "float16";
  if (a instanceof Int8Array) return "int8";
  return "uint8";
}
