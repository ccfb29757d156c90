// Chunked (online-softmax) attention equals the materialised reference, in values and gradients.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Graph } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/graph/graph.ts";
import { grad } from "../../src/graph/autodiff.ts";
import { mul } from "../../src/graph/ops/elementwise.ts";
import { reduceSum } from "../../src/graph/ops/reduce.ts";
import { attention } from "../../src/graph/nn/attention.ts";
import { chunkedAttention, MAX_CHUNK, MIN_CHUNK, runtimeChunk } from "../../src/graph/nn/long-attention.ts";
import { groupQueries } from "../../src/graph/nn/attention.ts";
import { assertClose, checkGrad, rand, rt } from "./helpers.ts";

interface Case {
  H: number;
  Hkv: number;
  Lq: number;
  Lk: number;
  d: number;
  causal: boolean;
  chunk: number;
}

async function compare(c: Case) {
  const data = {
    q: rand(c.H * c.Lq * c.d, 11),
    k: rand(c.Hkv * c.Lk * c.d, 12),
    v: rand(c.Hkv * c.Lk * c.d, 13),
    w: rand(c.H * c.Lq * c.d, 14),
  };
  const results: Record<string, Float32Array>[] = [];
  for (const impl of ["naive", "chunked"] as const) {
    const g = new Graph();
    const q = g.input("q", "float32", [1, c.H, "Lq", c.d]);
    const k = g.input("k", "float32", [1, c.Hkv, "Lk", c.d]);
    const v = g.input("v", "float32", [1, c.Hkv, "Lk", c.d]);
    const w = g.input("w", "float32", [1, c.H, "Lq", c.d]);
    const o: Tensor = impl === "naive" ? attention(q, k, v, { causal: c.causal }) : chunkedAttention(q, k, v, { causal: c.causal, chunk: c.chunk });
    const loss = reduceSum(mul(o, w), [0, 1, 2, 3]);
    const [dq, dk, dv] = grad(loss, [q, k, v]);
    g.output("o", o);
    g.output("dq", dq);
    g.output("dk", dk);
    g.output("dv", dv);
    const out = await rt.run(g, {
      q: { data: data.q, dims: [1, c.H, c.Lq, c.d] },
      k: { data: data.k, dims: [1, c.Hkv, c.Lk, c.d] },
      v: { data: data.v, dims: [1, c.Hkv, c.Lk, c.d] },
      w: { data: data.w, dims: [1, c.H, c.Lq, c.d] },
    });
    assert.deepEqual(out.dk.dims, [1, c.Hkv, c.Lk, c.d]);
    results.push(Object.fromEntries(Object.entries(out).map(([key, t]) => [key, t.data as Float32Array])));
  }
  for (const key of ["o", "dq", "dk", "dv"]) assertClose(results[1][key], results[0][key], 2e-5, `${JSON.stringify(c)} ${key}`);
}

test("chunked = naive: non-causal, GQA 4/2, ragged last chunk (37 keys, chunk 8)", () =>
  compare({ H: 4, Hkv: 2, Lq: 5, Lk: 37, d: 8, causal: false, chunk: 8 }));

test("chunked = naive: causal, GQA 4/1, queries at the end of the keys", () => compare({ H: 4, Hkv: 1, Lq: 6, Lk: 21, d: 4, causal: true, chunk: 5 }));

test("chunked = naive: causal self-attention Lq = Lk, MHA", () => compare({ H: 2, Hkv: 2, Lq: 9, Lk: 9, d: 4, causal: true, chunk: 4 }));

test("chunked = naive: chunk larger than K", () => compare({ H: 2, Hkv: 1, Lq: 3, Lk: 7, d: 4, causal: false, chunk: 64 }));

