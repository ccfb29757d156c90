// Which tiled resolution an image gets under anyres (official mm_utils.py): the candidate resolutions
// (`image_grid_pinpoints`) and select_best_resolution, which keeps the most image pixels and then wastes the
// fewest. Its result in tiles is the anyres grid (get_anyres_image_grid_shape).

export type Resolution = [width: number, height: number];

/** The official scripts' range, `--image_grid_pinpoints "(1x1),...,(6x6)"`: every w×h tiles up to 6×6. */
export const DEFAULT_PINPOINTS = "(1x1),...,(6x6)";

/**
 * config.json's `image_grid_pinpoints` → [width, height] pixel pairs. Official checkpoints store the list the
 * training script expanded; a "(AxB),...,(CxD)" range (multiplied by the tile size, as train.py does) and a
 * Python-literal string are read too. A config without the field (our tiny model) gets DEFAULT_PINPOINTS at its
 * own tile size, so images tile the way the official models do, scaled to the tower.
 */
export function parsePinpoints(value: unknown, tile: number): Resolution[] {
  const v = value ?? DEFAULT_PINPOINTS;
  let list: unknown = v;
  if (typeof v === "string" && v.includes("x")) {
    const m = [...v.matchAll(/\((\d+)x(\d+)\)/g)].map((x) => [Number(x[1]), Number(x[2])]);
    if (m.length === 0) throw new Error(`image_grid_pinpoints ${JSON.stringify(v)}: expected a range like "(1x1),...,(6x6)"`);
    const [a, b] = [m[0], m[m.length - 1]];
    list = [];
    for (let i = a[0]; i <= b[0]; i++) for (let j = a[1]; j <= b[1]; j++) (list as number[][]).push([i * tile, j * tile]);
  } else if (typeof v === "string") {
    try {
      list = JSON.parse(v.replaceAll("(", "[").replaceAll(")", "]"));
    } catch {
      throw new Error(`image_grid_pinpoints ${JSON.stringify(v)}: not a list of [width, height] pairs`);
    }
  }
  const ok = Array.isArray(list) && list.length > 0 && list.every((p) => Array.isArray(p) && p.length === 2 && p.every((n) => Number.isInteger(n) && n > 0));
  if (!ok) throw new Error(`image_grid_pinpoints ${JSON.stringify(v)}: expected a non-empty list of [width, height] pairs of positive integers`);
  return (list as Resolution[]).map(([w, h]) => [w, h]);
}

/** select_best_resolution: most effective pixels (the image scaled to fit, capped at its own size), then least waste. */
export function selectBestResolution(width: number, height: number, candidates: readonly Resolution[]): Resolution {
  let best = candidates[0];
  let maxEffective = 0;
  let minWasted = Infinity;
  for (const [w, h] of candidates) {
    const scale = Math.min(w / width, h / height);
    const effective = Math.min(Math.trunc(width * scale) * Math.trunc(height * scale), width * height);
    const wasted = w * h - effective;
    if (effective > maxEffective || (effective === maxEffective && wasted < minWasted)) {
      maxEffective = effective;
      minWasted = wasted;
      best = [w, h];
    }
  }
  return best;
}

/** The anyres grid in tiles, [columns, rows] (get_anyres_image_grid_shape). */
export function anyresGrid(width: number, height: number, candidates: readonly Resolution[], tile: number): { cols: number; rows: number } {
  const [w, h] = selectBestResolution(width, height, candidates);
  return { cols: Math.floor(w / tile), rows: Math.floor(h / tile) };
}
