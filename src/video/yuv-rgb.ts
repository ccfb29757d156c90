// 4:2:0 YUV → packed RGB as the Node path's ffmpeg (swscale) converts untagged video: BT.601 limited range,
// each chroma sample shared by its 2×2 luma block, values truncated. A browser's own conversion (canvas
// drawImage of a VideoFrame) assumes BT.709 for untagged H.264, 20+ levels away; this stays within 2.

/** One frame's planes: Y at full size; U and V (or interleaved UV when `uv` is set, NV12) at half size. */
export interface Yuv420 {
  width: number;
  height: number;
  data: Uint8Array;
  y: { offset: number; stride: number };
  u: { offset: number; stride: number };
  v?: { offset: number; stride: number };
  /** NV12: U and V interleaved in the `u` plane. */
  uv?: boolean;
}

const clip = (x: number) => (x < 0 ? 0 : x > 255 ? 255 : x | 0);

export function yuv420ToRgb(f: Yuv420): Uint8Array {
  const { width: w, height: h, data: d } = f;
  if (!f.uv && !f.v) throw new Error("yuv420ToRgb: planar 4:2:0 needs a V plane");
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const yRow = f.y.offset + y * f.y.stride;
    const uRow = f.u.offset + (y >> 1) * f.u.stride;
    const vRow = f.uv ? uRow + 1 : f.v!.offset + (y >> 1) * f.v!.stride;
    const step = f.uv ? 2 : 1;
    for (let x = 0, o = y * w * 3; x < w; x++, o += 3) {
      const c = 1.164383 * (d[yRow + x] - 16);
      const u = d[uRow + (x >> 1) * step] - 128;
      const v = d[vRow + (x >> 1) * step] - 128;
      out[o] = clip(c + 1.596027 * v);
      out[o + 1] = clip(c - 0.391762 * u - 0.812968 * v);
      out[o + 2] = clip(c + 2.017232 * u);
    }
  }
  return out;
}
