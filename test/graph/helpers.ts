// Shared test helpers for the engine: deterministic random data and finite-difference gradient checks.
import assert from "node:assert/strict";
import { Graph } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/graph/graph.ts";
import { grad } from "../../src/graph/autodiff.ts";
import { mul } from "../../src/graph/ops/elementwise.ts";
import { reduceSum } from "../../src/graph/ops/reduce.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import type { HostTensor } from "../../src/graph/runtime.ts";

export const rt = new Runtime({ threads: 1 });

export function rand(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = ((s / 4294967296) * 2 - 1) * scale;
  }
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, "length mismatch");
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = "") {
  const d = maxAbsDiff(actual, expected);
  assert.ok(d <= tol, `${what} max abs diff ${d} > ${tol}`);
}

export interface GradInput {
  shape: number[];
  data?: Float32Array;
}

/**
 * Checks autodiff against central finite differences of loss = sum(f(x) * w) for fixed random w.
 * float32 throughout, so the documented tolerance is relative: |analytic - numeric| <= tol * max(1, |numeric|).
 */
export async function checkGrad(build: (g: Graph, xs: Tensor[]) => Tensor, inputs: GradInput[], tol = 2e-2, eps = 1e-2, seed = 7) {
  const data = inputs.map(
    (inp, i) =>
      inp.data ??
      rand(
        inp.shape.reduce((a, b) => a * b, 1),
        seed + 31 * i,
      ),
  );
  const g = new Graph();
  const xs = inputs.map((inp, i) => g.input(`x${i}`, "float32", inp.shape));
  const y = build(g, xs);
  const wShape = y.shape as number[];
  const w = g.constant(
    rand(
      wShape.reduce((a, b) => a * b, 1),
      seed + 999,
    ),
    wShape,
  );
  const loss = reduceSum(
    mul(y, w),
    y.shape.map((_, i) => i),
  );
  g.output("loss", loss);
  const grads = grad(loss, xs);
  grads.forEach((d, i) => g.output(`d${i}`, d));
  const compiled = await rt.compile(g);
  const feeds = (arrs: Float32Array[]) => {
    const f: Record<string, HostTensor> = {};
    arrs.forEach((a, i) => (f[`x${i}`] = { data: a, dims: inputs[i].shape }));
    return f;
  };
  const base = await compiled.run(feeds(data));
  for (let i = 0; i < inputs.length; i++) {
    const analytic = base[`d${i}`].data as Float32Array;
    for (let j = 0; j < data[i].length; j++) {
      const plus = data.map((a) => a.slice());
      const minus = data.map((a) => a.slice());
      plus[i][j] += eps;
      minus[i][j] -= eps;
      const lp = ((await compiled.run(feeds(plus))).loss.data as Float32Array)[0];
      const lm = ((await compiled.run(feeds(minus))).loss.data as Float32Array)[0];
      const numeric = (lp - lm) / (2 * eps);
      const err = Math.abs(analytic[j] - numeric);
      assert.ok(err <= tol * Math.max(1, Math.abs(numeric)), `input ${i}[${j}]: autodiff ${analytic[j]} vs finite difference ${numeric}`);
    }
  }
}

export async function runGraph(g: Graph, feeds: Record<string, HostTensor> = {}) {
  return rt.run(g, feeds);
}
