// Host-side preparation of one training sample: tokenized conversation with official label masking, the
// memory's frame repetition, random spatial forgetting (seeded per step), MemAug query plan, rotary tables
// and shifted next-token targets — everything the training graph takes as inputs.
import type { HostTensor } from "../graph/runtime.ts";
import type { HourLlavaConfig } from "../io/config.ts";
import type { ChatTurnInput } from "../io/chat-template.ts";
import { IGNORE_INDEX, tokenizeConversation } from "../io/chat-template.ts";
import type { Supervision } from "../io/chat-template.ts";
import type { TextTokenizer } from "../io/tokenizer.ts";
import { spatialIndices, videoQueries } from "../model/arch/forgetting.ts";
import { frameRepetition, keyRopeTables } from "../model/arch/memory.ts";
import type { SpatialSampling } from "../model/arch/forgetting.ts";
import { memAugDims } from "../model/arch/memaug.ts";
import { ropeTables } from "../model/arch/rope.ts";
import { seededRandom } from "../model/arch/sampling.ts";
import { llmLabels, llmLayout, nextTokenTargets, planQuery } from "../model/arch/token-flow.ts";

export interface TrainSample {
  /** Preprocessed frames [T, 3, S, S]. */
  pixels: Float32Array;
  frames: number;
  durationS: number;
  turns: ChatTurnInput[];
}

/** int64 ids as a graph feed. */
export const i64 = (xs: ArrayLike<number>): HostTensor => ({ data: BigInt64Array.from(Array.from(xs, (x) => BigInt(x))), dims: [xs.length] });

export interface PreparedSample {
  feeds: Record<string, HostTensor>;
  /** Supervised target tokens (loss denominators). */
  targetTokens: number;
  sequenceLength: number;
}

/** The integer side of a sample: token ids, memory rows, positions and targets. The rotary tables are functions
 * of `qPos`, `keyFrames` and the LLM length, so this is all an exported run (tools/train_torch) needs. */
export interface SamplePlan {
  frameIndex: number[];
  prefixIds: number[];
  queryRows: number[];
  suffixIds: number[];
  videoPos: number[];
  /** MemAug query positions; the keys sit at 0 … 65·frameIndex.length − 1. */
  qPos: number[];
  llmPrefixIds: number[];
  llmSuffixIds: number[];
  targets: number[];
  /** LLM sequence length (its positions are 0 … length − 1). */
  length: number;
}

/** `supervise`: which tokens are targets (chat-template.ts); every other input is the same either way. */
export function planSample(
  c: HourLlavaConfig,
  tok: TextTokenizer,
  s: TrainSample,
  spatial: SpatialSampling,
  seed: number,
  supervise: Supervision = "official",
): SamplePlan {
  const video = { duration: s.durationS, nFrames: s.frames };
  // MemAug's queries are the tokens the official labels leave unsupervised (planQuery), so the layout follows the
  // official masking whatever `supervise` says; only the targets change.
  const { ids, labels } = tokenizeConversation(tok, s.turns, { video });
  const targetLabels = supervise === "official" ? labels : tokenizeConversation(tok, s.turns, { video, supervise }).labels;
  const frameIndex = frameRepetition(s.frames);
  const rand = seededRandom(seed);
  const vq = videoQueries(frameIndex.length, () => spatialIndices(spatial, rand));
  const plan = planQuery(ids, labels, vq);
  const { video: Nv, length: L } = llmLayout(plan);
  const maxLen = c.tokenizer_model_max_length;
  if (L > maxLen) throw new Error(`sample of ${L} tokens exceeds tokenizer_model_max_length ${maxLen}`);
  return {
    frameIndex: Array.from(frameIndex),
    prefixIds: Array.from(plan.prefixIds),
    queryRows: Array.from(plan.videoRows),
    suffixIds: Array.from(plan.suffixIds),
    videoPos: Array.from({ length: Nv }, (_, i) => plan.videoStart + i),
    qPos: Array.from(plan.qPos),
    llmPrefixIds: Array.from(plan.llmPrefixIds),
    llmSuffixIds: Array.from(plan.llmSuffixIds),
    targets: Array.from(nextTokenTargets(llmLabels(plan, targetLabels))),
    length: L,
  };
}

/** The plan (same arguments as planSample) with its rotary tables and pixels, as the training graph's feeds. */
export function prepareSample(...args: Parameters<typeof planSample>): PreparedSample {
  const [c, , s] = args;
  const v = c.vision;
  const p = planSample(...args);
  const { rotaryDim } = memAugDims(c);
  const q = ropeTables(p.qPos, rotaryDim, c.rope_theta);
  const k = keyRopeTables(p.frameIndex.length, rotaryDim, c.rope_theta);
  const L = p.length;
  const t = (data: Float32Array, n: number, w: number): HostTensor => ({ data, dims: [n, w] });
  const feeds: Record<string, HostTensor> = {
    pixels: { data: s.pixels, dims: [s.frames, v.num_channels, v.image_size, v.image_size] },
    frame_index: i64(p.frameIndex),
    prefix_ids: i64(p.prefixIds),
    query_rows: i64(p.queryRows),
    suffix_ids: i64(p.suffixIds),
    video_pos: i64(p.videoPos),
    q_cos: t(q.cos, p.qPos.length, q.half),
    q_sin: t(q.sin, p.qPos.length, q.half),
    k_cos: t(k.cos, k.length, k.half),
    k_sin: t(k.sin, k.length, k.half),
    llm_prefix_ids: i64(p.llmPrefixIds),
    llm_suffix_ids: i64(p.llmSuffixIds),
    ...llmRope(c, L),
    targets: i64(p.targets),
  };
  return { feeds, targetTokens: p.targets.filter((x) => x !== IGNORE_INDEX).length, sequenceLength: L };
}

/** The LLM's rotary tables for positions 0 … length − 1, as the "cos" and "sin" feeds. */
export function llmRope(c: HourLlavaConfig, length: number): { cos: HostTensor; sin: HostTensor } {
  const r = ropeTables(
    Array.from({ length }, (_, i) => i),
    c.hidden_size / c.num_attention_heads,
    c.rope_theta,
  );
  return { cos: { data: r.cos, dims: [length, r.half] }, sin: { data: r.sin, dims: [length, r.half] } };
}
