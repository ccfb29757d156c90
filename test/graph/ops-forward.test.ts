import { test } from "node:test";
import assert from "node:assert/strict";
import { Graph } from "../../src/graph/graph.ts";
import { add, div, mul, sub, where, less } from "../../src/graph/ops/elementwise.ts";
import { matmul, linear } from "../../src/graph/ops/linalg.ts";
import { concat, gather, reshape, slice, transpose } from "../../src/graph/ops/shape-ops.ts";
import { reduceMax, reduceMean, reduceSum, softmax } from "../../src/graph/ops/reduce.ts";
import { layerNorm, rmsNorm } from "../../src/graph/nn/norms.ts";
import { gelu, geluTanh, silu } from "../../src/graph/nn/activations.ts";
import { applyRotary, rotaryTables } from "../../src/graph/nn/rotary.ts";
import { bilinearMatrix, bilinearResizeTokens } from "../../src/graph/nn/resize.ts";
import { crossEntropy } from "../../src/graph/nn/loss.ts";
import { ShapeError } from "../../src/graph/shape.ts";
import { assertClose, runGraph } from "./helpers.ts";

const f32 = (...v: number[]) => Float32Array.from(v);

test("broadcasting over symbolic and numeric dims: [N,1,3] op [2,1]", async () => {
  const g = new Graph();
  const a = g.input("a", "float32", ["N", 1, 3]);
  const b = g.input("b", "float32", [2, 1]);
  const y = sub(add(a, b), mul(div(a, 2), b));
  assert.deepEqual(y.shape, ["N", 2, 3]);
  g.output("y", y);
  const out = await runGraph(g, { a: { data: f32(1, 2, 3), dims: [1, 1, 3] }, b: { data: f32(10, 20), dims: [2, 1] } });
  assert.deepEqual(out.y.dims, [1, 2, 3]);
  // a + b - (a/2)*b
  const exp = [1, 2, 3].map((x) => x + 10 - (x / 2) * 10).concat([1, 2, 3].map((x) => x + 20 - (x / 2) * 20));
  assertClose(out.y.data as Float32Array, exp, 1e-5);
});

test("shape errors name the op and both shapes", () => {
  const g = new Graph();
  const a = g.input("a", "float32", [2, 3]);
  const b = g.input("b", "float32", [4, 5]);
  assert.throws(
    () => add(a, b),
    (e: Error) => e instanceof ShapeError && e.message === "Add: cannot broadcast [2, 3] with [4, 5]",
  );
  assert.throws(() => matmul(a, b), /MatMul: inner dims differ: \[2, 3\] @ \[4, 5\]/);
  assert.throws(() => reshape(a, [4, 2]), /Reshape: cannot reshape \[2, 3\] \(6 elements\) to \[4, 2\]/);
  assert.throws(() => transpose(a, [0, 0]), /Transpose: perm \[0,0\] does not fit \[2, 3\]/);
});

test("matmul batched with broadcast, linear = x W^T + b", async () => {
  const g = new Graph();
  const x = g.input("x", "float32", [2, 1, 2]);
  const w = g.constant(f32(1, 0, 0, 1, 1, 1), [3, 2]);
  const bias = g.constant(f32(0.5, -0.5, 1), [3]);
  g.output("y", linear(x, w, bias));
  const out = await runGraph(g, { x: { data: f32(1, 2, 3, 4), dims: [2, 1, 2] } });
  assert.deepEqual(Array.from(out.y.data as Float32Array), [1.5, 1.5, 4, 3.5, 3.5, 8]);
});

test("slice / concat / gather / transpose / reshape with a symbolic dim", async () => {
  const g = new Graph();
  const x = g.input("x", "float32", ["L", 4]);
  const s = slice(x, 1, 1, 3); // [L, 2]
  const c = concat([s, slice(x, 1, 0, 1)], 1); // [L, 3]
  const t = transpose(c, [1, 0]); // [3, L]
  const r = reshape(t, [-1]);
  const ga = gather(x, g.ints([2, 0]), 0);
  g.output("r", r);
  g.output("ga", ga);
  const out = await runGraph(g, { x: { data: f32(0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23), dims: [3, 4] } });
  assert.deepEqual(Array.from(out.r.data as Float32Array), [1, 11, 21, 2, 12, 22, 0, 10, 20]);
  assert.deepEqual(Array.from(out.ga.data as Float32Array), [20, 21, 22, 23, 0, 1, 2, 3]);
});

test("reductions, softmax, where", async () => {
  const g = new Graph();
  const x = g.input("x", "float32", [2, 3]);
  g.output("s", reduceSum(x, [1]));
  g.output("m", reduceMean(x, [0], true));
  g.output("mx", reduceMax(x, [-1]));
  g.output("sm", softmax(x, -1));
  g.output("w", where(less(x, 2), x, 0));
  const out = await runGraph(g, { x: { data: f32(1, 2, 3, 4, 5, 6), dims: [2, 3] } });
  assert.deepEqual(Array.from(out.s.data as Float32Array), [6, 15]);
  assert.deepEqual(Array.from(out.m.data as Float32Array), [2.5, 3.5, 4.5]);
  assert.deepEqual(Array.from(out.mx.data as Float32Array), [3, 6]);
  const e = [1, 2, 3].map(Math.exp);
  const z = e[0] + e[1] + e[2];
  assertClose(out.sm.data as Float32Array, [...e.map((v) => v / z), ...e.map((v) => v / z)], 1e-6);
  assert.deepEqual(Array.from(out.w.data as Float32Array), [1, 0, 0, 0, 0, 0]);
});

