// The anyres feature map of an image, as the official multi_image_resize builds it from the projected tile
// tokens: the grid tiles joined into one (rows·g)×(cols·g) map, the letterbox padding cut off again (unpad_image,
// from the original size), and under anyres_max_N a bilinear downscale when the map holds over 1.1² × N tiles'
// worth of tokens. Host code: index arithmetic plus a sparse resample.
import { bilinearMatrix } from "../../graph/nn/resize.ts";

export interface FeatureMap {
  rows: number;
  cols: number;
  /** [rows, cols, C], row-major. */
  data: Float32Array;
}

/** unpad_image: the rows [r0, r1) and columns [c0, c1) of a rows×cols map that the image covers. */
export function unpadCrop(rows: number, cols: number, width: number, height: number): { r0: number; r1: number; c0: number; c1: number } {
  if (width / height > cols / rows) {
    const pad = Math.floor((rows - Math.trunc(height * (cols / width))) / 2);
    return { r0: pad, r1: rows - pad, c0: 0, c1: cols };
  }
  const pad = Math.floor((cols - Math.trunc(width * (rows / height))) / 2);
  return { r0: 0, r1: rows, c0: pad, c1: cols - pad };
}

/** Python's float floor division a // b (CPython's float_floor_div), so sizes match at the edges. */
export function pyFloorDiv(a: number, b: number): number {
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod && b < 0 !== mod < 0) div -= 1;
  if (!div) return 0;
  let floor = Math.floor(div);
  if (div - floor > 0.5) floor += 1;
  return floor;
}

/** anyres_max_N: the size the map is downscaled to, or undefined when it stays (times ≤ 1.1). */
export function anyresMaxSize(rows: number, cols: number, grid: number, maxTiles: number): { rows: number; cols: number } | undefined {
  const times = Math.sqrt((rows * cols) / (maxTiles * grid * grid));
  if (!(times > 1.1)) return undefined;
  return { rows: pyFloorDiv(rows, times), cols: pyFloorDiv(cols, times) };
}

/** The cropped map from projected tiles [1 + rows·cols, g², C] (tile 0, the whole image, is skipped). */
export function tiledMap(tokens: Float32Array, C: number, g: number, tiles: { cols: number; rows: number }, crop: ReturnType<typeof unpadCrop>): FeatureMap {
  const rows = crop.r1 - crop.r0;
  const cols = crop.c1 - crop.c0;
  const data = new Float32Array(rows * cols * C);
  for (let r = 0; r < rows; r++) {
    const R = r + crop.r0;
    for (let c = 0; c < cols; c++) {
      const K = c + crop.c0;
      const tile = 1 + Math.floor(R / g) * tiles.cols + Math.floor(K / g);
      const src = (tile * g * g + (R % g) * g + (K % g)) * C;
      data.set(tokens.subarray(src, src + C), (r * cols + c) * C);
    }
  }
  return { rows, cols, data };
}

/** Non-zero taps of torch's bilinear (align_corners=False) weights per output index. */
function taps(inSize: number, outSize: number): { idx: number[]; w: number[] }[] {
  const m = bilinearMatrix(inSize, outSize);
  return Array.from({ length: outSize }, (_, o) => {
    const t = { idx: [] as number[], w: [] as number[] };
    for (let i = 0; i < inSize; i++) if (m[o * inSize + i] !== 0) (t.idx.push(i), t.w.push(m[o * inSize + i]));
    return t;
  });
}

/** F.interpolate(mode="bilinear", align_corners=False) of a [rows, cols, C] map to outRows×outCols. */
export function resizeMap(map: FeatureMap, C: number, outRows: number, outCols: number): FeatureMap {
  const ty = taps(map.rows, outRows);
  const tx = taps(map.cols, outCols);
  const data = new Float32Array(outRows * outCols * C);
  const acc = new Float64Array(C);
  for (let r = 0; r < outRows; r++) {
    for (let c = 0; c < outCols; c++) {
      acc.fill(0);
      ty[r].idx.forEach((y, a) =>
        tx[c].idx.forEach((x, b) => {
          const w = ty[r].w[a] * tx[c].w[b];
          const src = (y * map.cols + x) * C;
          for (let k = 0; k < C; k++) acc[k] += w * map.data[src + k];
        }),
      );
      data.set(acc, (r * outCols + c) * C);
    }
  }
  return { rows: outRows, cols: outCols, data };
}
