// Vector-Jacobian products for the primitive ops. Each rule gets the node, the gradient of each output and a
// `fwd` accessor (which returns recomputed copies inside checkpointed segments) and returns input gradients.
import type { Node, Tensor } from "./graph.ts";
import { isFloat } from "./dtype.ts";
import { cast, cos, div, equal, exp, greaterOrEqual, mul, neg, pow, sin, sub, where } from "./ops/elementwise.ts";
import { matmul } from "./ops/linalg.ts";
import { reduceSum } from "./ops/reduce.ts";
import {
  concat,
  dimOf,
  expandLike,
  pad,
  reshapeTo,
  scatterAdd,
  scatterElementsAdd,
  shapeOf,
  split,
  transpose,
  transposeLast,
  unsqueeze,
  zerosLike,
} from "./ops/shape-ops.ts";

export type Fwd = (t: Tensor) => Tensor;
export type Rule = (n: Node, dy: Tensor[], fwd: Fwd) => (Tensor | null)[];

/** Sum a broadcast gradient back to x's shape. */
export function sumTo(d: Tensor, x: Tensor): Tensor {
  const lead = d.rank - x.rank;
  const axes: number[] = [];
  for (let i = 0; i < lead; i++) axes.push(i);
  x.shape.forEach((dim, i) => {
    if (dim === 1 && d.shape[lead + i] !== 1) axes.push(lead + i);
  });
  let r = axes.length ? reduceSum(d, axes, true) : d;
  if (lead > 0 || axes.length > 0) r = reshapeTo(r, shapeOf(x), [...x.shape]);
  return r;
}

const constValue = (t: Tensor | null, what: string): number[] => {
  if (!t || t.role !== "const" || !t.data) throw new Error(`no gradient: ${what} must be a constant`);
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
};

const like = (n: Node, d: Tensor, fwd: Fwd): Tensor => reshapeTo(d, shapeOf(fwd(n.inputs[0]!)), [...n.inputs[0]!.shape]);

function reduceBack(n: Node, d: Tensor, fwd: Fwd): Tensor {
  const x = fwd(n.inputs[0]!);
  const axes = constValue(n.inputs[1], "reduce axes");
  const keep = n.attrs.keepdims?.kind === "int" ? n.attrs.keepdims.value : 1;
  return expandLike(keep ? d : unsqueeze(d, axes), x);
}

function countOf(x: Tensor, axes: number[]): Tensor | number {
  const dims = axes.map((a) => x.shape[a < 0 ? a + x.rank : a]);
  if (dims.every((v) => typeof v === "number")) return (dims as number[]).reduce((p, q) => p * q, 1);
  return cast(
    axes.map((a) => dimOf(x, a)).reduce((p, q) => mul(p, q)),
    "float32",
  );
}

