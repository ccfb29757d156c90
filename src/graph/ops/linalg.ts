// Matrix products with numpy matmul semantics (batched, broadcast over leading dims).
import type { Tensor } from "../graph.ts";
import { broadcastShapes, dimsConflict, fmtShape, ShapeError } from "../shape.ts";
import { add } from "./elementwise.ts";
import { transpose } from "./shape-ops.ts";

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank < 2 || b.rank < 2) throw new ShapeError("MatMul", `operands must have rank >= 2, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const k1 = a.shape[a.rank - 1];
  const k2 = b.shape[b.rank - 2];
  if (dimsConflict(k1, k2)) throw new ShapeError("MatMul", `inner dims differ: ${fmtShape(a.shape)} @ ${fmtShape(b.shape)}`);
  const batch = broadcastShapes("MatMul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, a.shape[a.rank - 2], b.shape[b.rank - 1]];
  return a.graph.addNode("MatMul", [a, b], {}, [{ dtype: a.dtype, shape }])[0];
}

/** torch.nn.Linear: x @ W^T + b with W stored [out, in]. ORT folds the transpose of a constant weight. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  if (weight.rank !== 2) throw new ShapeError("Linear", `weight must be [out, in], got ${fmtShape(weight.shape)}`);
  if (dimsConflict(x.shape[x.rank - 1], weight.shape[1])) {
    throw new ShapeError("Linear", `input ${fmtShape(x.shape)} does not match weight ${fmtShape(weight.shape)}`);
  }
  const y = matmul(x, transpose(weight, [1, 0]));
  return bias ? add(y, bias) : y;
}
