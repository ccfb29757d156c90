// Token embedding lookup.
import type { Tensor } from "../graph.ts";
import { gather } from "../ops/shape-ops.ts";

export function embedding(weight: Tensor, ids: Tensor): Tensor {
  return gather(weight, ids, 0);
}
