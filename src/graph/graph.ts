// The graph builder: tensors carry a dtype and a (possibly symbolic) shape; nodes are ONNX ops or the
// engine's own composite ops, which the emitter lowers. Ids are global so subgraphs can name outer values.
import type { DType, TypedArray } from "./dtype.ts";
import { dtypeOfArray, floatArray } from "./dtype.ts";
import type { Dim } from "./shape.ts";
import { fmtShape, numel, ShapeError } from "./shape.ts";

export type Attr =
  | { kind: "int"; value: number }
  | { kind: "ints"; value: number[] }
  | { kind: "float"; value: number }
  | { kind: "floats"; value: number[] }
  | { kind: "string"; value: string }
  | { kind: "graph"; value: Graph };

export type Attrs = Record<string, Attr>;

export const attr = {
  int: (value: number): Attr => ({ kind: "int", value }),
  ints: (value: number[]): Attr => ({ kind: "ints", value }),
  float: (value: number): Attr => ({ kind: "float", value }),
  floats: (value: number[]): Attr => ({ kind: "floats", value }),
  string: (value: string): Attr => ({ kind: "string", value }),
  graph: (value: Graph): Attr => ({ kind: "graph", value }),
};

let nextId = 1;

/** Graph input the runtime feeds with 1.0: the barrier in front of recomputed (checkpointed) values. */
export const RECOMPUTE_ONE = "__recompute_one";

export type TensorRole = "value" | "input" | "const" | "param";

/** A weight's bytes inside a file (a safetensors tensor), handed to ONNX Runtime without passing through JS. */
export interface FileSlice {
  path: string;
  offset: number;
  length: number;
}

export class Tensor {
  readonly id = nextId++;
  producer?: Node;
  /** Constant or parameter data (role const/param). */
  data?: TypedArray;
  /** A parameter stored in a file instead of `data` (the runtime maps it; JS never holds it). */
  file?: FileSlice;
  /** A parameter produced on demand (e.g. widened from bf16) when the graph is emitted, then dropped. */
  load?: () => TypedArray;
  /** Graph input / parameter name. */
  name?: string;
  /** A composite whose backward is given directly (e.g. chunked attention): autodiff sends this tensor's
   * gradient through `vjp` to `inputs` and skips the nodes in between. */
  custom?: { inputs: Tensor[]; vjp: (d: Tensor) => (Tensor | null)[] };
  constructor(
    readonly graph: Graph,
    readonly dtype: DType,
    readonly shape: Dim[],
    readonly role: TensorRole,
  ) {}
  get rank(): number {
    return this.shape.length;
  }
  toString(): string {
    return `${this.name ?? "t" + this.id}:${this.dtype}${fmtShape(this.shape)}`;
  }
}

export interface Node {
  readonly op: string;
  readonly inputs: (Tensor | null)[];
  readonly outputs: Tensor[];
  readonly attrs: Attrs;
  /** Operator set domain ("" = ONNX; "com.microsoft" = ORT's contrib ops such as MatMulNBits). */
  readonly domain?: string;
  /** Recomputation segment (gradient checkpointing) this node belongs to. */
  segment?: number;
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Tensor[] = [];
  readonly params: Tensor[] = [];
  readonly outputs: { name: string; tensor: Tensor }[] = [];
  private consts = new Map<string, Tensor>();
  private segmentCounter = 0;
  private currentSegment: number | undefined;

  /** A subgraph (Loop body) may read values of its ancestors by name. */
  constructor(readonly parent?: Graph) {}

  owns(t: Tensor): boolean {
    for (let g: Graph | undefined = this; g; g = g.parent) if (t.graph === g) return true;
    return false;
  }

  input(name: string, dtype: DType, shape: Dim[]): Tensor {
    if (this.inputs.some((t) => t.name === name)) throw new Error(`graph input "${name}" declared twice`);
    const t = new Tensor(this, dtype, [...shape], "input");
    t.name = name;
    this.inputs.push(t);
    return t;
  }

