// Linear layers on quantized weights, as ONNX Runtime's contrib ops (domain com.microsoft): MatMulNBits
// (block-wise 4/8-bit weights; fastest for small M: decoding) and DynamicQuantizeMatMul (int8 weights and
// run-time int8 activations; fastest for large M: vision tower, MemAug).
import { attr } from "../graph.ts";
import type { Tensor } from "../graph.ts";
import { dimsConflict, fmtShape, ShapeError } from "../shape.ts";
import { add, cast } from "./elementwise.ts";

export const MS_DOMAIN = "com.microsoft";

export interface NBitsTensors {
  qweight: Tensor;
  scales: Tensor;
  zeros: Tensor;
  N: number;
  K: number;
  bits: number;
  blockSize: number;
}

function checkInput(op: string, x: Tensor, K: number): void {
  if (dimsConflict(x.shape[x.rank - 1], K)) throw new ShapeError(op, `input ${fmtShape(x.shape)} does not match K=${K}`);
}

/** x [..., K] → [..., N]. accuracy_level 4 lets MLAS multiply in int8 (blockwise-quantized activations). */
export function matMulNBits(x: Tensor, w: NBitsTensors, bias?: Tensor, accuracyLevel = 4): Tensor {
  checkInput("MatMulNBits", x, w.K);
  const attrs = {
    K: attr.int(w.K),
    N: attr.int(w.N),
    bits: attr.int(w.bits),
    block_size: attr.int(w.blockSize),
    accuracy_level: attr.int(accuracyLevel),
  };
  const shape = [...x.shape.slice(0, -1), w.N];
  const y = x.graph.addNodeFull("MatMulNBits", [x, w.qweight, w.scales, w.zeros], attrs, [{ dtype: x.dtype, shape }], MS_DOMAIN).outputs[0];
  return bias ? add(y, bias) : y;
}

/** x [..., K] with int8 weight [K, N] and per-column scales [N] → [..., N] (+ bias, fused by the op). */
export function dynamicQuantizeMatMul(x: Tensor, qweight: Tensor, scales: Tensor, bias?: Tensor): Tensor {
  const [K, N] = qweight.shape as number[];
  checkInput("DynamicQuantizeMatMul", x, K);
  const shape = [...x.shape.slice(0, -1), N];
  const inputs = bias ? [x, qweight, scales, null, bias] : [x, qweight, scales];
  return x.graph.addNodeFull("DynamicQuantizeMatMul", inputs, {}, [{ dtype: x.dtype, shape }], MS_DOMAIN).outputs[0];
}

/** The same int8 linear for GPU providers, which have no DynamicQuantizeMatMul kernel (ORT would run it on the
 * CPU, with copies each way): the weight dequantized per column by the standard DequantizeLinear, then MatMul in
 * f32. The activations stay float, so the result differs from DynamicQuantizeMatMul's by its activation rounding. */
export function dequantizedMatMul(x: Tensor, qweight: Tensor, scales: Tensor, bias?: Tensor): Tensor {
  const [K, N] = qweight.shape as number[];
  checkInput("MatMul", x, K);
  const g = x.graph;
  // Opset 18's DequantizeLinear gives f32 only; a half-precision graph casts the weight.
  const w32 = g.addNodeFull("DequantizeLinear", [qweight, scales], { axis: attr.int(1) }, [{ dtype: "float32", shape: [K, N] }]).outputs[0];
  const w = x.dtype === "float32" ? w32 : cast(w32, x.dtype);
  const shape = [...x.shape.slice(0, -1), N];
  const y = g.addNodeFull("MatMul", [x, w], {}, [{ dtype: x.dtype, shape }]).outputs[0];
  return bias ? add(y, bias) : y;
}