/** Forward only: chunk sizes chosen at run time from a score budget. */
async function compareBudget(c: Omit<Case, "chunk"> & { scoreBytes: number }) {
  const data = { q: rand(c.H * c.Lq * c.d, 21), k: rand(c.Hkv * c.Lk * c.d, 22), v: rand(c.Hkv * c.Lk * c.d, 23) };
  const out: Float32Array[] = [];
  for (const impl of ["naive", "budget"] as const) {
    const g = new Graph();
    const q = g.input("q", "float32", [1, c.H, "Lq", c.d]);
    const k = g.input("k", "float32", [1, c.Hkv, "Lk", c.d]);
    const v = g.input("v", "float32", [1, c.Hkv, "Lk", c.d]);
    g.output("o", impl === "naive" ? attention(q, k, v, { causal: c.causal }) : chunkedAttention(q, k, v, { causal: c.causal, scoreBytes: c.scoreBytes }));
    const r = await rt.run(g, {
      q: { data: data.q, dims: [1, c.H, c.Lq, c.d] },
      k: { data: data.k, dims: [1, c.Hkv, c.Lk, c.d] },
      v: { data: data.v, dims: [1, c.Hkv, c.Lk, c.d] },
    });
    out.push(r.o.data as Float32Array);
  }
  assertClose(out[1], out[0], 2e-5, JSON.stringify(c));
}

test("run-time chunks: keys per chunk follow the score budget, clamped", async () => {
  const chunkFor = async (H: number, Lq: number, scoreBytes: number) => {
    const g = new Graph();
    const q = g.input("q", "float32", [1, H, "Lq", 8]);
    g.output("c", runtimeChunk(groupQueries(q, 2), scoreBytes));
    return Number((await rt.run(g, { q: { data: new Float32Array(H * Lq * 8), dims: [1, H, Lq, 8] } })).c.data[0]);
  };
  assert.equal(await chunkFor(4, 1000, 4 * 4000 * 1000), 1000); // 4 heads × 1000 queries × 4 bytes per key
  assert.equal(await chunkFor(4, 1000, 1000), MIN_CHUNK);
  assert.equal(await chunkFor(4, 1, 1 << 30), MAX_CHUNK);
});

test("run-time chunks = naive: long keys in ragged chunks of MIN_CHUNK, non-causal GQA", () =>
  compareBudget({ H: 4, Hkv: 2, Lq: 3, Lk: 3 * MIN_CHUNK + 17, d: 8, causal: false, scoreBytes: 1 }));

test("run-time chunks = naive: causal prompt over several chunks, then one chunk for a decode step", async () => {
  await compareBudget({ H: 2, Hkv: 1, Lq: 600, Lk: 600, d: 4, causal: true, scoreBytes: 2 * 600 * 4 * 300 });
  await compareBudget({ H: 2, Hkv: 1, Lq: 1, Lk: 601, d: 4, causal: true, scoreBytes: 2 * 600 * 4 * 300 });
});

test("run-time chunks refuse a gradient (its scan outputs need a fixed chunk)", async () => {
  await assert.rejects(
    async () =>
      checkGrad((_g, [q, k, v]) => chunkedAttention(q, k, v, { scoreBytes: 1 }), [{ shape: [1, 2, 2, 2] }, { shape: [1, 1, 5, 2] }, { shape: [1, 1, 5, 2] }]),
    /the gradient needs a fixed chunk/,
  );
});

test("naive attention gradient against finite differences (causal GQA)", () =>
  checkGrad((_g, [q, k, v]) => attention(q, k, v, { causal: true }), [{ shape: [1, 2, 3, 2] }, { shape: [1, 1, 4, 2] }, { shape: [1, 1, 4, 2] }]));

test("chunked attention gradient against finite differences", () =>
  checkGrad((_g, [q, k, v]) => chunkedAttention(q, k, v, { chunk: 3 }), [{ shape: [1, 2, 2, 2] }, { shape: [1, 1, 5, 2] }, { shape: [1, 1, 5, 2] }]));

test("GQA shape errors are clear", () => {
  const g = new Graph();
  const q = g.input("q", "float32", [1, 3, 2, 4]);
  const k = g.input("k", "float32", [1, 2, 2, 4]);
  assert.throws(() => attention(q, k, k), /attention: query heads 3 must be a multiple of KV heads 2/);
});
