// End to end through the engine: a two-layer MLP trained by autodiff + AdamW fits a toy regression.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Graph } from "../../src/graph/graph.ts";
import { grad } from "../../src/graph/autodiff.ts";
import { mul, sub } from "../../src/graph/ops/elementwise.ts";
import { linear } from "../../src/graph/ops/linalg.ts";
import { reduceMean } from "../../src/graph/ops/reduce.ts";
import { silu } from "../../src/graph/nn/activations.ts";
import { adamwStep, newAdamWState } from "../../src/train/adamw.ts";
import type { HostTensor } from "../../src/graph/runtime.ts";
import { rand, rt } from "./helpers.ts";

test("a 2-layer MLP trained with AdamW drives the loss down more than 100x", async () => {
  const N = 64;
  const x = rand(N * 2, 5, 2);
  const y = new Float32Array(N);
  for (let i = 0; i < N; i++) y[i] = Math.sin(x[2 * i]) + 0.5 * x[2 * i + 1] * x[2 * i + 1];
  const params = new Map<string, Float32Array>([
    ["w1", rand(32 * 2, 1, 0.7)],
    ["b1", new Float32Array(32)],
    ["w2", rand(32, 2, 0.2)],
    ["b2", new Float32Array(1)],
  ]);
  const shapes: Record<string, number[]> = { w1: [32, 2], b1: [32], w2: [1, 32], b2: [1] };
  const g = new Graph();
  const xin = g.input("x", "float32", ["N", 2]);
  const yin = g.input("y", "float32", ["N", 1]);
  const p = Object.fromEntries([...params].map(([k, v]) => [k, g.param(k, v, shapes[k])]));
  const pred = linear(silu(linear(xin, p.w1, p.b1)), p.w2, p.b2);
  const err = sub(pred, yin);
  const loss = reduceMean(mul(err, err), [0, 1]);
  g.output("loss", loss);
  const grads = grad(loss, Object.values(p));
  Object.keys(p).forEach((k, i) => g.output(`d_${k}`, grads[i]));
  const step = await rt.compile(g, { weightsAsInputs: true });
  const state = newAdamWState();
  const feeds = { x: { data: x, dims: [N, 2] }, y: { data: y, dims: [N, 1] } };
  const losses: number[] = [];
  for (let it = 0; it < 600; it++) {
    const fed = new Map<string, HostTensor>([...params].map(([k, v]) => [k, { data: v, dims: shapes[k] }]));
    const out = await step.run(feeds, fed);
    losses.push((out.loss.data as Float32Array)[0]);
    const gr = new Map([...params.keys()].map((k) => [k, out[`d_${k}`].data as Float32Array]));
    adamwStep(params, gr, state, { lr: it < 400 ? 3e-2 : 5e-3, maxGradNorm: 10 });
  }
  const first = losses[0];
  const last = Math.min(...losses.slice(-20));
  assert.ok(first / last > 100, `loss ${first} -> ${last} (ratio ${first / last})`);
});

test("AdamW: bias-corrected first step moves each weight by lr against the gradient sign; decay is decoupled", () => {
  const p = new Map([["w", Float32Array.from([1, -1, 0.5])]]);
  const g = new Map([["w", Float32Array.from([0.3, -2, 1e-3])]]);
  const s = newAdamWState();
  adamwStep(p, g, s, { lr: 0.1, weightDecay: 0.5, eps: 0 });
  // decoupled decay w*(1 - lr*wd), then -lr*sign(g) since |m̂/√v̂| = 1 on the first step
  const w = p.get("w")!;
  assert.ok(Math.abs(w[0] - (1 * 0.95 - 0.1)) < 1e-6);
  assert.ok(Math.abs(w[1] - (-1 * 0.95 + 0.1)) < 1e-6);
  assert.ok(Math.abs(w[2] - (0.5 * 0.95 - 0.1)) < 1e-6);
  assert.equal(s.step, 1);
});

test("AdamW clips by global norm and refuses non-finite gradients", () => {
  const p = new Map([["a", Float32Array.from([0, 0])]]);
  const s = newAdamWState();
  const norm = adamwStep(p, new Map([["a", Float32Array.from([3, 4])]]), s, { lr: 1, maxGradNorm: 1 });
  assert.equal(norm, 5);
  assert.throws(() => adamwStep(p, new Map([["a", Float32Array.from([NaN, 1])]]), s, { lr: 1 }), /AdamW: gradient norm is NaN; refusing to update/);
});
