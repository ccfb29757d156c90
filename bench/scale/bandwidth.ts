// The machine's memory bandwidth as decoding meets it: an f32 matrix–vector product over a 1 GiB matrix (read
// once per run, far beyond the caches) in ONNX Runtime, with the threads the models use. (A ReduceSum over the
// same bytes reads only ~10 GB/s here against ~20 for the matrix–vector product, so it would understate the bound.)
import * as ort from "onnxruntime-node";
import os from "node:os";
import onnxProto from "onnx-proto";
import { timeIt } from "../peak.ts";

const { onnx } = onnxProto;

export async function measureBandwidthGBs(bytes = 1 << 30): Promise<number> {
  const rows = 1 << 14;
  const cols = bytes / 4 / rows;
  const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const model = onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: "", version: 18 }],
      graph: {
        name: "bw",
        node: [{ opType: "MatMul", input: ["m", "v"], output: ["y"] }],
        input: [vi("m", [rows, cols]), vi("v", [cols, 1])],
        output: [vi("y", [rows, 1])],
      },
    }),
  ).finish();
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: os.availableParallelism(), interOpNumThreads: 1 });
  const feeds = {
    m: new ort.Tensor("float32", new Float32Array(rows * cols).fill(1), [rows, cols]),
    v: new ort.Tensor("float32", new Float32Array(cols).fill(1), [cols, 1]),
  };
  const t = await timeIt(() => s.run(feeds), 5);
  await s.release();
  return bytes / t / 1e9;
}
