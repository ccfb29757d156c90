// Reverse-mode autodiff: appends the backward of `loss` to its graph and returns d(loss)/d(wrt).
// Values produced inside checkpoint segments are recomputed for the backward (behind a run-time multiply by
// one, so ORT's common-subexpression pass cannot merge the copy back into the forward).
import type { Graph, Node, Tensor } from "./graph.ts";
import { RECOMPUTE_ONE } from "./graph.ts";
import { isFloat } from "./dtype.ts";
import { NON_DIFFERENTIABLE, RULES } from "./grad-rules.ts";
import { add, mul } from "./ops/elementwise.ts";
import { expandLike, zerosLike } from "./ops/shape-ops.ts";
import { neededNodes } from "./liveness.ts";

function recomputer(g: Graph) {
  const copies = new Map<number, Tensor>();
  let one: Tensor | undefined;
  const barrier = (t: Tensor): Tensor => {
    if (!isFloat(t.dtype)) return t;
    one ??= g.inputs.find((i) => i.name === RECOMPUTE_ONE) ?? g.input(RECOMPUTE_ONE, "float32", []);
    return mul(t, one);
  };
  const fwd = (t: Tensor): Tensor => {
    const node = t.producer;
    if (!node || node.segment === undefined) return t;
    const hit = copies.get(t.id);
    if (hit) return hit;
    const ins = node.inputs.map((i) => {
      if (!i) return null;
      if (i.producer && i.producer.segment === node.segment) return fwd(i);
      return i.role === "const" ? i : barrier(i);
    });
    const clone = g.addNodeFull(
      node.op,
      ins,
      node.attrs,
      node.outputs.map((o) => ({ dtype: o.dtype, shape: [...o.shape] })),
    );
    node.outputs.forEach((o, k) => copies.set(o.id, clone.outputs[k]));
    return copies.get(t.id)!;
  };
  return fwd;
}

export function grad(loss: Tensor, wrt: Tensor[]): Tensor[] {
  const g = loss.graph;
  // Tensors that depend on some wrt (forward scan): only they receive gradients, so frozen parts of a model
  // (a vision tower that is not trained, say) get no backward at all.
  const depends = new Set<number>(wrt.map((w) => w.id));
  for (const n of g.nodes) {
    if (n.inputs.some((i) => i && depends.has(i.id))) for (const o of n.outputs) depends.add(o.id);
    for (const o of n.outputs) if (o.custom && o.custom.inputs.some((i) => depends.has(i.id))) depends.add(o.id);
  }
  // ... and that lie on a path to loss.
  const needed = new Set<number>();
  const stack = [loss];
  const producersOnPath = new Set<Node>();
  while (stack.length) {
    const t = stack.pop()!;
    if (needed.has(t.id) || !depends.has(t.id)) continue;
    needed.add(t.id);
    const srcs = t.custom ? t.custom.inputs : (t.producer?.inputs ?? []);
    if (t.producer && !t.custom) producersOnPath.add(t.producer);
    for (const i of srcs) if (i) stack.push(i);
  }
  const grads = new Map<number, Tensor>();
  const accumulate = (t: Tensor, d: Tensor | null) => {
    if (!d || !isFloat(t.dtype) || !needed.has(t.id)) return;
    const prev = grads.get(t.id);
    grads.set(t.id, prev ? add(prev, d) : d);
  };
  grads.set(loss.id, loss.rank === 0 ? g.scalar(1) : expandLike(g.scalar(1), loss));
  const fwd = recomputer(g);
  const nodes = [...g.nodes];
  const start = nodes.length;
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    const custom = n.outputs.find((o) => o.custom && needed.has(o.id) && grads.has(o.id));
    if (custom) {
      const ds = custom.custom!.vjp(grads.get(custom.id)!);
      custom.custom!.inputs.forEach((inp, k) => accumulate(inp, ds[k]));
      continue;
    }
    if (!producersOnPath.has(n) || NON_DIFFERENTIABLE.has(n.op)) continue;
    const dys = n.outputs.map((o) => grads.get(o.id));
    if (dys.every((d) => !d)) continue;
    const rule = RULES[n.op];
    if (!rule) throw new Error(`no gradient rule for op ${n.op}`);
    const filled = n.outputs.map((o, k) => dys[k] ?? zerosLike(o));
    const dxs = rule(n, filled, fwd);
    n.inputs.forEach((inp, k) => inp && accumulate(inp, dxs[k] ?? null));
  }
  const out = wrt.map((w) => grads.get(w.id) ?? zerosLike(w));
  // Keep only the backward the wanted gradients need: the rules also build the gradients of frozen inputs.
  const keep = neededNodes(g, out);
  const backward = g.nodes.splice(start);
  for (const n of backward) if (keep.has(n)) g.nodes.push(n);
  return out;
}
