// An image's memory repository and MemAug queries, as the official image branch of
// prepare_inputs_labels_for_multimodal builds them. Keys: the base tile's g×g tokens (the whole image squashed
// to one tile), then the unpadded anyres map row by row, each row closed by the image_newline token. Positions:
// the map's tokens count 0 … h·w−1, every newline takes h·w, and each base token takes the position of its
// nearest map token. Queries: spatial forgetting ([::2, ::2] or a random quarter) of the base tile and of the
// map, a newline after each map row that kept a token and one at the end. A one-tile image (pad / square)
// is its g² tokens plus one newline. The MemAug outputs at the query rows replace <image>, as for a video.
import { gridSample } from "./forgetting.ts";
import type { SpatialSampling } from "./forgetting.ts";
import type { VideoQueries } from "./forgetting.ts";
import type { ImageLayout, Memory } from "./memory.ts";
import { anyresMaxSize, resizeMap, tiledMap, unpadCrop } from "./anyres-grid.ts";

export interface ImageTokens {
  /** Projected tile tokens [count, g², H]; tile 0 is the whole image. */
  tokens: Float32Array;
  count: number;
  /** The anyres grid in tiles (absent for one tile). */
  grid?: { cols: number; rows: number };
  /** The image's own size: the unpad crop is computed from it. */
  width: number;
  height: number;
}

/** torch.linspace(0, end, steps) in float32 (its two-sided formula), rounded half to even as torch.round does. */
export function nearestIndices(end: number, steps: number): number[] {
  const step = Math.fround(end / (steps - 1));
  const half = Math.floor(steps / 2);
  return Array.from({ length: steps }, (_, i) => {
    const v = steps === 1 ? 0 : i < half ? Math.fround(step * i) : Math.fround(end - Math.fround(step * (steps - i - 1)));
    const f = Math.floor(v);
    return v - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(v);
  });
}

/** The memory of one image: g = tokens per tile side, maxTiles from anyres_max_N (none: no downscale). */
export function buildImageMemory(img: ImageTokens, g: number, H: number, newline: Float32Array, maxTiles?: number): Memory {
  const per = g * g;
  if (img.tokens.length !== img.count * per * H) throw new Error(`buildImageMemory: ${img.tokens.length} values for ${img.count} tiles × ${per} × ${H}`);
  if (!img.grid) {
    if (img.count !== 1) throw new Error(`buildImageMemory: ${img.count} tiles without an anyres grid`);
    const rows = new Float32Array((per + 1) * H);
    rows.set(img.tokens);
    rows.set(newline, per * H);
    const keyPos = Array.from({ length: per + 1 }, (_, i) => i);
    return { frames: 1, hidden: H, rows, image: { grid: g, keyPos } };
  }
  if (img.count !== 1 + img.grid.cols * img.grid.rows) throw new Error(`buildImageMemory: ${img.count} tiles for a ${img.grid.cols}×${img.grid.rows} grid`);
  let map = tiledMap(img.tokens, H, g, img.grid, unpadCrop(img.grid.rows * g, img.grid.cols * g, img.width, img.height));
  const down = maxTiles === undefined ? undefined : anyresMaxSize(map.rows, map.cols, g, maxTiles);
  if (down) map = resizeMap(map, H, down.rows, down.cols);
  const { rows: h, cols: w } = map;
  const out = new Float32Array((per + h * (w + 1)) * H);
  out.set(img.tokens.subarray(0, per * H));
  const ri = nearestIndices(h - 1, g);
  const ci = nearestIndices(w - 1, g);
  const keyPos: number[] = [];
  for (const r of ri) for (const c of ci) keyPos.push(r * w + c);
  for (let r = 0; r < h; r++) {
    out.set(map.data.subarray(r * w * H, (r + 1) * w * H), (per + r * (w + 1)) * H);
    out.set(newline, (per + r * (w + 1) + w) * H);
    for (let c = 0; c < w; c++) keyPos.push(r * w + c);
    keyPos.push(h * w);
  }
  return { frames: 1, hidden: H, rows: out, image: { grid: g, unpad: { rows: h, cols: w }, keyPos } };
}

/** add_grid_image_newline: a newline before the first query of each later map row that starts a new segment, and one at the end. */
function addRowNewlines(q: VideoQueries, rowStarts: number[], nl: { row: number; pos: number }): VideoQueries {
  const rows: number[] = [];
  const positions: number[] = [];
  let start = 0;
  for (const p of rowStarts) {
    const at = q.positions.findIndex((x) => x >= p);
    if (at < 0 || at <= start) continue;
    rows.push(...q.rows.slice(start, at), nl.row);
    positions.push(...q.positions.slice(start, at), nl.pos);
    start = at;
  }
  rows.push(...q.rows.slice(start), nl.row);
  positions.push(...q.positions.slice(start), nl.pos);
  return { rows, positions };
}

/** The image's decayed tokens: memory rows and their positions, in query order. */
export function imageQueries(layout: ImageLayout, spatial: SpatialSampling, rand?: () => number): VideoQueries {
  const g = layout.grid;
  const base = gridSample(g, g, spatial, rand);
  const baseQ = { rows: base, positions: base.map((i) => layout.keyPos[i]) };
  if (!layout.unpad) return { rows: [...baseQ.rows, g * g], positions: [...baseQ.positions, g * g] };
  const { rows: h, cols: w } = layout.unpad;
  const picks = gridSample(h, w, spatial, rand);
  const unpad = addRowNewlines(
    { rows: picks.map((i) => g * g + Math.floor(i / w) * (w + 1) + (i % w)), positions: picks },
    Array.from({ length: h - 1 }, (_, r) => (r + 1) * w),
    // Every newline row holds the same vector; the first one (after map row 0) stands for all.
    { row: g * g + w, pos: h * w },
  );
  return { rows: [...baseQ.rows, ...unpad.rows], positions: [...baseQ.positions, ...unpad.positions] };
}
