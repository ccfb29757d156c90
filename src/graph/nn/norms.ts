// LayerNorm and RMSNorm written as the primitive patterns ORT's optimiser fuses back into single kernels,
// so the forward runs fused and autodiff only needs primitive rules.
import type { Tensor } from "../graph.ts";
import { add, div, mul, pow, sqrt, sub } from "../ops/elementwise.ts";
import { reduceMean } from "../ops/reduce.ts";

export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor | undefined, eps: number): Tensor {
  const mean = reduceMean(x, [-1], true);
  const d = sub(x, mean);
  const variance = reduceMean(pow(d, 2), [-1], true);
  const y = mul(div(d, sqrt(add(variance, eps))), weight);
  return bias ? add(y, bias) : y;
}

export function rmsNorm(x: Tensor, weight: Tensor, eps: number): Tensor {
  const variance = reduceMean(pow(x, 2), [-1], true);
  return mul(div(x, sqrt(add(variance, eps))), weight);
}
