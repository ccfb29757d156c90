// Elementwise ONNX ops with numpy broadcasting. Numbers are turned into scalar constants of the tensor's dtype.
import type { DType } from "../dtype.ts";
import { ONNX_DTYPE } from "../dtype.ts";
import type { Tensor } from "../graph.ts";
import { attr } from "../graph.ts";
import { broadcastShapes, ShapeError } from "../shape.ts";

export type Operand = Tensor | number;

function lift(ref: Tensor, x: Operand): Tensor {
  return typeof x === "number" ? ref.graph.scalar(x, ref.dtype) : x;
}

function binary(op: string, a: Operand, b: Operand, outDtype?: DType): Tensor {
  const ref = typeof a === "number" ? (b as Tensor) : a;
  const x = lift(ref, a);
  const y = lift(ref, b);
  if (x.dtype !== y.dtype) throw new ShapeError(op, `dtype mismatch ${x.dtype} vs ${y.dtype}`);
  const shape = broadcastShapes(op, x.shape, y.shape);
  return ref.graph.addNode(op, [x, y], {}, [{ dtype: outDtype ?? x.dtype, shape }])[0];
}

export function unary(op: string, x: Tensor): Tensor {
  return x.graph.addNode(op, [x], {}, [{ dtype: x.dtype, shape: [...x.shape] }])[0];
}

export const add = (a: Operand, b: Operand) => binary("Add", a, b);
export const sub = (a: Operand, b: Operand) => binary("Sub", a, b);
export const mul = (a: Operand, b: Operand) => binary("Mul", a, b);
export const div = (a: Operand, b: Operand) => binary("Div", a, b);
export const pow = (a: Tensor, b: Operand) => binary("Pow", a, b);
export const maximum = (a: Operand, b: Operand) => binary("Max", a, b);
export const minimum = (a: Operand, b: Operand) => binary("Min", a, b);
export const equal = (a: Operand, b: Operand) => binary("Equal", a, b, "bool");
export const less = (a: Operand, b: Operand) => binary("Less", a, b, "bool");
export const greater = (a: Operand, b: Operand) => binary("Greater", a, b, "bool");
export const greaterOrEqual = (a: Operand, b: Operand) => binary("GreaterOrEqual", a, b, "bool");

export const neg = (x: Tensor) => unary("Neg", x);
export const exp = (x: Tensor) => unary("Exp", x);
export const log = (x: Tensor) => unary("Log", x);
export const sqrt = (x: Tensor) => unary("Sqrt", x);
export const tanh = (x: Tensor) => unary("Tanh", x);
export const erf = (x: Tensor) => unary("Erf", x);
export const sigmoid = (x: Tensor) => unary("Sigmoid", x);
export const reciprocal = (x: Tensor) => unary("Reciprocal", x);
export const cos = (x: Tensor) => unary("Cos", x);
export const sin = (x: Tensor) => unary("Sin", x);
export const identity = (x: Tensor) => unary("Identity", x);
export const not = (x: Tensor) => unary("Not", x);

export function and(a: Tensor, b: Tensor): Tensor {
  return binary("And", a, b, "bool");
}

export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const ref = typeof a === "number" ? (b as Tensor) : a;
  const x = lift(ref, a);
  const y = lift(ref, b);
  if (cond.dtype !== "bool") throw new ShapeError("Where", `condition must be bool, got ${cond.dtype}`);
  const shape = broadcastShapes("Where", broadcastShapes("Where", cond.shape, x.shape), y.shape);
  return cond.graph.addNode("Where", [cond, x, y], {}, [{ dtype: x.dtype, shape }])[0];
}

export function cast(x: Tensor, to: DType): Tensor {
  if (x.dtype === to) return x;
  return x.graph.addNode("Cast", [x], { to: attr.int(ONNX_DTYPE[to]) }, [{ dtype: to, shape: [...x.shape] }])[0];
}
