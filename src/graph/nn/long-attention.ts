// Attention over long memories in KV chunks with an online softmax, as an ONNX Loop: peak memory is
// O(queries × chunk) whatever the number of keys. Chunks are sliced straight from K/V (the last one is shorter;
// no padded copy of the memory is made).
// The backward is a second Loop over the same chunks (flash-attention style: P is recomputed from the saved
// log-sum-exp, dK/dV come out per chunk as scan outputs, dQ is carried).
import { Graph, attr } from "../graph.ts";
import type { Tensor } from "../graph.ts";
import { add, div, exp, less, log, maximum, minimum, mul, sub, where } from "../ops/elementwise.ts";
import { matmul } from "../ops/linalg.ts";
import { reduceMax, reduceSum } from "../ops/reduce.ts";
import {
  concat,
  dimOf,
  pad,
  range,
  reshape,
  shapeOf,
  slice,
  sliceDynamic,
  squeeze,
  transpose,
  transposeLast,
  unsqueeze,
  zerosOfShape,
} from "../ops/shape-ops.ts";
import type { AttentionOptions } from "./attention.ts";
import { causalLimit, groupQueries, headGroups, scoreRows, ungroupQueries } from "./attention.ts";
import { bytesPerElement, maskedScore } from "../dtype.ts";

export interface ChunkedAttentionOptions extends AttentionOptions {
  /** Keys per chunk (default 4096). */
  chunk?: number;
  /** Instead of a fixed chunk: keys per chunk chosen at run time so one chunk's scores (all heads × queries ×
   * keys) take about this many bytes, within [MIN_CHUNK, MAX_CHUNK]. Long prompts get small chunks (bounded
   * memory), a single decode step gets one chunk (no loop overhead). Forward only. */
  scoreBytes?: number;
}

export const MIN_CHUNK = 256;
export const MAX_CHUNK = 1 << 16;

interface Prepared {
  q5: Tensor;
  k: Tensor;
  v: Tensor;
  /** Causal limit per query row [Lq, 1], or undefined when every key is visible. */
  lim?: Tensor;
  trip: Tensor;
  lk: Tensor;
  /** A number, or an int64 [1] tensor computed at run time (scoreBytes). */
  chunk: number | Tensor;
  scale: number;
}

/** Keys per chunk for a score budget: clamp(budget / (bytes per key column), MIN_CHUNK, MAX_CHUNK), int64 [1]. */
export function runtimeChunk(q5: Tensor, scoreBytes: number): Tensor {
  const g = q5.graph;
  const perKey = mul(scoreRows(q5), bytesPerElement(q5.dtype));
  return minimum(maximum(div(g.ints([Math.floor(scoreBytes)]), perKey), MIN_CHUNK), MAX_CHUNK);
}

function prepare(q: Tensor, k: Tensor, v: Tensor, opts: ChunkedAttentionOptions): Prepared {
  const groups = headGroups("chunkedAttention", q, k);
  const q5 = groupQueries(q, groups);
  const chunk = opts.scoreBytes !== undefined ? runtimeChunk(q5, opts.scoreBytes) : (opts.chunk ?? 4096);
  const scale = opts.scale ?? 1 / Math.sqrt(q.shape[3] as number);
  const lk = dimOf(k, 2);
  const nChunks = div(sub(add(lk, chunk), 1), chunk);
  return {
    q5,
    k,
    v,
    lim: opts.causal ? causalLimit(q, k) : undefined,
    trip: squeeze(nChunks, [0]),
    lk,
    chunk,
    scale,
  };
}

/** Inside a Loop body: chunk i's keys/values as [B, Hkv, 1, c, d] (c ≤ chunk) and its scores [B, Hkv, g, Lq, c]. */
function chunkScores(p: Prepared, iter: Tensor) {
  const g = iter.graph;
  const start = mul(unsqueeze(iter, [0]), p.chunk);
  const end = add(start, p.chunk); // Slice clamps the last chunk to the keys there are
  const shape = [p.k.shape[0], p.k.shape[1], "c", p.k.shape[3]];
  const k2 = sliceDynamic(p.k, start, end, [2], shape);
  const kc = unsqueeze(k2, [2]);
  const vc = unsqueeze(sliceDynamic(p.v, start, end, [2], shape), [2]);
  let s = mul(matmul(p.q5, transposeLast(kc)), p.scale);
  if (p.lim) {
    const kj = range(squeeze(start, [0]), squeeze(add(start, dimOf(k2, 2)), [0]), g.scalar(1, "int64"), "c");
    s = where(less(kj, p.lim), s, maskedScore(s.dtype));
  }
  return { kc, vc, s, len: dimOf(k2, 2) };
}

function loop(outer: Graph, trip: Tensor, body: Graph, initial: Tensor[], outShapes: { dtype: Tensor["dtype"]; shape: Tensor["shape"] }[]) {
  return outer.addNodeFull(
    "Loop",
    [trip, null, ...initial],
    { body: attr.graph(body) },
    outShapes.map((o) => ({ dtype: o.dtype, shape: [...o.shape] })),
  );
}

