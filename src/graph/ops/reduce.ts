// Reductions and (log-)softmax.
import type { Tensor } from "../graph.ts";
import { attr } from "../graph.ts";
import { normAxis } from "../shape.ts";

function reduce(op: string, x: Tensor, axes: number[], keepdims: boolean): Tensor {
  const norm = [...new Set(axes.map((a) => normAxis(op, a, x.rank)))].sort((p, q) => p - q);
  const shape = keepdims ? x.shape.map((d, i) => (norm.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !norm.includes(i));
  return x.graph.addNode(op, [x, x.graph.ints(norm)], { keepdims: attr.int(keepdims ? 1 : 0) }, [{ dtype: x.dtype, shape }])[0];
}

export const reduceSum = (x: Tensor, axes: number[], keepdims = false) => reduce("ReduceSum", x, axes, keepdims);
export const reduceMean = (x: Tensor, axes: number[], keepdims = false) => reduce("ReduceMean", x, axes, keepdims);
export const reduceProd = (x: Tensor, axes: number[], keepdims = false) => reduce("ReduceProd", x, axes, keepdims);
export const reduceMax = (x: Tensor, axes: number[], keepdims = false) => reduce("ReduceMax", x, axes, keepdims);

export function softmax(x: Tensor, axis = -1): Tensor {
  return x.graph.addNode("Softmax", [x], { axis: attr.int(normAxis("Softmax", axis, x.rank)) }, [{ dtype: x.dtype, shape: [...x.shape] }])[0];
}

export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return x.graph.addNode("LogSoftmax", [x], { axis: attr.int(normAxis("LogSoftmax", axis, x.rank)) }, [{ dtype: x.dtype, shape: [...x.shape] }])[0];
}