export const RULES: Record<string, Rule> = {
  Identity: (_n, [d]) => [d],
  Add: (n, [d], f) => [sumTo(d, f(n.inputs[0]!)), sumTo(d, f(n.inputs[1]!))],
  Sub: (n, [d], f) => [sumTo(d, f(n.inputs[0]!)), sumTo(neg(d), f(n.inputs[1]!))],
  Mul: (n, [d], f) => {
    const [a, b] = [f(n.inputs[0]!), f(n.inputs[1]!)];
    return [sumTo(mul(d, b), a), sumTo(mul(d, a), b)];
  },
  Div: (n, [d], f) => {
    const [a, b] = [f(n.inputs[0]!), f(n.inputs[1]!)];
    const y = f(n.outputs[0]);
    return [sumTo(div(d, b), a), sumTo(neg(div(mul(d, y), b)), b)];
  },
  Neg: (_n, [d]) => [neg(d)],
  Exp: (n, [d], f) => [mul(d, f(n.outputs[0]))],
  Log: (n, [d], f) => [div(d, f(n.inputs[0]!))],
  Sqrt: (n, [d], f) => [div(mul(d, 0.5), f(n.outputs[0]))],
  Tanh: (n, [d], f) => {
    const y = f(n.outputs[0]);
    return [mul(d, sub(1, mul(y, y)))];
  },
  Erf: (n, [d], f) => {
    const x = f(n.inputs[0]!);
    return [mul(d, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))];
  },
  Sigmoid: (n, [d], f) => {
    const y = f(n.outputs[0]);
    return [mul(d, mul(y, sub(1, y)))];
  },
  Reciprocal: (n, [d], f) => {
    const y = f(n.outputs[0]);
    return [neg(mul(d, mul(y, y)))];
  },
  Pow: (n, [d], f) => {
    const e = constValue(n.inputs[1], "Pow exponent")[0];
    const x = f(n.inputs[0]!);
    const dx = e === 2 ? mul(d, mul(x, 2)) : mul(d, mul(pow(x, e - 1), e));
    return [dx, null];
  },
  Sin: (n, [d], f) => [mul(d, cos(f(n.inputs[0]!)))],
  Cos: (n, [d], f) => [neg(mul(d, sin(f(n.inputs[0]!))))],
  Max: (n, [d], f) => {
    const [a, b] = [f(n.inputs[0]!), f(n.inputs[1]!)];
    const ge = greaterOrEqual(a, b);
    return [sumTo(where(ge, d, 0), a), sumTo(where(ge, 0, d), b)];
  },
  Min: (n, [d], f) => {
    const [a, b] = [f(n.inputs[0]!), f(n.inputs[1]!)];
    const ge = greaterOrEqual(a, b);
    return [sumTo(where(ge, 0, d), a), sumTo(where(ge, d, 0), b)];
  },
  MatMul: (n, [d], f) => {
    const [a, b] = [f(n.inputs[0]!), f(n.inputs[1]!)];
    return [sumTo(matmul(d, transposeLast(b)), a), sumTo(matmul(transposeLast(a), d), b)];
  },
  Transpose: (n, [d]) => {
    const perm = (n.attrs.perm as { value: number[] }).value;
    const inv = perm.map((_, i) => perm.indexOf(i));
    return [transpose(d, inv)];
  },
  Reshape: (n, [d], f) => [like(n, d, f), null],
  Unsqueeze: (n, [d], f) => [like(n, d, f), null],
  Squeeze: (n, [d], f) => [like(n, d, f), null],
  Expand: (n, [d], f) => [sumTo(d, f(n.inputs[0]!)), null],
  Cast: (n, [d]) => (isFloat(n.inputs[0]!.dtype) ? [cast(d, n.inputs[0]!.dtype)] : [null]),
  Slice: (n, [d], f) => {
    const x = f(n.inputs[0]!);
    const [start] = constValue(n.inputs[1], "Slice starts");
    const [end] = constValue(n.inputs[2], "Slice ends");
    const [axis] = constValue(n.inputs[3], "Slice axes");
    const step = n.inputs[4] ? constValue(n.inputs[4], "Slice steps")[0] : 1;
    if (step !== 1) throw new Error("no gradient: Slice with step != 1");
    const dim = x.shape[axis];
    const g = x.graph;
    const begin = start < 0 ? (typeof dim === "number" ? dim + start : NaN) : start;
    if (Number.isNaN(begin)) throw new Error("no gradient: Slice with negative start on a symbolic dim");
    const zeros = (k: number) => g.ints(new Array(k).fill(0));
    const r = x.rank;
    let after: Tensor;
    if (end >= 2 ** 61) after = g.ints([0]);
    else if (typeof dim === "number") after = g.ints([Math.max(0, dim - (end < 0 ? dim + end : Math.min(end, dim)))]);
    else if (end >= 0) after = sub(dimOf(x, axis), end);
    else after = g.ints([-end]);
    const pads = concat([zeros(axis), g.ints([begin]), zeros(r - axis - 1), zeros(axis), after, zeros(r - axis - 1)], 0);
    return [pad(d, pads, [...x.shape]), null, null, null, null];
  },
  Concat: (n, [d], f) => {
    const axis = (n.attrs.axis as { value: number }).value;
    const xs = n.inputs.map((t) => f(t!));
    const sizes = concat(
      xs.map((x) => dimOf(x, axis)),
      0,
    );
    return split(
      d,
      sizes,
      xs.length,
      axis,
      xs.map((x) => [...x.shape]),
    );
  },
  Gather: (n, [d], f) => {
    const axis = (n.attrs.axis as { value: number }).value;
    if (axis !== 0) throw new Error("no gradient: Gather on an axis other than 0");
    const w = f(n.inputs[0]!);
    const idx = n.inputs[1]!;
    return [scatterAdd(zerosLike(w), unsqueeze(cast(idx, "int64"), [-1]), d), null];
  },
  GatherElements: (n, [d], f) => {
    const axis = (n.attrs.axis as { value: number }).value;
    const x = f(n.inputs[0]!);
    return [scatterElementsAdd(zerosLike(x), n.inputs[1]!, d, axis), null];
  },
  Where: (n, [d], f) => {
    const c = n.inputs[0]!;
    const [a, b] = [f(n.inputs[1]!), f(n.inputs[2]!)];
    return [null, sumTo(where(c, d, 0), a), sumTo(where(c, 0, d), b)];
  },
  ReduceSum: (n, [d], f) => [reduceBack(n, d, f), null],
  ReduceMean: (n, [d], f) => {
    const x = f(n.inputs[0]!);
    const c = countOf(x, constValue(n.inputs[1], "reduce axes"));
    return [div(reduceBack(n, d, f), c), null];
  },
  ReduceMax: (n, [d], f) => {
    const x = f(n.inputs[0]!);
    const axes = constValue(n.inputs[1], "reduce axes");
    const keep = (n.attrs.keepdims as { value: number }).value;
    let y = f(n.outputs[0]);
    if (!keep) y = unsqueeze(y, axes);
    const mask = cast(equal(x, y), "float32");
    const dd = reduceBack(n, d, f);
    return [div(mul(dd, mask), reduceSum(mask, axes, true)), null];
  },
  Softmax: (n, [d], f) => {
    const axis = (n.attrs.axis as { value: number }).value;
    const y = f(n.outputs[0]);
    return [mul(y, sub(d, reduceSum(mul(d, y), [axis], true)))];
  },
  LogSoftmax: (n, [d], f) => {
    const axis = (n.attrs.axis as { value: number }).value;
    const y = f(n.outputs[0]);
    return [sub(d, mul(exp(y), reduceSum(d, [axis], true)))];
  },
};

/** Ops whose outputs carry no gradient (indices, masks, shapes). */
export const NON_DIFFERENTIABLE = new Set([
  "Shape",
  "Equal",
  "Less",
  "Greater",
  "GreaterOrEqual",
  "Not",
  "And",
  "Range",
  "ConstantOfShape",
  "ScatterND",
  "ScatterElements",
  "Split",
  "Pad",
]);
