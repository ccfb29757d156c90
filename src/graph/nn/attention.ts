// Multi-head attention with grouped KV heads, materialising the score matrix (the reference path, and the
// fastest one for short sequences). Queries are grouped per KV head so K/V are never repeated in memory.
import type { Tensor } from "../graph.ts";
import { maskedScore } from "../dtype.ts";
import { add, cast, less, mul, sub, where } from "../ops/elementwise.ts";
import { matmul } from "../ops/linalg.ts";
import { reduceProd, softmax } from "../ops/reduce.ts";
import { dimOf, range, reshape, shapeOf, slice, squeeze, transposeLast, unsqueeze } from "../ops/shape-ops.ts";
import type { Dim } from "../shape.ts";
import { ShapeError } from "../shape.ts";

export interface AttentionOptions {
  causal?: boolean;
  /** Defaults to 1/sqrt(head_dim). */
  scale?: number;
}

export function headGroups(op: string, q: Tensor, k: Tensor): number {
  const H = q.shape[1];
  const Hkv = k.shape[1];
  if (typeof H !== "number" || typeof Hkv !== "number" || H % Hkv !== 0) {
    throw new ShapeError(op, `query heads ${H} must be a multiple of KV heads ${Hkv}`);
  }
  if (q.rank !== 4 || k.rank !== 4) throw new ShapeError(op, `expected [B, heads, L, d] tensors, got q [${q.shape}] k [${k.shape}]`);
  return H / Hkv;
}

/** int64 scalar (rank 0) holding the run-time size of x's axis. */
export function dimScalar(x: Tensor, axis: number): Tensor {
  return squeeze(dimOf(x, axis), [0]);
}

/** int64 [1]: score rows of queries [..., L, d] (the product of every dim but the last: B·H·Lq, grouped or not). */
export function scoreRows(q: Tensor): Tensor {
  return reduceProd(slice(shapeOf(q), 0, 0, q.rank - 1), [0], true);
}

/** Causal limit per query row: key j is visible to query i iff j < lim[i] = i + 1 + (Lk - Lq). Shape [Lq, 1]. */
export function causalLimit(q: Tensor, k: Tensor): Tensor {
  const g = q.graph;
  const lq = dimScalar(q, 2);
  const lk = dimScalar(k, 2);
  const qi = range(g.scalar(0, "int64"), lq, g.scalar(1, "int64"), q.shape[2]);
  return unsqueeze(add(qi, add(sub(lk, lq), g.scalar(1, "int64"))), [-1]);
}

export function groupQueries(q: Tensor, groups: number): Tensor {
  const [B, H, L, d] = q.shape;
  return reshape(q, [B, (H as number) / groups, groups, L, d]);
}

export function ungroupQueries(o: Tensor, like: Tensor): Tensor {
  const [B, H, L, d] = like.shape;
  return reshape(o, [B, H, L, d] as Dim[]);
}

/** q [B, H, Lq, d], k/v [B, Hkv, Lk, d] → [B, H, Lq, d]. Scores are masked and softmaxed in f32 whatever the
 * compute dtype (as transformers' eager attention does), then the probabilities return to it. */
export function attention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  const groups = headGroups("attention", q, k);
  const d = q.shape[3] as number;
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  const q5 = groupQueries(q, groups);
  let s = cast(mul(matmul(q5, transposeLast(unsqueeze(k, [2]))), scale), "float32"); // [B, Hkv, g, Lq, Lk]
  if (opts.causal) {
    const g = q.graph;
    const kj = range(g.scalar(0, "int64"), dimScalar(k, 2), g.scalar(1, "int64"), k.shape[2]);
    s = where(less(kj, causalLimit(q, k)), s, maskedScore(s.dtype));
  }
  const o = matmul(cast(softmax(s, -1), q.dtype), unsqueeze(v, [2]));
  return ungroupQueries(o, q);
}
