// The two forgetting steps that pick MemAug's video queries from the memory repository (./memory.ts), as index
// arithmetic on the host (the official token flow, ported): spatial forgetting keeps 16 of a frame's 64 grid
// tokens, temporal forgetting keeps min(512, T/4) frames spread by linspace (plus the last).
import { linspaceInt } from "../../video/sampling.ts";
import { POOLED_SIDE, TOKENS_PER_FRAME } from "./projector.ts";
import { ROW_STRIDE } from "./memory.ts";

export const MAX_QUERY_FRAMES = 512;

export type SpatialSampling = "uniform" | "random";

/** Grid indices (of the 8×8 = 64) kept per frame: the [::2, ::2] lattice, or a sorted random quarter. */
export function spatialIndices(kind: SpatialSampling, rand?: () => number): number[] {
  return gridSample(POOLED_SIDE, POOLED_SIDE, kind, rand);
}

/** q_vision_sampling on a rows×cols grid (row-major indices): [::2, ::2], or ceil(n/4) random ones, sorted. */
export function gridSample(rows: number, cols: number, kind: SpatialSampling, rand?: () => number): number[] {
  if (kind === "uniform") {
    const out: number[] = [];
    for (let r = 0; r < rows; r += 2) for (let c = 0; c < cols; c += 2) out.push(r * cols + c);
    return out;
  }
  if (!rand) throw new Error("random spatial forgetting needs a random source");
  const n = rows * cols;
  const keep = Math.ceil(n * 0.25);
  const keys = Array.from({ length: n }, (_, i) => ({ i, r: rand() }));
  keys.sort((a, b) => a.r - b.r);
  return keys
    .slice(0, keep)
    .map((k) => k.i)
    .sort((a, b) => a - b);
}

/** Frames kept by temporal forgetting, in order (always includes the last). */
export function temporalIndices(T: number): number[] {
  const n = Math.min(MAX_QUERY_FRAMES, Math.floor(T / 4));
  const idx = n > 0 ? linspaceInt(0, T - 1, n) : [];
  if (!idx.includes(T - 1)) idx.push(T - 1);
  return idx;
}

export interface VideoQueries {
  /** Memory rows of the decayed video tokens, in query order (16 grid tokens + the newline per kept frame). */
  rows: number[];
  /** Their memory positions (equal to the rows: positions count memory tokens). */
  positions: number[];
}

/** The decayed video tokens for a memory of T frames. `spatial` gives the grid picks per kept frame. */
export function videoQueries(T: number, spatial: (frame: number) => number[]): VideoQueries {
  const rows: number[] = [];
  for (const t of temporalIndices(T)) {
    for (const j of spatial(t)) rows.push(ROW_STRIDE * t + j);
    rows.push(ROW_STRIDE * t + TOKENS_PER_FRAME);
  }
  return { rows, positions: rows.slice() };
}
