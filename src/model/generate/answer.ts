// The one answer path, used by the app (ask, chat, later serve) and the evaluation, so the evaluation measures
// the code users run: conversation → tokens (user text plain, special tokens only from the template) → forgetting
// plan → MemAug → LLM input → generation until any end token → text. Timings come back with the answer. Without a
// video or image (a text-only question) the prompt has no <image> and the LLM reads the text's embeddings alone (as
// LLaVA's prepare_inputs_labels_for_multimodal does with no images): no plan, no MemAug.
import { IMAGE_TOKEN_INDEX, tokenizeConversation } from "../../io/chat-template.ts";
import type { ChatTurnInput } from "../../io/chat-template.ts";
import type { GenerationDefaults } from "../../io/generation-config-core.ts";
import type { TextTokenizer } from "../../io/tokenizer-core.ts";
import type { SpatialSampling } from "../arch/forgetting.ts";
import { assertFinite } from "./assert-finite.ts";
import type { HourLlava, Memory } from "../arch/hourllava.ts";
import type { SamplingOptions } from "../arch/sampling.ts";
import { llmLayout } from "../arch/token-flow.ts";
import { CodedError } from "../../util/coded-error.ts";

/** What a caller may set; unset fields come from the checkpoint (answerSettings). */
export interface AnswerRequestOptions extends SamplingOptions {
  maxNewTokens?: number;
  /** Spatial forgetting; default the config's spatial_sampling_type (official checkpoints: random, seeded by `seed`). */
  spatial?: SpatialSampling;
  /** The chat template's system message in place of its default ("You are a helpful assistant."). */
  system?: string;
}

export interface AnswerSettings extends SamplingOptions {
  maxNewTokens: number;
  spatial: SpatialSampling;
  seed: number;
  /** Every id that ends the answer (endTokenIds). */
  endTokens: number[];
  /** false: the decayed video tokens reach the LLM without MemAug (an evaluation baseline). */
  memAug?: boolean;
  /** The system message; unset: the template's default. */
  system?: string;
}

/** The video side of a question: its memory, and what the time instruction says (frames before repetition). */
export interface AnswerVideo {
  memory: Memory;
  durationS: number;
  frames: number;
}

/** Or an image: its memory (buildImageMemory); the prompt opens "<image>\n" with no time instruction. */
export interface AnswerImage {
  memory: Memory;
  image: true;
}

export interface AnswerTimings {
  memAugS: number;
  prefillS: number;
  generateS: number;
  tokens: number;
}

export interface Answer {
  text: string;
  /** The answer's token ids (the end token excluded). */
  ids: number[];
  /** "end": an end token closed the answer; "length": maxNewTokens ran out. */
  stop: "end" | "length";
  spatial: SpatialSampling;
  seed: number;
  /** Length of the LLM input the answer followed (text and video tokens): the prompt's token count. */
  promptTokens: number;
  timings: AnswerTimings;
}

export const DEFAULT_MAX_NEW_TOKENS = 128;

/** User options over the checkpoint's: greedy unless asked; generation_config.json fills sampling knobs left unset. */
export function answerSettings(model: HourLlava, gen: GenerationDefaults, endTokens: number[], o: AnswerRequestOptions = {}): AnswerSettings {
  const temperature = o.temperature ?? 0;
  const sampling = temperature > 0;
  return {
    maxNewTokens: o.maxNewTokens ?? gen.maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS,
    temperature,
    topP: o.topP ?? (sampling ? gen.topP : undefined),
    topK: o.topK ?? (sampling ? gen.topK : undefined),
    seed: o.seed ?? 0,
    spatial: o.spatial ?? model.config.spatial_sampling_type,
    endTokens,
    ...(o.system !== undefined ? { system: o.system } : {}),
  };
}

/** Streams the answer's text to the last user turn; the generator's return value is the whole Answer. `video`
 * undefined: a text-only conversation (no <image>, no MemAug; memAugS is 0). */
export async function* streamAnswer(
  model: HourLlava,
  tok: TextTokenizer,
  video: AnswerVideo | AnswerImage | undefined,
  turns: readonly ChatTurnInput[],
  s: AnswerSettings,
): AsyncGenerator<string, Answer> {
  if (!(Number.isInteger(s.maxNewTokens) && s.maxNewTokens >= 1)) throw new Error(`max new tokens must be an integer ≥ 1, got ${s.maxNewTokens}`);
  const { ids } = tokenizeConversation(tok, turns, {
    ...(video === undefined ? {} : "image" in video ? { image: true } : { video: { duration: video.durationS, nFrames: video.frames } }),
    ...(s.system !== undefined ? { system: s.system } : {}),
    addGenerationPrompt: true,
    untrustedText: true,
  });
  const plan = video ? model.plan(video.memory, ids, undefined, { spatial: s.spatial, seed: s.seed }) : undefined;
  if (!plan && ids.includes(IMAGE_TOKEN_INDEX)) throw new Error("a text-only prompt holds an <image> token");
  const L = plan ? llmLayout(plan).length : ids.length;
  const maxLen = model.config.tokenizer_model_max_length;
  if (L + s.maxNewTokens > maxLen)
    throw new CodedError("context_overflow", `the conversation needs ${L} tokens plus ${s.maxNewTokens} to answer, over the model's context of ${maxLen}`);
  const t0 = performance.now();
  let videoRows: Float32Array | undefined;
  if (video && plan) {
    videoRows = s.memAug === false ? model.queryInput(video.memory, plan) : await model.memAug(video.memory, plan);
    assertFinite(videoRows, "MemAug");
  }
  const t1 = performance.now();
  const embeds = plan && videoRows ? model.llmInput(plan, videoRows) : textEmbeds(model, ids);
  const ends = new Set(s.endTokens);
  const out: number[] = [];
  let stop: Answer["stop"] = "length";
  let shown = "";
  let tFirst = 0;
  for await (const t of model.generate(embeds, { ...s, stopTokens: s.endTokens })) {
    if (!tFirst) tFirst = performance.now();
    if (ends.has(t)) {
      stop = "end";
      break;
    }
    out.push(t);
    // Decode the whole answer each time and emit the new suffix, so multi-byte characters are never split.
    const text = tok.decode(out, { skipSpecial: true });
    if (!text.endsWith("\uFFFD") && text.length > shown.length) {
      yield text.slice(shown.length);
      shown = text;
    }
  }
  const text = tok.decode(out, { skipSpecial: true });
  if (text.length > shown.length) yield text.slice(shown.length);
  const t2 = performance.now();
  const timings = {
    memAugS: video ? (t1 - t0) / 1000 : 0,
    prefillS: ((tFirst || t2) - t1) / 1000,
    generateS: (t2 - (tFirst || t2)) / 1000,
    tokens: out.length,
  };
  return { text, ids: out, stop, spatial: s.spatial, seed: s.seed, promptTokens: L, timings };
}

/** The LLM input of a text-only prompt: its token embeddings. */
function textEmbeds(model: HourLlava, ids: number[]): Float32Array {
  const e = new Float32Array(ids.length * model.hidden);
  model.embedRows(ids, e, 0);
  return e;
}

/** The whole answer at once (evaluation, tests). */
export async function answer(
  model: HourLlava,
  tok: TextTokenizer,
  video: AnswerVideo | AnswerImage | undefined,
  turns: readonly ChatTurnInput[],
  s: AnswerSettings,
): Promise<Answer> {
  const it = streamAnswer(model, tok, video, turns, s);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
  }
}
