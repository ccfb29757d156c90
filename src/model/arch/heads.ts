// Reshaping between token rows [L, heads·d] and attention layout [1, heads, L, d].
import type { Tensor } from "../../graph/graph.ts";
import { reshape, transpose, unsqueeze } from "../../graph/ops/shape-ops.ts";

export function toHeads(x: Tensor, heads: number, headDim: number): Tensor {
  const L = x.shape[0];
  return transpose(unsqueeze(reshape(x, [L, heads, headDim]), [0]), [0, 2, 1, 3]);
}

export function fromHeads(x: Tensor): Tensor {
  const [, h, L, d] = x.shape;
  return reshape(transpose(x, [0, 2, 1, 3]), [L, (h as number) * (d as number)]);
}
