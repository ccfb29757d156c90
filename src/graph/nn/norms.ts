// LayerNorm and RMSNorm written as the primitive patterns ORT's optimiser fuses back into single kernels,
// so the forward runs fused and autodiff only needs primitive rules. Half-precision inputs are normalised in f32
// and cast back before the affine part, as transformers' Qwen2RMSNorm and autocast's layer_norm do.
import type { Tensor } from "../graph.ts";
import { add, cast, div, mul, pow, sqrt, sub } from "../ops/elementwise.ts";
import { reduceMean } from "../ops/reduce.ts";

/** fn on x in f32, the result in x's dtype (a no-op pair of casts is never emitted for f32). */
function inF32(x: Tensor, fn: (x32: Tensor) => Tensor): Tensor {
  return cast(fn(cast(x, "float32")), x.dtype);
}

export function layerNorm(x: Tensor, weight: Tensor, bias: Tensor | undefined, eps: number): Tensor {
  const normed = inF32(x, (x32) => {
    const d = sub(x32, reduceMean(x32, [-1], true));
    return div(d, sqrt(add(reduceMean(pow(d, 2), [-1], true), eps)));
  });
  const y = mul(normed, weight);
  return bias ? add(y, bias) : y;
}

export function rmsNorm(x: Tensor, weight: Tensor, eps: number): Tensor {
  const normed = inF32(x, (x32) => div(x32, sqrt(add(reduceMean(pow(x32, 2), [-1], true), eps))));
  return mul(normed, weight);
}
