// The machine's fp32 reference peak for ratios: measured as the best rate of a large raw ORT MatMul session
// (what the hardware delivers through ORT's MLAS kernels), since clocks and vector widths cannot be read reliably
// inside a VM. The design notes record about 166 GFLOP/s on the 2-core CI machine.
import * as ort from "onnxruntime-node";
import os from "node:os";
import onnxProto from "onnx-proto";

const { onnx } = onnxProto;

export function matmulModel(m: number, k: number, n: number): Uint8Array {
  const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: "", version: 18 }],
    graph: {
      name: "raw",
      node: [{ opType: "MatMul", input: ["a", "b"], output: ["c"] }],
      input: [vi("a", [m, k]), vi("b", [k, n])],
      output: [vi("c", [m, n])],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

export async function rawSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: os.availableParallelism(), interOpNumThreads: 1, graphOptimizationLevel: "all" });
}

/** Median seconds of `reps` runs after one warm-up. */
export async function timeIt(fn: () => Promise<unknown>, reps: number): Promise<number> {
  await fn();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)];
}

export function randomArray(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5;
  return a;
}

export async function measurePeak(): Promise<number> {
  const s = 2048;
  const sess = await rawSession(matmulModel(s, s, s));
  const feeds = { a: new ort.Tensor("float32", randomArray(s * s), [s, s]), b: new ort.Tensor("float32", randomArray(s * s), [s, s]) };
  const t = await timeIt(() => sess.run(feeds), 5);
  await sess.release();
  return (2 * s * s * s) / t / 1e9;
}
