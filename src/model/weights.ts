// Where model builders get their weights: a named, shaped f32 store read lazily (safetensors checkpoint,
// in-memory training state). Each weight is read once and shared by every graph that declares it.
import type { Graph, Tensor } from "../graph/graph.ts";

export interface WeightSource {
  names(): string[];
  has(name: string): boolean;
  shape(name: string): number[];
  read(name: string): Float32Array;
}

export class WeightStore {
  private readonly cache = new Map<string, Float32Array>();
  private readonly perGraph = new WeakMap<Graph, Map<string, Tensor>>();

  constructor(readonly source: WeightSource) {}

  has(name: string): boolean {
    return this.source.has(name);
  }

  shape(name: string): number[] {
    if (!this.source.has(name)) throw new Error(`missing weight ${name}`);
    return this.source.shape(name);
  }

  data(name: string): Float32Array {
    let d = this.cache.get(name);
    if (!d) {
      if (!this.source.has(name)) throw new Error(`missing weight ${name}`);
      d = this.source.read(name);
      this.cache.set(name, d);
    }
    return d;
  }

  /** Replace a weight's values (training updates); graphs built later see the new array. */
  set(name: string, data: Float32Array): void {
    this.cache.set(name, data);
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
    const t = g.param(name, this.data(name), shape);
    m.set(name, t);
    return t;
  }
}

/** An in-memory WeightSource (tests, freshly initialised or trained models). */
export class MapWeights implements WeightSource {
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
