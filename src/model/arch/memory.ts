// The paper's memory repository of one video: every frame's 64 pooled tokens plus the learned image_newline
// token, T × 65 rows in frame order (frame t's token j at row 65t + j, its newline at 65t + 64). Videos shorter
// than 128 frames repeat frames by linspace up to 128. The rows are MemAug's keys/values at positions 0 … 65T−1.
// (The on-disk cache of these tokens is src/cache/cache.ts.)
import { linspaceInt } from "../../video/sampling.ts";
import { TOKENS_PER_FRAME } from "./projector.ts";
import { ropeTables } from "./rope.ts";
import type { RopeTables } from "./rope.ts";

export const MIN_FRAMES = 128;
export const ROW_STRIDE = TOKENS_PER_FRAME + 1;

export interface Memory {
  frames: number;
  hidden: number;
  /** [frames · 65, hidden], row-major. */
  rows: Float32Array;
  /** Rotary tables of the key positions (computed once per memory). */
  keyRope?: RopeTables;
  /** Set when the memory holds an image instead of a video (./image-memory.ts): its layout and key positions. */
  image?: ImageLayout;
}

/** An image's memory: the base tile's grid×grid tokens, then (anyres) the unpadded grid's rows each followed by
 * the newline token, or (one tile) the newline token alone. */
export interface ImageLayout {
  /** Tokens per side of one tile (27 for so400m). */
  grid: number;
  /** The unpadded (under anyres_max possibly downscaled) feature map; absent for a one-tile image. */
  unpad?: { rows: number; cols: number };
  /** Key position of every memory row: not 0…n−1, since the base tile's tokens take the positions of their
   * nearest unpadded tokens and every row's newline shares one position. */
  keyPos: number[];
}

/** Which encoded frames make up the memory: every frame, or frames repeated by linspace up to 128. */
export function frameRepetition(T: number): number[] {
  if (T <= 0) throw new Error(`a video needs at least one frame, got ${T}`);
  if (T >= MIN_FRAMES) return Array.from({ length: T }, (_, i) => i);
  return linspaceInt(0, T - 1, MIN_FRAMES);
}

/** Per-frame tokens [T, 64, H] of T encoded frames and the newline token [H] → the memory. */
export function assembleMemory(tokens: Float32Array, T: number, H: number, newline: Float32Array): Memory {
  if (tokens.length !== T * TOKENS_PER_FRAME * H) throw new Error(`buildMemory: ${tokens.length} values for ${T} frames × 64 × ${H}`);
  const idx = frameRepetition(T);
  const rows = new Float32Array(idx.length * ROW_STRIDE * H);
  idx.forEach((f, t) => {
    rows.set(tokens.subarray(f * TOKENS_PER_FRAME * H, (f + 1) * TOKENS_PER_FRAME * H), t * ROW_STRIDE * H);
    rows.set(newline, (t * ROW_STRIDE + TOKENS_PER_FRAME) * H);
  });
  return { frames: idx.length, hidden: H, rows };
}

/** Rotary tables of a memory's key positions: an image's own, or a video's 0 … 65T−1. */
export function memoryKeyRope(memory: Memory, rotaryDim: number, theta: number): RopeTables {
  return memory.image ? ropeTables(memory.image.keyPos, rotaryDim, theta) : keyRopeTables(memory.frames, rotaryDim, theta);
}

/** Rotary tables of a memory of `frames` frames: the plain key positions 0 … 65·frames − 1. */
export function keyRopeTables(frames: number, rotaryDim: number, theta: number): RopeTables {
  return ropeTables(
    Array.from({ length: frames * ROW_STRIDE }, (_, i) => i),
    rotaryDim,
    theta,
  );
}
