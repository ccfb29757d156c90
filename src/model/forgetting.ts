// The memory repository layout and the two forgetting steps that pick MemAug's video queries, as index
// arithmetic on the host (the official token flow, ported): frame t's token j sits at memory row 65t + j, its
// newline at 65t + 64; spatial forgetting keeps 16 of the 64 grid tokens, temporal forgetting keeps
// min(512, T/4) frames spread by linspace (plus the last).
import { linspaceInt } from "../video/sampling.ts";
import { POOLED_SIDE, TOKENS_PER_FRAME } from "./projector.ts";

export const MIN_FRAMES = 128;
export const ROW_STRIDE = TOKENS_PER_FRAME + 1;
export const MAX_QUERY_FRAMES = 512;

export type SpatialSampling = "uniform" | "random";

/** Which encoded frames make up the memory: every frame, or frames repeated by linspace up to 128. */
export function frameRepetition(T: number): number[] {
  if (T <= 0) throw new Error(`a video needs at least one frame, got ${T}`);
  if (T >= MIN_FRAMES) return Array.from({ length: T }, (_, i) => i);
  return linspaceInt(0, T - 1, MIN_FRAMES);
}

/** Grid indices (of the 8×8 = 64) kept per frame: the [::2, ::2] lattice, or a sorted random quarter. */
export function spatialIndices(kind: SpatialSampling, rand?: () => number): number[] {
  if (kind === "uniform") {
    const out: number[] = [];
    for (let r = 0; r < POOLED_SIDE; r += 2) for (let c = 0; c < POOLED_SIDE; c += 2) out.push(r * POOLED_SIDE + c);
    return out;
  }
  if (!rand) throw new Error("random spatial forgetting needs a random source");
  const keep = Math.ceil(TOKENS_PER_FRAME * 0.25);
  const keys = Array.from({ length: TOKENS_PER_FRAME }, (_, i) => ({ i, r: rand() }));
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
