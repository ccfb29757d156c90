// Where model builders get their weights. A source names and shapes them; the store declares each one in a
// graph the cheapest way: file-backed bytes ORT reads itself (f32 tensors, quantized codes), widened on demand
// at emission (bf16/f16 checkpoints), or the source's own arrays (training state, tests). JS keeps no copy.
// Linear layers go through `linear`, which picks the float or quantized op from the weight's format.
// Float weights enter graphs in the store's compute dtype (f16 for GPU providers: converted at emission).
import type { ComputeDType, DType, TypedArray } from "../../graph/dtype.ts";
import { floatArray } from "../../graph/dtype.ts";
import type { FileSlice, Graph, Tensor } from "../../graph/graph.ts";
import { linear } from "../../graph/ops/linalg.ts";
import { add, cast } from "../../graph/ops/elementwise.ts";
import { dynamicQuantizeMatMul, dequantizedMatMul, matMulNBits } from "../../graph/ops/quant-linear.ts";
import { partName, type LinearFormat } from "./quant-format.ts";

export interface WeightSource {
  names(): string[];
  has(name: string): boolean;
  shape(name: string): number[];
  /** A float weight as f32. */
  read(name: string): Float32Array;
  /** Element type of `raw` (quantized codes: uint8/int8); float32 when absent. */
  dtype?(name: string): DType;
  /** The weight in its graph dtype, for non-float tensors. */
  raw?(name: string): TypedArray;
  /** Where the bytes lie when a graph can take them exactly as stored. */
  file?(name: string): FileSlice | undefined;
  /** A bf16/f16 weight's stored bits (host tables kept at half the f32 size). */
  halfBits?(name: string): { dtype: "F16" | "BF16"; bits: Uint16Array } | undefined;
  /** True when `read` returns arrays the source owns anyway (nothing is gained by deferring it). */
  readonly inMemory?: boolean;
}

export class WeightStore {
  private readonly perGraph = new WeakMap<Graph, Map<string, Tensor>>();
  private readonly loaders = new Map<string, () => TypedArray>();

  constructor(
    readonly source: WeightSource,
    /** Quantized linear weights (absent: all float). */
    readonly formats: Map<string, LinearFormat> = new Map(),
    /** The float type graphs compute in. */
    readonly computeDtype: ComputeDType = "float32",
    /** How int8 linears compute: DynamicQuantizeMatMul (CPU: int8 GEMM) or dequantized weights and MatMul (GPU
     * providers, which lack that kernel). */
    readonly int8Linear: "dynamic" | "dequantize" = "dynamic",
  ) {}

  has(name: string): boolean {
    return this.source.has(name);
  }

  shape(name: string): number[] {
    if (!this.source.has(name)) throw new Error(`missing weight ${name}`);
    return this.source.shape(name);
  }

  /** A float weight read into JS (small host-side tensors such as image_newline). */
  data(name: string): Float32Array {
    if (!this.source.has(name)) throw new Error(`missing weight ${name}`);
    return this.source.read(name);
  }

  /** One loader per weight and dtype, so rebuilt graphs have the same signature (and reuse compiled sessions). */
  private loader(name: string, as: DType): () => TypedArray {
    const key = `${name}|${as}`;
    let f = this.loaders.get(key);
    if (!f) {
      const s = this.source;
      if (as === "float16") f = () => floatArray(s.read(name), "float16");
      else f = as !== "float32" ? () => s.raw!(name) : () => s.read(name);
      this.loaders.set(key, f);
    }
    return f;
  }

  /** The weight as a parameter of graph g (declared once per graph): float weights in the compute dtype unless
   * `floatAs` says otherwise (ops with f32-only inputs). */
  param(g: Graph, name: string, expectShape?: number[], floatAs: ComputeDType = this.computeDtype): Tensor {
    let m = this.perGraph.get(g);
    if (!m) this.perGraph.set(g, (m = new Map()));
    const hit = m.get(`${name}|${floatAs}`);
    if (hit) return hit;
    const shape = this.shape(name);
    if (expectShape && (shape.length !== expectShape.length || shape.some((d, i) => d !== expectShape[i]))) {
      throw new Error(`weight ${name} has shape [${shape.join(", ")}], the config implies [${expectShape.join(", ")}]`);
    }
    const s = this.source;
    const stored = s.dtype?.(name) ?? "float32";
    const dtype = stored === "float32" ? floatAs : stored;
    const file = dtype === stored ? s.file?.(name) : undefined;
    let t: Tensor;
    if (file) t = g.lazyParam(name, dtype, shape, file);
    else if (s.inMemory) t = g.param(name, dtype === "float16" ? floatArray(s.read(name), "float16") : s.read(name), shape);
    else t = g.lazyParam(name, dtype, shape, this.loader(name, dtype));
    m.set(`${name}|${floatAs}`, t);
    return t;
  }

  /** torch.nn.Linear `${prefix}.weight` (+ `${prefix}.bias`), in the weight's stored format. */
  linear(g: Graph, x: Tensor, prefix: string, withBias = true): Tensor {
    const weight = `${prefix}.weight`;
    const bias = withBias ? this.param(g, `${prefix}.bias`) : undefined;
    const f = this.formats.get(weight);
    if (!f) return linear(x, this.param(g, weight), bias);
    const part = (p: "qweight" | "scales" | "qzeros") => this.param(g, partName(weight, p));
    if (f.kind === "int8" && this.int8Linear === "dequantize") {
      return dequantizedMatMul(x, part("qweight"), this.param(g, partName(weight, "scales"), undefined, "float32"), bias);
    }
    if (f.kind === "int8") {
      // DynamicQuantizeMatMul takes f32 only: a half-precision graph crosses into it and back.
      const scales = this.param(g, partName(weight, "scales"), undefined, "float32");
      if (x.dtype === "float32") return dynamicQuantizeMatMul(x, part("qweight"), scales, bias);
      const y = cast(dynamicQuantizeMatMul(cast(x, "float32"), part("qweight"), scales), x.dtype);
      return bias ? add(y, bias) : y;
    }
    const [N] = this.shape(partName(weight, "qweight"));
    const K = x.shape[x.rank - 1];
    if (typeof K !== "number") throw new Error(`${weight}: quantized linear needs a static input width`);
    return matMulNBits(x, { qweight: part("qweight"), scales: part("scales"), zeros: part("qzeros"), N, K, bits: f.bits, blockSize: f.blockSize }, bias);
  }
}

/** An in-memory WeightSource (tests, freshly initialised or trained models). */
export class MapWeights implements WeightSource {
  readonly inMemory = true;
  constructor(readonly tensors: Map<string, { data: Float32Array; shape: number[] }>) {}
  names(): string[] {
    return [...this.tensors.keys()];
  }
  has(name: string): boolean {
    return this.tensors.has(name);
  }
  shape(name: string): number[] {
    return this.tensors.get(name)!.shape;
  }
  read(name: string): Float32Array {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`missing weight ${name}`);
    return t.data;
  }
}
