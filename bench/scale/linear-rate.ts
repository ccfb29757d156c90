// The engine's rate for one linear layer in each precision the models use, built through the same graph layer
// and ops as the models: the "same precision" matmul baselines that MemAug and prefill are compared against.
import { Graph } from "../../src/graph/graph.ts";
import type { Tensor } from "../../src/graph/graph.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { linear } from "../../src/graph/ops/linalg.ts";
import { dynamicQuantizeMatMul, matMulNBits } from "../../src/graph/ops/quant-linear.ts";
import { quantizeInt8 } from "../../src/graph/quant/int8.ts";
import { nbitsShapes, quantizeNBits } from "../../src/graph/quant/nbits.ts";
import { randomArray, timeIt } from "../peak.ts";

export type LinearPrecision = "f32" | "int8" | "nbits4" | "nbits8";

/** GFLOP/s of x [M, K] @ W [N, K]ᵀ in one precision (median of `reps` runs). */
export async function linearRate(precision: LinearPrecision, M: number, K: number, N: number, reps = 5): Promise<number> {
  const g = new Graph();
  const x = g.input("x", "float32", [M, K]);
  const w = randomArray(N * K).map((v) => v * 0.05);
  let y: Tensor;
  if (precision === "f32") y = linear(x, g.param("w", w, [N, K]));
  else if (precision === "int8") {
    const q = quantizeInt8(w, N, K);
    y = dynamicQuantizeMatMul(x, g.param("q", q.qweight, [K, N]), g.param("s", q.scales, [N]));
  } else {
    const bits = precision === "nbits4" ? 4 : 8;
    const q = quantizeNBits(w, N, K, bits, 32);
    const s = nbitsShapes(N, K, bits, 32);
    y = matMulNBits(x, {
      qweight: g.param("q", q.qweight, s.qweight),
      scales: g.param("s", q.scales, s.scales),
      zeros: g.param("z", q.zeros, s.zeros),
      N,
      K,
      bits,
      blockSize: 32,
    });
  }
  g.output("y", y);
  const rt = new Runtime();
  const c = await rt.compile(g);
  const feeds = { x: { data: randomArray(M * K), dims: [M, K] } };
  const s = await timeIt(() => c.run(feeds), reps);
  await rt.release();
  return (2 * M * K * N) / s / 1e9;
}
