// The machine's memory bandwidth as ONNX Runtime sees it: ReduceSum over a 1 GiB f32 tensor (read once per
// run, far beyond the caches), with the same threads the models use. Decode speed is bounded by it.
import * as ort from "onnxruntime-node";
import os from "node:os";
import onnxProto from "onnx-proto";
import { timeIt } from "../peak.ts";

const { onnx } = onnxProto;

export async function measureBandwidthGBs(bytes = 1 << 30): Promise<number> {
  const n = bytes / 4;
  const vi = (name: string, dims: number[]) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const model = onnx.ModelProto.encode(
    onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: "", version: 18 }],
      graph: {
        name: "bw",
        node: [{ opType: "ReduceSum", input: ["x"], output: ["y"], attribute: [{ name: "keepdims", type: 2, i: 0 }] }],
        input: [vi("x", [n])],
        output: [vi("y", [])],
      },
    }),
  ).finish();
  const s = await ort.InferenceSession.create(model, { intraOpNumThreads: os.availableParallelism(), interOpNumThreads: 1 });
  const x = new ort.Tensor("float32", new Float32Array(n).fill(1), [n]);
  const t = await timeIt(() => s.run({ x }), 5);
  await s.release();
  return bytes / t / 1e9;
}
