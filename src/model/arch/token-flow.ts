// The official token flow around <image>: which prompt tokens become MemAug queries (all of them at inference,
// only label-ignored ones in training), the query positions (text counts up from 0; the video queries keep their
// memory positions shifted past the preceding text; following text continues after the last video position),
// and the LLM input with the augmented video tokens in place of <image>.
import { IGNORE_INDEX, IMAGE_TOKEN_INDEX } from "../../io/chat-template.ts";
import type { VideoQueries } from "./forgetting.ts";

export { IGNORE_INDEX, IMAGE_TOKEN_INDEX };

export interface QueryPlan {
  /** Text tokens entering the query before and after the video. */
  prefixIds: number[];
  suffixIds: number[];
  /** Memory rows of the video queries. */
  videoRows: number[];
  /** Positions of [prefix, video, suffix] queries. */
  qPos: number[];
  /** Query index range [start, end) of the video queries (their MemAug outputs go to the LLM). */
  videoStart: number;
  videoEnd: number;
  /** The LLM's token ids around the single <image>. */
  llmPrefixIds: number[];
  llmSuffixIds: number[];
}

export function imageIndex(ids: number[]): number {
  const at = ids.indexOf(IMAGE_TOKEN_INDEX);
  if (at < 0) throw new Error("the prompt has no <image> token: a video question needs one (the chat template adds it)");
  if (ids.indexOf(IMAGE_TOKEN_INDEX, at + 1) >= 0) throw new Error("the prompt has more than one <image> token; one video per conversation is supported");
  return at;
}

export function planQuery(ids: number[], labels: number[] | undefined, video: VideoQueries): QueryPlan {
  if (labels && labels.length !== ids.length) throw new Error(`labels (${labels.length}) and ids (${ids.length}) differ in length`);
  const at = imageIndex(ids);
  const keep = (i: number) => !labels || labels[i] === IGNORE_INDEX;
  const prefixIds: number[] = [];
  const suffixIds: number[] = [];
  for (let i = 0; i < ids.length; i++) {
    if (i === at || !keep(i)) continue;
    (i < at ? prefixIds : suffixIds).push(ids[i]);
  }
  const n0 = prefixIds.length;
  const qPos: number[] = [];
  for (let i = 0; i < n0; i++) qPos.push(i);
  let maxPos = n0 - 1;
  for (const p of video.positions) {
    qPos.push(p + n0);
    maxPos = Math.max(maxPos, p + n0);
  }
  for (let i = 0; i < suffixIds.length; i++) qPos.push(maxPos + 1 + i);
  return {
    prefixIds,
    suffixIds,
    videoRows: video.rows,
    qPos,
    videoStart: n0,
    videoEnd: n0 + video.rows.length,
    llmPrefixIds: ids.slice(0, at),
    llmSuffixIds: ids.slice(at + 1),
  };
}

/** The LLM sequence around <image>: prefix text, the video rows (MemAug outputs), suffix text. */
export interface LlmLayout {
  prefix: number;
  video: number;
  suffix: number;
  length: number;
}

export function llmLayout(plan: QueryPlan): LlmLayout {
  const prefix = plan.llmPrefixIds.length;
  const video = plan.videoEnd - plan.videoStart;
  const suffix = plan.llmSuffixIds.length;
  return { prefix, video, suffix, length: prefix + video + suffix };
}

/** Labels of the LLM sequence: the prompt's labels with the video rows (in place of <image>) ignored. */
export function llmLabels(plan: QueryPlan, labels: readonly number[]): number[] {
  const { prefix, video } = llmLayout(plan);
  if (labels.length !== prefix + 1 + plan.llmSuffixIds.length)
    throw new Error(`labels (${labels.length}) do not match the prompt (${prefix + 1 + plan.llmSuffixIds.length})`);
  return [...labels.slice(0, prefix), ...new Array<number>(video).fill(IGNORE_INDEX), ...labels.slice(prefix + 1)];
}

/** Next-token targets: position i predicts label i+1; the last position predicts nothing. */
export function nextTokenTargets(labels: readonly number[]): number[] {
  return [...labels.slice(1), IGNORE_INDEX];
}

/** Copies rows of a [rows, width] matrix (embedding lookup, memory gather) into out at a row offset. */
export function gatherRows(src: Float32Array, width: number, rows: ArrayLike<number>, out: Float32Array, outRow = 0): void {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r < 0 || (r + 1) * width > src.length) throw new Error(`row ${r} is out of range (${src.length / width} rows)`);
    out.set(src.subarray(r * width, (r + 1) * width), (outRow + i) * width);
  }
}
