// Lowers a Graph to an ONNX ModelProto (opset 18). Weights become initializers, or graph inputs when the runtime
// feeds them (training, shared weights). Loop bodies are emitted as subgraphs that read outer values by name.
import onnxProto from "onnx-proto";
import { ONNX_DTYPE } from "./dtype.ts";
import type { TypedArray } from "./dtype.ts";
import type { Graph, Node, Tensor } from "./graph.ts";

const { onnx } = onnxProto;
export const OPSET = 18;

/** Where initializers too large for the model bytes go (protobuf caps a model at 2 GiB). */
export interface ExternalSink {
  /** Location (relative path, as the runtime resolves it) of the file that `write` appends to. */
  readonly location: string;
  /** Stores bytes; returns their offset in that file. The caller may drop `bytes` afterwards. */
  write(bytes: Uint8Array): number;
  /** Location under which the model names an existing file holding file-backed weights. */
  locate(path: string): string;
}

export interface EmitOptions {
  /** Parameters become graph inputs instead of initializers. */
  weightsAsInputs?: boolean;
  /** Initializers of at least this many bytes go to the external sink. */
  externalDataThreshold?: number;
  /** Default: an in-memory sink whose chunks come back in `external`. */
  sink?: ExternalSink;
}

/** One initializer stored outside the model bytes, at `offset` of the external data file. */
export interface ExternalChunk {
  offset: number;
  data: Uint8Array;
}

export const EXTERNAL_DATA_FILE = "weights.bin";

/** Collects external data in memory (tests, small models); file-backed weights keep their absolute path. */
export function memorySink(chunks: ExternalChunk[]): ExternalSink {
  let size = 0;
  return {
    location: EXTERNAL_DATA_FILE,
    write(data) {
      const offset = alignExternal(size);
      chunks.push({ offset, data });
      size = offset + data.byteLength;
      return offset;
    },
    locate: (path) => path,
  };
}

/** Offsets are 64-byte aligned so ORT can map the data. */
export function alignExternal(offset: number): number {
  return Math.ceil(offset / 64) * 64;
}

export interface EmittedModel {
  bytes: Uint8Array;
  /** Initializer data written to the default in-memory sink, in file order (empty with a caller's sink). */
  external: ExternalChunk[];
  /** Graph inputs in order: declared inputs, then parameters when fed. */
  feeds: Tensor[];
  outputNames: string[];
}

/** What one emission accumulates: output names given to their producers, and the operator domains used. */
interface Emission {
  opts: EmitOptions;
  /** Main-graph outputs are named by their producers directly (no Identity copy of a large result). */
  alias: Map<number, string>;
  sink: ExternalSink;
  domains: Set<string>;
}

function tensorName(e: Emission, t: Tensor): string {
  const alias = e.alias.get(t.id);
  if (alias) return alias;
  if (t.role === "param") return t.name!;
  if (t.role === "input" && t.graph.depth === 0) return t.name!;
  return `t${t.id}`;
}

function rawBytes(a: TypedArray): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function externalProto(proto: onnxProto.onnx.ITensorProto, location: string, offset: number, length: number): onnxProto.onnx.ITensorProto {
  return {
    ...proto,
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: "location", value: location },
      { key: "offset", value: String(offset) },
      { key: "length", value: String(length) },
    ],
  };
}

function tensorProto(e: Emission, name: string, t: Tensor): onnxProto.onnx.ITensorProto {
  const proto = { name, dataType: ONNX_DTYPE[t.dtype], dims: t.shape.map((d) => Number(d)) };
  // File-backed weights are referenced where they lie: their bytes never pass through JS.
  if (t.file) return externalProto(proto, e.sink.locate(t.file.path), t.file.offset, t.file.length);
  const raw = rawBytes(t.data ?? t.load!());
  if (raw.byteLength < (e.opts.externalDataThreshold ?? Infinity)) return { ...proto, rawData: raw };
  return externalProto(proto, e.sink.location, e.sink.write(raw), raw.byteLength);
}

function valueInfo(name: string, t: Tensor, withSymbols: boolean): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE[t.dtype],
        shape: { dim: t.shape.map((d) => (typeof d === "number" ? { dimValue: d } : withSymbols ? { dimParam: d } : {})) },
      },
    },
  };
}

