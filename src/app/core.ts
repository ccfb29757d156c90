// The platform-free part of the app, shared by Node (app/app.ts) and the browser (web/web-app.ts): the memory types,
// the checks every load and question makes, and the one encode loop (frames in batches through the vision tower,
// checked finite, timed). Each platform brings only its edges: where frames come from and where tokens are kept.
import type { TextTokenizer } from "../io/tokenizer-core.ts";
import type { HourLlava, Memory } from "../model/arch/hourllava.ts";
import { assertFinite } from "../model/generate/assert-finite.ts";

export interface VideoMemory {
  video: string;
  durationS: number;
  frames: number;
  memory: Memory;
  /** The memory's cache key and whether it was found stored; `bytes` as stored (f16 by default), `path` on disk. */
  cache: { key: string; hit: boolean; bytes: number; path?: string };
  /** probeS: reading the video's streams (or what an earlier run remembered of them); countFramesS: counting its
   * frames (sample tables, or decoding where they do not prove the count; 0 when remembered). Absent where the
   * platform does not probe. */
  timings: EncodeTimings & { totalS: number; probeS?: number; countFramesS?: number };
  /** How the frame count was found ("table", "decoded", …; see VideoInfo.frameCountSource), where the platform says. */
  frameCountSource?: string;
  /** Set when the container says the video is longer than what decodes: the answer covers `decodableS` only. */
  incomplete?: { headerDurationS: number; decodableS: number };
}

/** An image's memory, the image counterpart of VideoMemory (not cached: it is a handful of tiles). */
export interface ImageMemory {
  image: string;
  width: number;
  height: number;
  /** Tiles through the vision tower: the whole image, then the anyres grid's. */
  tiles: number;
  grid?: { cols: number; rows: number };
  memory: Memory;
  timings: EncodeTimings & { totalS: number };
}

export interface EncodeTimings {
  decodeS: number;
  encodeS: number;
}

/** The next `count` preprocessed frames from `start`, [count, 3, S, S] (a platform's decoder). */
export type TakeFrames = (start: number, count: number) => Promise<Float32Array>;

/** A tokenizer with ids past the embedding table would index outside it: refused when the model loads. */
export function checkTokenizerFits(dir: string, tokenizer: TextTokenizer, model: HourLlava): void {
  if (tokenizer.vocabSize > model.config.vocab_size)
    throw new Error(`${dir}: tokenizer.json has ${tokenizer.vocabSize} tokens but config.json's vocab_size is ${model.config.vocab_size}`);
}

/** The question as asked, trimmed unless `raw`; an empty or whitespace-only one is refused before any work. */
export function requireQuestion(question: string, raw = false): string {
  const q = question.trim();
  if (!q) throw new Error("the question is empty");
  return raw ? question : q;
}

/** What a batch gives: the memory's video tokens, or the tower's pooled features before the projector (the
 * official pre-extracted feature layout, features/export.ts). */
export type EncodeOutput = "tokens" | "pooled";

/** Frames [start, start+count): decoded by `take`, through the vision tower, checked finite; `timings` accumulate. */
export async function encodeFrameBatch(
  model: HourLlava,
  take: TakeFrames,
  start: number,
  count: number,
  timings: EncodeTimings,
  output: EncodeOutput = "tokens",
): Promise<Float32Array> {
  const td = performance.now();
  const pixels = await take(start, count);
  const te = performance.now();
  const r = await model.encodeFrames(pixels, count, output === "pooled");
  const out = output === "pooled" ? r.pooled : r.tokens;
  if (!out) throw new Error(`the vision tower gave no ${output} output for frames ${start}..${start + count - 1}`);
  assertFinite(out, `the vision encoder (frames ${start}..${start + count - 1})`);
  timings.decodeS += (te - td) / 1000;
  timings.encodeS += (performance.now() - te) / 1000;
  return out;
}

/** All T frames in batches; `keep(tokens, start)` stores each batch's tokens, `onProgress` hears after each. */
export async function encodeAllFrames(
  model: HourLlava,
  take: TakeFrames,
  T: number,
  batch: number,
  timings: EncodeTimings,
  keep: (tokens: Float32Array, start: number) => void | Promise<void>,
  onProgress?: (done: number, total: number) => void,
  output: EncodeOutput = "tokens",
): Promise<void> {
  for (let start = 0; start < T; start += batch) {
    const count = Math.min(batch, T - start);
    await keep(await encodeFrameBatch(model, take, start, count, timings, output), start);
    onProgress?.(start + count, T);
  }
}
