// Matrix products with numpy matmul semantics (batched, broadcast over leading dims).
import type { Tensor } from "../graph.ts";
import { attr } from "../graph.ts";
import { bytesPerElement } from "../dtype.ts";
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

/** ORT's constant folding skips outputs above 1 GiB, so a bigger weight's transpose would run at every call. */
export const FOLDED_TRANSPOSE_LIMIT = 2 ** 30;

/** torch.nn.Linear: x @ W^T + b with W stored [out, in]. ORT folds the transpose of a constant weight; a weight
 * too big for that (a 150k-token LM head in f32) goes to Gemm with transB instead (forward only). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor, transposeLimit = FOLDED_TRANSPOSE_LIMIT): Tensor {
  if (weight.rank !== 2) throw new ShapeError("Linear", `weight must be [out, in], got ${fmtShape(weight.shape)}`);
  if (dimsConflict(x.shape[x.rank - 1], weight.shape[1])) {
    throw new ShapeError("Linear", `input ${fmtShape(x.shape)} does not match weight ${fmtShape(weight.shape)}`);
  }
  const [N, K] = weight.shape as number[];
  if (x.rank === 2 && weight.role === "param" && N * K * bytesPerElement(weight.dtype) > transposeLimit) {
    return x.graph.addNode("Gemm", bias ? [x, weight, bias] : [x, weight], { transB: attr.int(1) }, [{ dtype: x.dtype, shape: [x.shape[0], N] }])[0];
  }
  const y = matmul(x, transpose(weight, [1, 0]));
  return bias ? add(y, bias) : y;
}
