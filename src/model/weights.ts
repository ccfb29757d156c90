// Where model builders get their weights. A source names and shapes them; the store declares each one in a
// graph the cheapest way: file-backed bytes ORT reads itself (f32 tensors, quantized codes), widened on demand
// at emission (bf16/f16 checkpoints), or the source's own arrays (training state, tests). JS keeps no copy.
// Linear layers go through `linear`, which picks the float or quantized op from the weight's format.
import type { DType, TypedArray } from "../graph/dtype.ts";
import type { FileSlice, Graph, Tensor } from "../graph/graph.ts";
import { linear } from "../graph/ops/linalg.ts";
import { dynamicQuantizeMatMul, matMulNBits } from "../graph/ops/quant-linear.ts";
import type { LinearFormat } from "./quant-plan.ts";
import { partName } from "./quant-plan.ts";

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

  /** One loader per weight, so rebuilt graphs have the same signature (and reuse compiled sessions). */
  private loader(name: string): () => TypedArray {
    let f = this.loaders.get(name);
    if (!f) {
      const s = this.source;
      f = s.dtype && s.dtype(name) !== "float32" ? () => s.raw!(name) : () => s.read(name);
      this.loaders.set(name, f);
    }
    return f;
  }

  /** The weight as a parameter of graph g (declared once per graph). */
  param(g: Graph, name: string, expectShape?: number[]): Tensor {
    let m = this.perGraph.get(g);
    if (!m) this.perGraph.set(g, (m = new Map()));
    const hit = m.get(name);
    if (hit) return hit;
    const shape = this.shape(name);
    if (expectShape && (shape.length !== expectShape.length || shape.some((d, i) => d !== expectShape[i]))) {
      throw new Error(`weight ${name} has shape [${shape.join(", ")}], the config implies [${expectShape.join(", ")}]`);
    }
    const s = this.source;
    const dtype = s.dtype?.(name) ?? "float32";
    const file = s.file?.(name);
    let t: Tensor;
    if (file) t = g.lazyParam(name, dtype, shape, file);
    else if (s.inMemory) t = g.param(name, s.read(name), shape);
    else t = g.lazyParam(name, dtype, shape, this.loader(name));
    m.set(name, t);
    return t;
  }

  /** torch.nn.Linear `${prefix}.weight` (+ `${prefix}.bias`), in the weight's stored format. */
  linear(g: Graph, x: Tensor, prefix: string, withBias = true): Tensor {
    const weight = `${prefix}.weight`;
    const bias = withBias ? this.param(g, `${prefix}.bias`) : undefined;
    const f = this.formats.get(weight);
    if (!f) return linear(x, this.param(g, weight), bias);
    const part = (p: "qweight" | "scales" | "qzeros") => this.param(g, partName(weight, p));
    if (f.kind === "int8") return dynamicQuantizeMatMul(x, part("qweight"), part("scales"), bias);
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
