// Attention whose working set is bounded at run time: when every score fits the budget (a decode step, a short
// prompt) one materialised score matrix, which has no loop overhead; otherwise key chunks sized for the budget.
// The choice is an ONNX If on the run-time shapes, so one graph serves prefill and decoding.
import { attr, Graph } from "../graph.ts";
import type { Tensor } from "../graph.ts";
import { less, mul } from "../ops/elementwise.ts";
import { squeeze } from "../ops/shape-ops.ts";
import { attention, dimScalar, scoreRows } from "./attention.ts";
import { chunkedAttention } from "./long-attention.ts";

/** bool scalar: all scores (B·H·Lq·Lk in f32, as the materialised path keeps them) fit in `scoreBytes`. */
export function fitsBudget(q: Tensor, k: Tensor, scoreBytes: number): Tensor {
  return less(mul(mul(squeeze(scoreRows(q), [0]), dimScalar(k, 2)), 4), Math.floor(scoreBytes) + 1);
}

/** q [B, H, Lq, d], k/v [B, Hkv, Lk, d] → [B, H, Lq, d], scores bounded by about `scoreBytes`. Forward only. */
export function boundedAttention(q: Tensor, k: Tensor, v: Tensor, opts: { causal?: boolean; scoreBytes: number }): Tensor {
  const g = q.graph;
  const branch = (body: (q: Tensor, k: Tensor, v: Tensor) => Tensor) => {
    const b = new Graph(g);
    // Identity in the branch anchors what follows there (ops on outer values alone would be hoisted out).
    const [qi, ki, vi] = [q, k, v].map((t) => b.addNode("Identity", [t], {}, [{ dtype: t.dtype, shape: [...t.shape] }])[0]);
    b.output("o", body(qi, ki, vi));
    return b;
  };
  const whole = branch((q, k, v) => attention(q, k, v, { causal: opts.causal }));
  const chunked = branch((q, k, v) => chunkedAttention(q, k, v, { causal: opts.causal, scoreBytes: opts.scoreBytes }));
  const cond = fitsBudget(q, k, opts.scoreBytes);
  return g.addNode("If", [cond], { then_branch: attr.graph(whole), else_branch: attr.graph(chunked) }, [{ dtype: q.dtype, shape: [...q.shape] }])[0];
}
