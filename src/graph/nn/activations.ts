// GELU (exact erf and tanh forms) and SiLU.
import type { Tensor } from "../graph.ts";
import { add, div, erf, mul, pow, sigmoid, tanh } from "../ops/elementwise.ts";

/** torch.nn.GELU() / F.gelu: 0.5·x·(1 + erf(x/√2)). */
export function gelu(x: Tensor): Tensor {
  return mul(mul(x, add(erf(div(x, Math.SQRT2)), 1)), 0.5);
}

/** gelu_pytorch_tanh: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
export function geluTanh(x: Tensor): Tensor {
  const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return mul(mul(x, add(tanh(inner), 1)), 0.5);
}

export function silu(x: Tensor): Tensor {
  return mul(x, sigmoid(x));
}