function attributes(node: Node, emitSub: (g: Graph) => onnxProto.onnx.IGraphProto): onnxProto.onnx.IAttributeProto[] {
  const A = onnx.AttributeProto.AttributeType;
  const out: onnxProto.onnx.IAttributeProto[] = [];
  for (const [name, a] of Object.entries(node.attrs)) {
    if (name.startsWith("__")) continue;
    switch (a.kind) {
      case "int":
        out.push({ name, type: A.INT, i: a.value });
        break;
      case "ints":
        out.push({ name, type: A.INTS, ints: a.value });
        break;
      case "float":
        out.push({ name, type: A.FLOAT, f: a.value });
        break;
      case "floats":
        out.push({ name, type: A.FLOATS, floats: a.value });
        break;
      case "string":
        out.push({ name, type: A.STRING, s: new TextEncoder().encode(a.value) });
        break;
      case "graph":
        out.push({ name, type: A.GRAPH, g: emitSub(a.value) });
        break;
    }
  }
  if (node.op === "ConstantOfShape") {
    const dt = node.outputs[0].dtype;
    const zero =
      dt === "int64"
        ? new BigInt64Array(1)
        : dt === "float64"
          ? new Float64Array(1)
          : dt === "int32"
            ? new Int32Array(1)
            : dt === "float16"
              ? new Uint16Array(1)
              : new Float32Array(1);
    out.push({ name: "value", type: A.TENSOR, t: { dataType: ONNX_DTYPE[dt], dims: [1], rawData: rawBytes(zero) } });
  }
  return out;
}

function emitGraph(e: Emission, g: Graph, name: string, feeds: Tensor[] | undefined): onnxProto.onnx.IGraphProto {
  const nameOf = (t: Tensor) => tensorName(e, t);
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [];
  const extraInputs: onnxProto.onnx.IValueInfoProto[] = [];
  const seen = new Set<number>();
  const isMain = g.depth === 0;

  // Constants and parameters are emitted in the graph that owns them, whoever reads them (bodies included).
  const visitConsts = (nodesOf: Node[]) => {
    for (const n of nodesOf) {
      for (const t of n.inputs) {
        if (!t || t.graph !== g || seen.has(t.id)) continue;
        if (t.role === "const" || t.role === "param") {
          seen.add(t.id);
          const nm = nameOf(t);
          if (t.role === "param" && e.opts.weightsAsInputs && isMain) {
            extraInputs.push(valueInfo(nm, t, true));
            feeds?.push(t);
          } else if (isMain) initializers.push(tensorProto(e, nm, t));
          else nodes.push({ opType: "Constant", input: [], output: [nm], attribute: [{ name: "value", type: 4, t: tensorProto(e, nm, t) }] });
        }
      }
      for (const a of Object.values(n.attrs)) if (a.kind === "graph") visitConsts(a.value.nodes);
    }
  };
  visitConsts(g.nodes);
  for (const o of g.outputs) {
    const t = o.tensor;
    if ((t.role === "const" || t.role === "param") && t.graph === g && !seen.has(t.id)) visitConsts([{ op: "Identity", inputs: [t], outputs: [], attrs: {} }]);
  }

  if (isMain) {
    for (const o of g.outputs) {
      const t = o.tensor;
      if (t.role === "value" && !e.alias.has(t.id) && t.graph === g) e.alias.set(t.id, o.name);
    }
  }
  const emitSub = (sub: Graph) => emitGraph(e, sub, `${name}_body${sub.nodes.length}`, undefined);
  for (const n of g.nodes) {
    if (n.domain) e.domains.add(n.domain);
    nodes.push({
      opType: n.op,
      ...(n.domain ? { domain: n.domain } : {}),
      input: n.inputs.map((t) => (t ? nameOf(t) : "")),
      output: n.outputs.map(nameOf),
      attribute: attributes(n, emitSub),
    });
  }
  const outputs: onnxProto.onnx.IValueInfoProto[] = [];
  for (const o of g.outputs) {
    const src = nameOf(o.tensor);
    const outName = isMain ? o.name : `${src}_out${outputs.length}`;
    if (src !== outName) nodes.push({ opType: "Identity", input: [src], output: [outName] });
    outputs.push(valueInfo(outName, o.tensor, false));
  }
  const inputs = g.inputs.map((t) => valueInfo(nameOf(t), t, true));
  return { name, node: nodes, initializer: initializers, input: [...inputs, ...extraInputs], output: outputs };
}

export function emitModel(g: Graph, opts: EmitOptions = {}): EmittedModel {
  if (g.outputs.length === 0) throw new Error("emitModel: the graph has no outputs");
  const feeds: Tensor[] = [...g.inputs];
  const external: ExternalChunk[] = [];
  const e: Emission = { opts, alias: new Map(), sink: opts.sink ?? memorySink(external), domains: new Set() };
  const graph = emitGraph(e, g, "hourllava", feeds);
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "hourllava",
    opsetImport: [{ domain: "", version: OPSET }, ...[...e.domains].map((domain) => ({ domain, version: 1 }))],
    graph,
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  return { bytes, external, feeds, outputNames: g.outputs.map((o) => o.name) };
}
