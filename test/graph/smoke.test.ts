import { test } from "node:test";
import assert from "node:assert/strict";
import { Graph } from "../../src/graph/graph.ts";
import { add, mul } from "../../src/graph/ops/elementwise.ts";
import { matmul } from "../../src/graph/ops/linalg.ts";
import { Runtime } from "../../src/graph/runtime.ts";

test("smoke: matmul + broadcast add through ORT", async () => {
  const g = new Graph();
  const x = g.input("x", "float32", ["N", 2]);
  const w = g.param("w", Float32Array.from([1, 2, 3, 4]), [2, 2]);
  const y = add(mul(matmul(x, w), 2), g.constant(Float32Array.from([10, 20]), [2]));
  g.output("y", y);
  const rt = new Runtime();
  const out = await rt.run(g, { x: { data: Float32Array.from([1, 1, 0, 1]), dims: [2, 2] } });
  assert.deepEqual(Array.from(out.y.data as Float32Array), [2 * 4 + 10, 2 * 6 + 20, 2 * 3 + 10, 2 * 4 + 20]);
});
