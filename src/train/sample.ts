// Host-side preparation of one training sample: tokenized conversation with official label masking, the
// memory's frame repetition, random spatial forgetting (seeded per step), MemAug query plan, rotary tables
// and shifted next-token targets — everything the training graph takes as inputs.
import type { HostTensor } from "../graph/runtime.ts";
import type { HourLlavaConfig } from "../io/config.ts";
import type { ChatTurnInput } from "../io/chat-template.ts";
import { IGNORE_INDEX, tokenizeConversation } from "../io/chat-template.ts";
import type { TextTokenizer } from "../io/tokenizer.ts";
import { spatialIndices, videoQueries } from "../model/forgetting.ts";
import { frameRepetition, keyRopeTables } from "../model/memory.ts";
import type { SpatialSampling } from "../model/forgetting.ts";
import { memAugDims } from "../model/memaug.ts";
import { ropeTables } from "../model/rope.ts";
import { seededRandom } from "../model/sampling.ts";
import { llmLabels, llmLayout, nextTokenTargets, planQuery } from "../model/token-flow.ts";

export interface TrainSample {
  /** Preprocessed frames [T, 3, S, S]. */
  pixels: Float32Array;
  frames: number;
  durationS: number;
  turns: ChatTurnInput[];
}

const i64 = (xs: ArrayLike<number>): HostTensor => ({ data: BigInt64Array.from(Array.from(xs, (x) => BigInt(x))), dims: [xs.length] });

export interface PreparedSample {
  feeds: Record<string, HostTensor>;
  /** Supervised target tokens (loss denominators). */
  targetTokens: number;
  sequenceLength: number;
}

export function prepareSample(c: HourLlavaConfig, tok: TextTokenizer, s: TrainSample, spatial: SpatialSampling, seed: number): PreparedSample {
  const v = c.vision;
  const { ids, labels } = tokenizeConversation(tok, s.turns, { video: { duration: s.durationS, nFrames: s.frames } });
  const frameIndex = frameRepetition(s.frames);
  const Tm = frameIndex.length;
  const rand = seededRandom(seed);
  const vq = videoQueries(Tm, () => spatialIndices(spatial, rand));
  const plan = planQuery(ids, labels, vq);
  const { rotaryDim } = memAugDims(c);
  const q = ropeTables(plan.qPos, rotaryDim, c.rope_theta);
  const k = keyRopeTables(Tm, rotaryDim, c.rope_theta);
  const { video: Nv, length: L } = llmLayout(plan);
  const maxLen = c.tokenizer_model_max_length;
  if (L > maxLen) throw new Error(`sample of ${L} tokens exceeds tokenizer_model_max_length ${maxLen}`);
  const targets = nextTokenTargets(llmLabels(plan, labels));
  const d = c.hidden_size / c.num_attention_heads;
  const pos = ropeTables(
    Array.from({ length: L }, (_, i) => i),
    d,
    c.rope_theta,
  );
  const t = (data: Float32Array, n: number, w: number): HostTensor => ({ data, dims: [n, w] });
  const feeds: Record<string, HostTensor> = {
    pixels: { data: s.pixels, dims: [s.frames, v.num_channels, v.image_size, v.image_size] },
    frame_index: i64(frameIndex),
    prefix_ids: i64(plan.prefixIds),
    query_rows: i64(plan.videoRows),
    suffix_ids: i64(plan.suffixIds),
    video_pos: i64(Array.from({ length: Nv }, (_, i) => plan.videoStart + i)),
    q_cos: t(q.cos, plan.qPos.length, q.half),
    q_sin: t(q.sin, plan.qPos.length, q.half),
    k_cos: t(k.cos, k.length, k.half),
    k_sin: t(k.sin, k.length, k.half),
    llm_prefix_ids: i64(plan.llmPrefixIds),
    llm_suffix_ids: i64(plan.llmSuffixIds),
    cos: t(pos.cos, L, pos.half),
    sin: t(pos.sin, L, pos.half),
    targets: i64(targets),
  };
  return { feeds, targetTokens: targets.filter((x) => x !== IGNORE_INDEX).length, sequenceLength: L };
}
