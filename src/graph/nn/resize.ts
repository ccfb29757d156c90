// Bilinear resize of a grid with torch.nn.functional.interpolate(mode="bilinear", align_corners=False) semantics,
// as two constant interpolation matrices (out = Ry · X · Rxᵀ): exact, cheap for small grids, and differentiable.
import type { Tensor } from "../graph.ts";
import { matmul } from "../ops/linalg.ts";
import { reshape, transpose } from "../ops/shape-ops.ts";
import { ShapeError } from "../shape.ts";
import { floatArray } from "../dtype.ts";

/** Row i of the [out, in] matrix holds the weights torch uses for output index i (half-pixel centres, clamped). */
export function bilinearMatrix(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    let src = Math.fround(scale * (i + 0.5) - 0.5);
    if (src < 0) src = 0;
    const i0 = Math.min(Math.floor(src), inSize - 1);
    const i1 = Math.min(i0 + 1, inSize - 1);
    const l1 = Math.fround(src - i0);
    const l0 = Math.fround(1 - l1);
    m[i * inSize + i0] += l0;
    m[i * inSize + i1] += l1;
  }
  return m;
}

/** x [N, H*W, C] laid out row-major over an H×W grid → [N, outH*outW, C]. */
export function bilinearResizeTokens(x: Tensor, h: number, w: number, outH: number, outW: number): Tensor {
  const C = x.shape[2];
  if (x.rank !== 3 || (typeof x.shape[1] === "number" && x.shape[1] !== h * w)) {
    throw new ShapeError("bilinearResize", `expected [N, ${h * w}, C], got [${x.shape.join(", ")}]`);
  }
  const g = x.graph;
  const dt = x.dtype === "float16" ? "float16" : "float32";
  const ry = g.constant(floatArray(bilinearMatrix(h, outH), dt), [outH, h]);
  const rxT = g.constant(floatArray(transposeMatrix(bilinearMatrix(w, outW), outW, w), dt), [w, outW]);
  const grid = transpose(reshape(x, [x.shape[0], h, w, C]), [0, 3, 1, 2]); // [N, C, H, W]
  const out = matmul(matmul(ry, grid), rxT); // [N, C, outH, outW]
  return reshape(transpose(out, [0, 2, 3, 1]), [x.shape[0], outH * outW, C]);
}

function transposeMatrix(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
  return t;
}
