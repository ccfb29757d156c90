// Quantization at load time (`--quant q4|q8` on a float folder): a WeightSource that presents each quantized
// weight as its stored parts, computed on demand when a graph is emitted (one weight at a time, then dropped).
import type { DType, TypedArray } from "../../graph/dtype.ts";
import type { FileSlice } from "../../graph/graph.ts";
import { quantizeInt8 } from "../../graph/quant/int8.ts";
import { quantizeNBits } from "../../graph/quant/nbits.ts";
import type { LinearFormat } from "./quant-plan.ts";
import { quantizedParts } from "./quant-plan.ts";
import type { WeightSource } from "../arch/weights.ts";
import { AS_STORED } from "./checkpoint-weights.ts";

interface Part {
  weight: string;
  key: "qweight" | "scales" | "qzeros";
  shape: number[];
  dtype: DType;
}

/** The parts of one weight, quantized from f32 values. */
function quantizeWeight(w: Float32Array, shape: number[], f: LinearFormat): Record<string, TypedArray> {
  const [N, K] = shape;
  if (f.kind === "int8") {
    const q = quantizeInt8(w, N, K);
    return { qweight: q.qweight, scales: q.scales };
  }
  const q = quantizeNBits(w, N, K, f.bits, f.blockSize);
  return { qweight: q.qweight, scales: q.scales, qzeros: q.zeros };
}

export class QuantizingSource implements WeightSource {
  private readonly parts = new Map<string, Part>();
  private readonly hidden = new Set<string>();
  /** The last quantized weight: its parts are asked for one after another. */
  private last?: { weight: string; parts: Record<string, TypedArray> };

  constructor(
    readonly inner: WeightSource,
    readonly formats: Map<string, LinearFormat>,
  ) {
    for (const [weight, f] of formats) {
      if (!inner.has(weight)) continue;
      this.hidden.add(weight);
      for (const p of quantizedParts(weight, inner.shape(weight), f)) {
        const key = p.name.slice(weight.length + 1) as Part["key"];
        this.parts.set(p.name, { weight, key, shape: p.shape, dtype: AS_STORED[p.dtype]! });
      }
    }
  }

  names(): string[] {
    return [...this.inner.names().filter((n) => !this.hidden.has(n)), ...this.parts.keys()];
  }
  has(name: string): boolean {
    return this.parts.has(name) || (!this.hidden.has(name) && this.inner.has(name));
  }
  shape(name: string): number[] {
    return this.parts.get(name)?.shape ?? this.inner.shape(name);
  }
  dtype(name: string): DType {
    return this.parts.get(name)?.dtype ?? this.inner.dtype?.(name) ?? "float32";
  }
  read(name: string): Float32Array {
    const p = this.parts.get(name);
    if (!p) return this.inner.read(name);
    const v = this.raw(name);
    if (!(v instanceof Float32Array)) throw new Error(`${name} holds ${p.dtype} codes, not floats`);
    return v;
  }
  raw(name: string): TypedArray {
    const p = this.parts.get(name);
    if (!p) return this.inner.raw?.(name) ?? this.inner.read(name);
    if (this.last?.weight !== p.weight) {
      const shape = this.inner.shape(p.weight);
      this.last = { weight: p.weight, parts: quantizeWeight(this.inner.read(p.weight), shape, this.formats.get(p.weight)!) };
    }
    return this.last.parts[p.key];
  }
  halfBits(name: string) {
    return this.parts.has(name) || this.hidden.has(name) ? undefined : this.inner.halfBits?.(name);
  }
  file(name: string): FileSlice | undefined {
    return this.parts.has(name) ? undefined : this.inner.file?.(name);
  }
}
