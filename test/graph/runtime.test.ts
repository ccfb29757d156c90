import { test } from "node:test";
import assert from "node:assert/strict";
import { Graph } from "../../src/graph/graph.ts";
import { mul } from "../../src/graph/ops/elementwise.ts";
import { Runtime, availableDevices } from "../../src/graph/runtime.ts";
import { emitModel } from "../../src/graph/onnx-emit.ts";
import { CUDA_HELP } from "../../src/graph/gpu-setup.ts";
import onnxProto from "onnx-proto";

function build() {
  const g = new Graph();
  const x = g.input("x", "float32", ["N"]);
  g.output("y", mul(x, 3));
  return g;
}

// Tied to behaviour, not to one ORT build: whichever providers this build ships, each one listed opens a Runtime
// and each one not listed is refused with exactly that list.
test("an unavailable execution provider is refused with the list of available ones", (t) => {
  const avail = availableDevices();
  for (const device of avail) assert.equal(new Runtime({ device }).device, device);
  const missing = (["cpu", "webgpu", "cuda"] as const).filter((d) => !avail.includes(d));
  if (missing.length === 0) return t.skip("this onnxruntime-node build ships every provider; nothing to refuse");
  for (const device of missing) {
    const listed = `device "${device}" is not available in this onnxruntime-node build; available: ${avail.join(", ")}`;
    // CUDA's provider is installed apart from the package: the error says how.
    const help = device === "cuda" ? `. ${CUDA_HELP}` : "";
    assert.throws(() => new Runtime({ device }), { code: "device_unavailable", message: listed + help });
  }
});

test("sessions are cached by structural signature across separately built graphs", async () => {
  const rt = new Runtime({ threads: 1 });
  const a = await rt.compile(build());
  const b = await rt.compile(build());
  assert.equal(a, b);
  assert.equal(rt.cachedSessions, 1);
});

test("bad feeds: missing, unknown, wrong rank and wrong element count", async () => {
  const rt = new Runtime({ threads: 1 });
  const c = await rt.compile(build());
  await assert.rejects(c.run({}), /missing graph input "x" \(float32\[N\]\)/);
  await assert.rejects(
    c.run({ x: { data: new Float32Array(2), dims: [2] }, z: { data: new Float32Array(1), dims: [1] } }),
    /unknown graph input "z"; inputs are x/,
  );
  await assert.rejects(c.run({ x: { data: new Float32Array(2), dims: [1, 2] } }), /input "x": expected rank 1 \[N\], got \[1, 2\]/);
  await assert.rejects(c.run({ x: { data: new Float32Array(3), dims: [2] } }), /input "x": 3 values for dims \[2\]/);
});

test("emission is standard ONNX opset 18 with weights as initializers or as inputs", () => {
  const g = new Graph();
  const x = g.input("x", "float32", [2]);
  const w = g.param("w", Float32Array.from([1, 2]), [2]);
  g.output("y", mul(x, w));
  const asInit = onnxProto.onnx.ModelProto.decode(emitModel(g).bytes);
  assert.equal(Number(asInit.opsetImport[0].version), 18);
  assert.deepEqual(asInit.graph!.initializer!.map((t) => t.name).sort(), ["w"]);
  const asInput = emitModel(g, { weightsAsInputs: true });
  const m = onnxProto.onnx.ModelProto.decode(asInput.bytes);
  assert.deepEqual(
    m.graph!.input!.map((i) => i.name),
    ["x", "w"],
  );
  assert.equal(m.graph!.initializer!.length, 0);
  assert.deepEqual(
    asInput.feeds.map((t) => t.name),
    ["x", "w"],
  );
});

test("weights can live in an external data file (models over protobuf's 2 GiB cap)", async () => {
  const g = new Graph();
  const x = g.input("x", "float32", [3]);
  const w = g.param(
    "w",
    Float32Array.from({ length: 300 }, (_, i) => i),
    [100, 3],
  );
  g.output("y", mul(x, w));
  const m = emitModel(g, { externalDataThreshold: 1024 });
  assert.equal(m.external.length, 1);
  assert.equal(m.external[0].data.byteLength, 1200);
  const proto = onnxProto.onnx.ModelProto.decode(m.bytes);
  assert.equal(proto.graph!.initializer![0].dataLocation, onnxProto.onnx.TensorProto.DataLocation.EXTERNAL);
  assert.ok(m.bytes.byteLength < 1200, "data is not inside the model bytes");
});

test("a session built from external data computes the same result", async () => {
  const build = () => {
    const g = new Graph();
    const x = g.input("x", "float32", [3]);
    g.output(
      "y",
      mul(
        x,
        g.param(
          "w",
          Float32Array.from({ length: 600 }, (_, i) => i / 7),
          [200, 3],
        ),
      ),
    );
    return g;
  };
  const feeds = { x: { data: Float32Array.from([1, -2, 3]), dims: [3] } };
  const inline = await new Runtime({ threads: 1 }).run(build(), feeds);
  const ext = await new Runtime({ threads: 1, externalDataAbove: 100 }).run(build(), feeds);
  assert.deepEqual(ext.y.data, inline.y.data);
});