test("LayerNorm, RMSNorm, GELU (erf, tanh), SiLU against hand-computed values", async () => {
  const g = new Graph();
  const x = g.input("x", "float32", [1, 4]);
  const w = g.constant(f32(1, 2, 1, 0.5), [4]);
  const b = g.constant(f32(0, 1, 0, 0), [4]);
  g.output("ln", layerNorm(x, w, b, 1e-5));
  g.output("rms", rmsNorm(x, w, 1e-6));
  g.output("gelu", gelu(x));
  g.output("gt", geluTanh(x));
  g.output("silu", silu(x));
  const xs = [-1, 0, 1, 2];
  const out = await runGraph(g, { x: { data: f32(...xs), dims: [1, 4] } });
  const mean = 0.5;
  const v = xs.reduce((a, c) => a + (c - mean) ** 2, 0) / 4;
  const ln = xs.map((c, i) => ((c - mean) / Math.sqrt(v + 1e-5)) * [1, 2, 1, 0.5][i] + [0, 1, 0, 0][i]);
  assertClose(out.ln.data as Float32Array, ln, 1e-5, "layernorm");
  const rms = Math.sqrt(xs.reduce((a, c) => a + c * c, 0) / 4 + 1e-6);
  assertClose(
    out.rms.data as Float32Array,
    xs.map((c, i) => (c / rms) * [1, 2, 1, 0.5][i]),
    1e-5,
    "rmsnorm",
  );
  // erf(-1/√2) = -0.6826894921, erf(1/√2) = 0.6826894921, erf(√2) = 0.9544997361
  assertClose(out.gelu.data as Float32Array, [-0.5 * (1 - 0.6826894921), 0, 0.5 * (1 + 0.6826894921), 1 + 0.9544997361], 1e-6, "gelu");
  const gt = xs.map((c) => 0.5 * c * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (c + 0.044715 * c ** 3))));
  assertClose(out.gt.data as Float32Array, gt, 1e-6, "gelu tanh");
  assertClose(
    out.silu.data as Float32Array,
    xs.map((c) => c / (1 + Math.exp(-c))),
    1e-6,
    "silu",
  );
});

test("rotary on the first half of a head's dims with explicit positions", async () => {
  const g = new Graph();
  const x = g.input("x", "float32", [1, 1, 2, 8]);
  const pos = g.constant(BigInt64Array.from([0n, 5n]), [2], "int64");
  g.output("y", applyRotary(x, rotaryTables(pos, 4, 100), 4));
  const xs = Array.from({ length: 16 }, (_, i) => i + 1);
  const out = await runGraph(g, { x: { data: f32(...xs), dims: [1, 1, 2, 8] } });
  const exp: number[] = [];
  for (const [row, p] of [
    [0, 0],
    [1, 5],
  ]) {
    const r = xs.slice(row * 8, row * 8 + 8);
    const inv = [1, 1 / 10]; // 1/100^(0/4), 1/100^(2/4)
    const rot = [0, 1].map((i) => r[i] * Math.cos(p * inv[i]) - r[i + 2] * Math.sin(p * inv[i]));
    const rot2 = [0, 1].map((i) => r[i + 2] * Math.cos(p * inv[i]) + r[i] * Math.sin(p * inv[i]));
    exp.push(...rot, ...rot2, ...r.slice(4));
  }
  assertClose(out.y.data as Float32Array, exp, 1e-5);
});

test("bilinear matrix matches torch interpolate(align_corners=False) 27->8 weights", () => {
  const m = bilinearMatrix(27, 8);
  // torch: src = 27/8*(i+0.5)-0.5; i=0 -> 1.1875: 0.8125*x1 + 0.1875*x2; i=7 -> 24.8125: 0.1875*x24 + 0.8125*x25
  assertClose([m[1], m[2]], [0.8125, 0.1875], 1e-7);
  assertClose([m[7 * 27 + 24], m[7 * 27 + 25]], [0.1875, 0.8125], 1e-7);
  for (let i = 0; i < 8; i++) assertClose([m.slice(i * 27, i * 27 + 27).reduce((a, b) => a + b, 0)], [1], 1e-6);
  // upsampling clamps at the border: 2 -> 4, out 0: src=-0.25 -> 0 -> weight 1 on x0
  const u = bilinearMatrix(2, 4);
  assertClose(u, [1, 0, 0.75, 0.25, 0.25, 0.75, 0, 1], 1e-7);
});

test("bilinear token resize on a 3x3 grid to 2x2", async () => {
  const g = new Graph();
  const x = g.input("x", "float32", [1, 9, 1]);
  g.output("y", bilinearResizeTokens(x, 3, 3, 2, 2));
  const out = await runGraph(g, { x: { data: f32(0, 1, 2, 3, 4, 5, 6, 7, 8), dims: [1, 9, 1] } });
  // src = 1.5*(i+0.5)-0.5 = 0.25, 1.75
  const row = (r: number) => [0.25, 1.75].map((c) => r * 3 + c);
  const exp = [0.25, 1.75].flatMap((r) => row(r));
  assertClose(out.y.data as Float32Array, exp, 1e-6);
});

test("cross-entropy with ignore index averages only valid targets", async () => {
  const g = new Graph();
  const logits = g.input("l", "float32", [3, 2]);
  const labels = g.input("y", "int64", [3]);
  g.output("loss", crossEntropy(logits, labels));
  const out = await runGraph(g, {
    l: { data: f32(0, 0, 1, 3, 2, 0), dims: [3, 2] },
    y: { data: BigInt64Array.from([0n, -100n, 0n]), dims: [3] },
  });
  const l0 = Math.log(2);
  const l2 = -(2 - Math.log(Math.exp(2) + 1));
  assertClose(out.loss.data as Float32Array, [(l0 + l2) / 2], 1e-6);
});
