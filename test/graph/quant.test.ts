import { test } from "node:test";
import assert from "node:assert/strict";
import { Graph } from "../../src/graph/graph.ts";
import { linear } from "../../src/graph/ops/linalg.ts";
import { dequantizedMatMul, dynamicQuantizeMatMul, matMulNBits } from "../../src/graph/ops/quant-linear.ts";
import { dequantizeNBits, quantizeNBits } from "../../src/graph/quant/nbits.ts";
import type { NBits } from "../../src/graph/quant/nbits.ts";
import { dequantizeInt8, quantizeInt8 } from "../../src/graph/quant/int8.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { mulberry32 as seededRandom } from "../../src/util/prng.ts";

function randomMatrix(n: number, seed: number, scale = 1): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (r() - 0.5) * 2 * scale);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const rt = new Runtime({ threads: 1 });

for (const bits of [4, 8] as NBits[]) {
  test(`${bits}-bit blocks: every weight comes back within half a step of its block, zeros exactly`, () => {
    const N = 6;
    const K = 40; // not a multiple of the block: the last block is padded
    const w = randomMatrix(N * K, 1);
    w[3] = 0;
    const q = quantizeNBits(w, N, K, bits, 16);
    const back = dequantizeNBits(q);
    const blocks = 3;
    for (let n = 0; n < N; n++)
      for (let k = 0; k < K; k++) {
        const step = q.scales[n * blocks + Math.floor(k / 16)];
        assert.ok(Math.abs(back[n * K + k] - w[n * K + k]) <= step / 2 + 1e-7, `w[${n},${k}]`);
      }
    assert.equal(back[3], 0);
    assert.equal(q.qweight.length, N * blocks * ((16 * bits) / 8));
  });

  test(`MatMulNBits (${bits} bits) in ORT multiplies by exactly the host-dequantized weight`, async () => {
    const N = 24;
    const K = 72;
    const M = 5;
    const w = randomMatrix(N * K, 2);
    const x = randomMatrix(M * K, 3);
    const q = quantizeNBits(w, N, K, bits, 32);
    const g = new Graph();
    const xi = g.input("x", "float32", ["M", K]);
    const nb = { N, K, bits, blockSize: 32 };
    const t = {
      ...nb,
      qweight: g.param("w.qweight", q.qweight, [N, 3, (32 * bits) / 8]),
      scales: g.param("w.scales", q.scales, [N * 3]),
      zeros: g.param("w.qzeros", q.zeros, [q.zeros.length]),
    };
    g.output("exact", matMulNBits(xi, t, undefined, 0));
    g.output("int8", matMulNBits(xi, t, undefined, 4));
    const ref = new Graph();
    ref.output("y", linear(ref.input("x", "float32", ["M", K]), ref.param("w", dequantizeNBits(q), [N, K])));
    const feeds = { x: { data: x, dims: [M, K] } };
    const got = await rt.run(g, feeds);
    const want = (await rt.run(ref, feeds)).y.data as Float32Array;
    assert.ok(maxAbsDiff(got.exact.data as Float32Array, want) < 1e-4);
    // accuracy_level 4 quantizes activations per block to int8: ~1% of the output scale.
    const scale = Math.max(...want.map(Math.abs));
    assert.ok(maxAbsDiff(got.int8.data as Float32Array, want) < 0.02 * scale);
    assert.ok(maxAbsDiff(got.int8.data as Float32Array, want) > 0, "level 4 really runs in int8");
  });
}

test("int8 per-channel weights: within half a step, and DynamicQuantizeMatMul matches them within activation rounding", async () => {
  const N = 20;
  const K = 48;
  const M = 7;
  const w = randomMatrix(N * K, 4);
  const x = randomMatrix(M * K, 5);
  const bias = randomMatrix(N, 6);
  const q = quantizeInt8(w, N, K);
  const back = dequantizeInt8(q);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) assert.ok(Math.abs(back[n * K + k] - w[n * K + k]) <= q.scales[n] / 2 + 1e-7);
  const g = new Graph();
  const xi = g.input("x", "float32", [M, K]);
  g.output("y", dynamicQuantizeMatMul(xi, g.param("q", q.qweight, [K, N]), g.param("s", q.scales, [N]), g.param("b", bias, [N])));
  const ref = new Graph();
  ref.output("y", linear(ref.input("x", "float32", [M, K]), ref.param("w", back, [N, K]), ref.param("b", bias, [N])));
  const feeds = { x: { data: x, dims: [M, K] } };
  const got = (await rt.run(g, feeds)).y.data as Float32Array;
  const want = (await rt.run(ref, feeds)).y.data as Float32Array;
  const scale = Math.max(...want.map(Math.abs));
  const err = maxAbsDiff(got, want);
  assert.ok(err < 0.02 * scale, `error ${err} vs scale ${scale}`);
  assert.ok(err > 0);
});

test("int8 as DequantizeLinear + MatMul (GPU providers): exactly the linear of the dequantized weights", async () => {
  const [N, K, M] = [20, 48, 7];
  const q = quantizeInt8(randomMatrix(N * K, 14), N, K);
  const x = randomMatrix(M * K, 15);
  const bias = randomMatrix(N, 16);
  const g = new Graph();
  g.output("y", dequantizedMatMul(g.input("x", "float32", [M, K]), g.param("q", q.qweight, [K, N]), g.param("s", q.scales, [N]), g.param("b", bias, [N])));
  const ref = new Graph();
  ref.output("y", linear(ref.input("x", "float32", [M, K]), ref.param("w", dequantizeInt8(q), [N, K]), ref.param("b", bias, [N])));
  const feeds = { x: { data: x, dims: [M, K] } };
  // At ORT's "extended" level and above, the CPU provider fuses DequantizeLinear + MatMul into an int8 GEMM that
  // rounds the activations (measured: 5e-4 of the scale); "basic" runs the ops as written, as GPU providers do.
  const basic = new Runtime({ threads: 1, optimization: "basic" });
  const got = (await basic.run(g, feeds)).y.data as Float32Array;
  const want = (await basic.run(ref, feeds)).y.data as Float32Array;
  // The same products in f32, summed in possibly another order: a wrong scale axis would be off by O(1).
  assert.ok(maxAbsDiff(got, want) < 1e-5 * Math.max(...want.map(Math.abs)), `${maxAbsDiff(got, want)}`);
});
