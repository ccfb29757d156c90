// A checkpoint folder as a WeightSource: f32 tensors and quantized codes are handed to ORT as file slices
// (never read into JS); bf16/f16 tensors are widened to f32 when a graph is emitted. A checkpoint held in memory
// (the browser) has no files: its weights are read into graphs on emission instead (`fileBacked` false).
import type { DType } from "../../graph/dtype.ts";
import type { FileSlice } from "../../graph/graph.ts";
import type { Checkpoint } from "../../io/checkpoint-core.ts";
import type { SafeDType } from "../../io/dtype.ts";
import type { WeightSource } from "../arch/weights.ts";

/** Stored types a graph takes as they are (f32 weights, quantized codes and their scales). */
export const AS_STORED: Partial<Record<SafeDType, DType>> = { F32: "float32", U8: "uint8", I8: "int8" };

export class CheckpointWeights implements WeightSource {
  constructor(
    readonly ckpt: Checkpoint,
    readonly fileBacked = true,
  ) {}
  names(): string[] {
    return this.ckpt.names();
  }
  has(name: string): boolean {
    return this.ckpt.has(name);
  }
  shape(name: string): number[] {
    return this.ckpt.shape(name);
  }
  read(name: string): Float32Array {
    return this.ckpt.read(name);
  }
  dtype(name: string): DType {
    return AS_STORED[this.ckpt.dtype(name)] ?? "float32";
  }
  raw(name: string) {
    const a = this.ckpt.readRaw(name);
    if (a instanceof Uint8Array || a instanceof Int8Array || a instanceof Float32Array) return a;
    return this.ckpt.read(name);
  }
  halfBits(name: string) {
    const dtype = this.ckpt.dtype(name);
    return dtype === "BF16" || dtype === "F16" ? { dtype, bits: this.ckpt.readRaw(name) as Uint16Array } : undefined;
  }
  file(name: string): FileSlice | undefined {
    return this.fileBacked && AS_STORED[this.ckpt.dtype(name)] ? this.ckpt.location(name) : undefined;
  }
}
