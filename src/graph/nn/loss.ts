// Token cross-entropy with an ignore index (torch semantics: mean over non-ignored targets).
import type { Tensor } from "../graph.ts";
import { cast, div, equal, maximum, mul, neg, not, where } from "../ops/elementwise.ts";
import { logSoftmax, reduceSum } from "../ops/reduce.ts";
import { gatherElements, squeeze, unsqueeze } from "../ops/shape-ops.ts";

/** logits [N, V], labels int64 [N] → scalar mean loss over labels != ignoreIndex (0 when all are ignored). */
export function crossEntropy(logits: Tensor, labels: Tensor, ignoreIndex = -100): Tensor {
  const valid = not(equal(labels, labels.graph.scalar(ignoreIndex, "int64")));
  const safe = where(valid, labels, labels.graph.scalar(0, "int64"));
  const lp = squeeze(gatherElements(logSoftmax(logits, -1), unsqueeze(safe, [-1]), 1), [1]);
  const mask = cast(valid, "float32");
  const total = reduceSum(mul(neg(lp), mask), [0]);
  return div(total, maximum(reduceSum(mask, [0]), 1));
}
