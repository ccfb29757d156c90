// Per-run overhead of a tiny compiled graph (µs), engine vs a raw ORT session of the same single op.
import * as ort from "onnxruntime-node";
import onnxProto from "onnx-proto";
import { Graph } from "../../src/graph/graph.ts";
import { add } from "../../src/graph/ops/elementwise.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { rawSession } from "../peak.ts";

const { onnx } = onnxProto;
const N = 2000;
const rt = new Runtime();
const g = new Graph();
g.output("y", add(g.input("x", "float32", [4]), 1));
const c = await rt.compile(g);
const x = { data: Float32Array.from([1, 2, 3, 4]), dims: [4] };
const vi = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 4 }] } } } });
const raw = await rawSession(
  onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: "", version: 18 }],
      graph: { name: "t", node: [{ opType: "Add", input: ["x", "x"], output: ["y"] }], input: [vi("x")], output: [vi("y")] },
    }),
  ).finish(),
);
const rawFeeds = { x: new ort.Tensor("float32", x.data, [4]) };
async function per(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await fn();
  return Number(process.hrtime.bigint() - t0) / 1e3 / N;
}
const eng = await per(() => c.run({ x }));
const r = await per(() => raw.run(rawFeeds));
console.log(JSON.stringify({ bench: "engine/overhead", engine_us: +eng.toFixed(1), raw_ort_us: +r.toFixed(1), engine_vs_raw: +(eng / r).toFixed(2) }));
