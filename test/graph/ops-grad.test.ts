// Every differentiable op's gradient against central finite differences (float32; relative tolerance 2e-2).
import { test } from "node:test";
import { add, div, erf, exp, log, maximum, mul, pow, sigmoid, sqrt, sub, tanh, where, less } from "../../src/graph/ops/elementwise.ts";
import { linear, matmul } from "../../src/graph/ops/linalg.ts";
import { concat, reshape, slice, transpose, unsqueeze, squeeze } from "../../src/graph/ops/shape-ops.ts";
import { logSoftmax, reduceMax, reduceMean, reduceSum, softmax } from "../../src/graph/ops/reduce.ts";
import { layerNorm, rmsNorm } from "../../src/graph/nn/norms.ts";
import { gelu, geluTanh, silu } from "../../src/graph/nn/activations.ts";
import { applyRotary, rotaryTables } from "../../src/graph/nn/rotary.ts";
import { bilinearResizeTokens } from "../../src/graph/nn/resize.ts";
import { crossEntropy } from "../../src/graph/nn/loss.ts";
import { embedding } from "../../src/graph/nn/embedding.ts";
import { checkGrad, rand } from "./helpers.ts";

const positive = (n: number, seed: number) => rand(n, seed).map((v) => Math.abs(v) + 0.5);

test("grad: add/sub/mul/div with broadcasting", () =>
  checkGrad((_g, [a, b]) => div(mul(sub(add(a, b), b), a), add(b, 3)), [{ shape: [2, 3] }, { shape: [3] }]));

test("grad: exp, log, sqrt, pow", () => checkGrad((_g, [a]) => add(add(exp(a), log(a)), add(sqrt(a), pow(a, 3))), [{ shape: [5], data: positive(5, 3) }]));

test("grad: tanh, erf, sigmoid, maximum", () =>
  // a and b stay at least 0.5 apart so no finite difference straddles maximum's kink.
  checkGrad(
    (_g, [a, b]) => add(add(tanh(a), erf(a)), mul(sigmoid(a), maximum(a, b))),
    [
      { shape: [6], data: Float32Array.from([-0.9, -0.3, 0.2, 0.7, 1.1, -1.4]) },
      { shape: [6], data: Float32Array.from([0.5, -1.0, 0.9, 0.1, 1.8, -0.6]) },
    ],
  ));

test("grad: batched matmul broadcasting a rank-2 weight, and linear", () =>
  checkGrad(
    (g, [a, b, w]) => linear(matmul(a, b), w, g.constant(Float32Array.from([0.1, 0.2]), [2])),
    [{ shape: [2, 2, 3] }, { shape: [3, 4] }, { shape: [2, 4] }],
  ));

test("grad: transpose, reshape, slice, concat, unsqueeze/squeeze", () =>
  checkGrad(
    (_g, [a]) => {
      const t = transpose(a, [1, 0]);
      const r = reshape(t, [2, 6]);
      const s = concat([slice(r, 1, 1, 4), slice(r, 1, 4)], 1);
      return squeeze(unsqueeze(mul(s, s), [0]), [0]);
    },
    [{ shape: [4, 3] }],
  ));

test("grad: gather (embedding rows, repeated ids) and where", () =>
  checkGrad(
    (g, [w, x]) => {
      const e = embedding(w, g.constant(BigInt64Array.from([2n, 0n, 2n]), [3], "int64"));
      return where(less(x, 0), mul(e, x), e);
    },
    [{ shape: [4, 2] }, { shape: [3, 2] }],
  ));

test("grad: reduce sum/mean/max, softmax, log-softmax", () =>
  checkGrad(
    (_g, [a]) => {
      const s = reduceSum(a, [1], true);
      const m = reduceMean(a, [0]);
      const mx = reduceMax(a, [1]);
      return add(add(mul(softmax(a, -1), s), logSoftmax(a, 0)), unsqueeze(add(m, sub(mx, mx)), [0]));
    },
    [{ shape: [3, 3] }],
  ));

test("grad: layer norm and RMS norm (input and weights)", () =>
  checkGrad((_g, [x, w, b]) => add(layerNorm(x, w, b, 1e-5), rmsNorm(x, w, 1e-6)), [{ shape: [3, 4] }, { shape: [4] }, { shape: [4] }]));

test("grad: gelu (erf), gelu (tanh), silu", () => checkGrad((_g, [x]) => add(add(gelu(x), geluTanh(x)), silu(x)), [{ shape: [7] }]));

test("grad: rotary embedding on half the head dims", () =>
  checkGrad((g, [x]) => applyRotary(x, rotaryTables(g.constant(BigInt64Array.from([0n, 3n, 7n]), [3], "int64"), 4, 10000), 4), [{ shape: [1, 2, 3, 8] }]));

test("grad: bilinear resize of a 3x3 grid to 2x2", () => checkGrad((_g, [x]) => bilinearResizeTokens(x, 3, 3, 2, 2), [{ shape: [2, 9, 2] }]));

test("grad: cross-entropy with ignored targets", () =>
  checkGrad((g, [l]) => crossEntropy(l, g.constant(BigInt64Array.from([1n, -100n, 3n]), [3], "int64")), [{ shape: [3, 4] }]));

test("grad: recomputed (checkpointed) segment gives the same gradients", () =>
  checkGrad(
    (g, [x, w]) => {
      const h = g.checkpoint(() => gelu(matmul(x, w)));
      return mul(h, h);
    },
    [{ shape: [2, 3] }, { shape: [3, 3] }],
  ));
