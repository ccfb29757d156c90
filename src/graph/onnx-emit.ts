// Lowers a Graph to an ONNX ModelProto (opset 18). Weights become initializers, or graph inputs when the runtime
// feeds them (training, shared weights). Loop bodies are emitted as subgraphs that read outer values by name.
import onnxProto from "onnx-proto";
import { ONNX_DTYPE } from "./dtype.ts";
import type { TypedArray } from "./dtype.ts";
import type { Graph, Node, Tensor } from "./graph.ts";

const { onnx } = onnxProto;
export const OPSET = 18;

export interface EmitOptions {
  /** Parameters become graph inputs instead of initializers. */
  weightsAsInputs?: boolean;
  /** Initializers of at least this many bytes go to an external data file (protobuf caps a model at 2 GiB). */
  externalDataThreshold?: number;
}

/** One initializer stored outside the model bytes, at `offset` of the external data file. */
export interface ExternalChunk {
  offset: number;
  data: Uint8Array;
}

export const EXTERNAL_DATA_FILE = "weights.bin";

export interface EmittedModel {
  bytes: Uint8Array;
  /** Initializer data for EXTERNAL_DATA_FILE, in file order (empty unless externalDataThreshold was set). */
  external: ExternalChunk[];
  /** Graph inputs in order: declared inputs, then parameters when fed. */
  feeds: Tensor[];
  outputNames: string[];
}

/** What one emission accumulates: output names given to their producers, and the external data file. */
interface Emission {
  opts: EmitOptions;
  /** Main-graph outputs are named by their producers directly (no Identity copy of a large result). */
  alias: Map<number, string>;
  external: ExternalChunk[];
  externalSize: number;
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

function tensorProto(e: Emission, name: string, t: Tensor): onnxProto.onnx.ITensorProto {
  const raw = rawBytes(t.data!);
  const proto = { name, dataType: ONNX_DTYPE[t.dtype], dims: t.shape.map((d) => Number(d)) };
  if (raw.byteLength < (e.opts.externalDataThreshold ?? Infinity)) return { ...proto, rawData: raw };
  const offset = Math.ceil(e.externalSize / 64) * 64; // aligned so ORT can map it
  e.external.push({ offset, data: raw });
  e.externalSize = offset + raw.byteLength;
  return {
    ...proto,
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: "location", value: EXTERNAL_DATA_FILE },
      { key: "offset", value: String(offset) },
      { key: "length", value: String(raw.byteLength) },
    ],
  };
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
    const zero = dt === "int64" ? new BigInt64Array(1) : dt === "float64" ? new Float64Array(1) : dt === "int32" ? new Int32Array(1) : new Float32Array(1);
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
    nodes.push({
      opType: n.op,
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
  const e: Emission = { opts, alias: new Map(), external: [], externalSize: 0 };
  const graph = emitGraph(e, g, "hourllava", feeds);
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: "hourllava",
    opsetImport: [{ domain: "", version: OPSET }],
    graph,
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  return { bytes, external: e.external, feeds, outputNames: g.outputs.map((o) => o.name) };
}
