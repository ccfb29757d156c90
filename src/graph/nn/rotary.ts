// Rotary position embedding on the first `rotaryDim` dims of each head, non-interleaved halves (GPT-NeoX
// "rotate half"), with explicit integer positions so queries and keys may sit at arbitrary places.
import type { Tensor } from "../graph.ts";
import { add, cast, cos, mul, sin, sub } from "../ops/elementwise.ts";
import { concat, slice, unsqueeze } from "../ops/shape-ops.ts";
import { ShapeError } from "../shape.ts";

/** cos/sin tables [L, rotaryDim/2] for int64 positions [L]. Built once and shared by q and k of a layer. */
export function rotaryTables(positions: Tensor, rotaryDim: number, theta: number): { cos: Tensor; sin: Tensor } {
  if (rotaryDim % 2 !== 0) throw new ShapeError("rotary", `rotary dim ${rotaryDim} must be even`);
  const half = rotaryDim / 2;
  const inv = new Float32Array(half);
  // Same float32 values as torch: 1 / theta ** (arange(0, d, 2).float() / d).
  for (let i = 0; i < half; i++) inv[i] = 1 / Math.pow(theta, Math.fround((2 * i) / rotaryDim));
  const g = positions.graph;
  const freqs = mul(unsqueeze(cast(positions, "float32"), [-1]), g.constant(inv, [half]));
  return { cos: cos(freqs), sin: sin(freqs) };
}

/** x [..., L, D] rotated on dims [0, rotaryDim) with tables [L, rotaryDim/2]; dims past rotaryDim pass through. */
export function applyRotary(x: Tensor, tables: { cos: Tensor; sin: Tensor }, rotaryDim: number): Tensor {
  const D = x.shape[x.rank - 1];
  if (typeof D === "number" && rotaryDim > D) throw new ShapeError("rotary", `rotary dim ${rotaryDim} exceeds head dim ${D}`);
  const half = rotaryDim / 2;
  const x1 = slice(x, -1, 0, half);
  const x2 = slice(x, -1, half, rotaryDim);
  const r1 = sub(mul(x1, tables.cos), mul(x2, tables.sin));
  const r2 = add(mul(x2, tables.cos), mul(x1, tables.sin));
  const parts = [r1, r2];
  if (D !== rotaryDim) parts.push(slice(x, -1, rotaryDim));
  return concat(parts, -1);
}