/** q [B, H, Lq, d], k/v [B, Hkv, Lk, d] → [B, H, Lq, d]; same result as attention(), bounded memory. */
export function chunkedAttention(q: Tensor, k: Tensor, v: Tensor, opts: ChunkedAttentionOptions = {}): Tensor {
  const g = q.graph;
  const p = prepare(q, k, v, opts);
  const q5 = p.q5;
  const rowShape = [...q5.shape.slice(0, 4), 1];
  const rowShapeT = concat([slice(shapeOf(q5), 0, 0, 4), g.ints([1])], 0);
  const dt = q.dtype; // the running max, sum and accumulator stay in the compute dtype
  const m0 = add(zerosOfShape(rowShapeT, rowShape, dt), maskedScore(dt));
  const l0 = zerosOfShape(rowShapeT, rowShape, dt);
  const acc0 = zerosOfShape(shapeOf(q5), [...q5.shape], dt);

  const body = new Graph(g);
  const iter = body.input("iter", "int64", []);
  const cond = body.input("cond", "bool", []);
  const m = body.input("m", dt, rowShape);
  const l = body.input("l", dt, rowShape);
  const acc = body.input("acc", dt, [...q5.shape]);
  const { vc, s } = chunkScores(p, iter);
  const mNew = maximum(m, reduceMax(s, [-1], true));
  const pr = exp(sub(s, mNew));
  const corr = exp(sub(m, mNew));
  body.output("cond", cond);
  body.output("m", mNew);
  body.output("l", add(mul(l, corr), reduceSum(pr, [-1], true)));
  body.output("acc", add(mul(acc, corr), matmul(pr, vc)));

  const node = loop(g, p.trip, body, [m0, l0, acc0], [m, l, acc]);
  const [mF, lF, accF] = node.outputs;
  const o5 = div(accF, lF);
  const lse = add(mF, log(lF));
  const out = ungroupQueries(o5, q);
  out.custom = { inputs: [q, k, v], vjp: (dOut) => chunkedAttentionBackward(p, q, k, o5, lse, dOut) };
  return out;
}

function staticChunk(p: Prepared): number {
  if (typeof p.chunk !== "number") throw new Error("chunkedAttention: the gradient needs a fixed chunk (`chunk`, not `scoreBytes`)");
  return p.chunk;
}

function chunkedAttentionBackward(p: Prepared, q: Tensor, k: Tensor, o5: Tensor, lse: Tensor, dOut: Tensor): Tensor[] {
  const g = q.graph;
  const chunk = staticChunk(p);
  const dO5 = groupQueries(dOut, p.q5.shape[2] as number);
  const D = reduceSum(mul(dO5, o5), [-1], true);
  const body = new Graph(g);
  const iter = body.input("iter", "int64", []);
  const cond = body.input("cond", "bool", []);
  const dq = body.input("dq", "float32", [...p.q5.shape]);
  const { kc, vc, s, len } = chunkScores(p, iter);
  const pr = exp(sub(s, lse)); // [B, Hkv, g, Lq, c]
  const dp = matmul(dO5, transposeLast(vc));
  const ds = mul(pr, sub(dp, D));
  // Scan outputs must have one shape per iteration: the short last chunk's dK/dV are zero-padded to `chunk`.
  const pads = concat([body.ints([0, 0, 0, 0, 0, 0]), sub(body.ints([chunk]), len), body.ints([0])], 0);
  const full = [p.k.shape[0], p.k.shape[1], chunk, p.k.shape[3]];
  const dv = pad(reduceSum(matmul(transposeLast(pr), dO5), [2]), pads, full); // [B, Hkv, chunk, d]
  const dk = pad(mul(reduceSum(matmul(transposeLast(ds), p.q5), [2]), p.scale), pads, full);
  body.output("cond", cond);
  body.output("dq", add(dq, mul(matmul(ds, kc), p.scale)));
  body.output("dk", dk);
  body.output("dv", dv);
  const scanShape = ["nChunks", ...dk.shape];
  const node = loop(
    g,
    p.trip,
    body,
    [zerosOfShape(shapeOf(p.q5), [...p.q5.shape])],
    [
      { dtype: "float32", shape: [...p.q5.shape] },
      { dtype: "float32", shape: scanShape },
      { dtype: "float32", shape: scanShape },
    ],
  );
  const [dq5, dks, dvs] = node.outputs;
  const unchunk = (x: Tensor) => {
    const t = transpose(x, [1, 2, 0, 3, 4]); // [B, Hkv, n, c, d]
    const flat = reshape(t, [t.shape[0], t.shape[1], -1, t.shape[4]]);
    return sliceDynamic(flat, g.ints([0]), p.lk, [2], [...k.shape]);
  };
  return [ungroupQueries(dq5, q), unchunk(dks), unchunk(dvs)];
}