  /** A named weight. Emitted as an initializer, or as a graph input when the runtime feeds weights (training). */
  param(name: string, data: TypedArray, shape: number[], dtype?: DType): Tensor {
    const d = dtype ?? dtypeOfArray(data);
    const n = numel(shape)!;
    if (data.length !== n) throw new ShapeError("param", `${name}: ${data.length} values for shape ${fmtShape(shape)}`);
    if (this.params.some((t) => t.name === name)) throw new Error(`parameter "${name}" declared twice`);
    const t = new Tensor(this, d, [...shape], "param");
    t.name = name;
    t.data = data;
    this.params.push(t);
    return t;
  }

  /** A named weight that JS does not hold: its bytes stay in a file (FileSlice) or are made at emission
   * (a loader); the runtime hands them to ORT once. It cannot be fed as an input. */
  lazyParam(name: string, dtype: DType, shape: number[], from: FileSlice | (() => TypedArray)): Tensor {
    if (this.params.some((t) => t.name === name)) throw new Error(`parameter "${name}" declared twice`);
    const t = new Tensor(this, dtype, [...shape], "param");
    t.name = name;
    if (typeof from === "function") t.load = from;
    else t.file = from;
    this.params.push(t);
    return t;
  }

  /** A small constant; identical small constants are shared. */
  constant(data: TypedArray, shape: number[], dtype?: DType): Tensor {
    const d = dtype ?? dtypeOfArray(data);
    const n = numel(shape)!;
    if (data.length !== n) throw new ShapeError("constant", `${data.length} values for shape ${fmtShape(shape)}`);
    const key = data.length <= 16 ? `${d}|${shape.join(",")}|${Array.from(data as ArrayLike<number | bigint>).join(",")}` : "";
    if (key && this.consts.has(key)) return this.consts.get(key)!;
    const t = new Tensor(this, d, [...shape], "const");
    t.data = data;
    if (key) this.consts.set(key, t);
    return t;
  }

  scalar(v: number, dtype: DType = "float32"): Tensor {
    if (dtype === "int64") return this.constant(BigInt64Array.from([BigInt(v)]), [], "int64");
    if (dtype === "float32" || dtype === "float16") return this.constant(floatArray([v], dtype), [], dtype);
    if (dtype === "float64") return this.constant(Float64Array.from([v]), [], "float64");
    if (dtype === "int32") return this.constant(Int32Array.from([v]), [], "int32");
    throw new Error(`scalar: unsupported dtype ${dtype}`);
  }

  ints(values: number[]): Tensor {
    return this.constant(BigInt64Array.from(values.map((v) => BigInt(v))), [values.length], "int64");
  }

  addNode(op: string, inputs: (Tensor | null)[], attrs: Attrs, outs: { dtype: DType; shape: Dim[] }[]): Tensor[] {
    return this.addNodeFull(op, inputs, attrs, outs).outputs;
  }

  addNodeFull(op: string, inputs: (Tensor | null)[], attrs: Attrs, outs: { dtype: DType; shape: Dim[] }[], domain?: string): Node {
    // A node lives in the deepest graph among its inputs, so ops built on a Loop body's values land in the body
    // and ops on outer values only are hoisted out of the loop.
    let target: Graph = this;
    for (const t of inputs) if (t && t.graph.depth > target.depth) target = t.graph;
    if (target !== this) return target.addNodeFull(op, inputs, attrs, outs, domain);
    for (const t of inputs) {
      if (t && !this.owns(t)) throw new Error(`${op}: input ${t} belongs to another graph`);
    }
    const outputs = outs.map((o) => new Tensor(this, o.dtype, o.shape, "value"));
    const node: Node = { op, inputs, outputs, attrs, segment: this.currentSegment, ...(domain ? { domain } : {}) };
    for (const o of outputs) o.producer = node;
    this.nodes.push(node);
    return node;
  }

  get depth(): number {
    return this.parent ? this.parent.depth + 1 : 0;
  }

  output(name: string, t: Tensor): void {
    if (this.outputs.some((o) => o.name === name)) throw new Error(`graph output "${name}" declared twice`);
    this.outputs.push({ name, tensor: t });
  }

  /** Nodes built inside fn form a segment whose activations are recomputed in the backward pass. */
  checkpoint<T>(fn: () => T): T {
    const prev = this.currentSegment;
    this.currentSegment = ++this.segmentCounter;
    try {
      return fn();
    } finally {
      this.currentSegment = prev;
    }
  }
}
