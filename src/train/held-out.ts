// Held-out answer accuracy during training (`evalEvery`). The loss is a poor guide here: the official masking
// also supervises every "\n", <|im_start|> and <|im_end|> of the conversation, and those are easy, so it falls
// while the model still ignores the video. What matters is whether whole answers come out right: an answer counts
// when every one of its tokens, the end token included, is the argmax given the right tokens before it (greedy
// decoding's answer, given the same context).
import type { CompiledGraph, HostTensor } from "../graph/runtime.ts";
import type { HourLlavaConfig } from "../io/config.ts";
import { IGNORE_INDEX } from "../io/chat-template.ts";
import type { TextTokenizer } from "../io/tokenizer.ts";
import type { TrainConfig } from "./config.ts";
import { planSample, prepareSample } from "./sample.ts";
import type { TrainSample } from "./sample.ts";
import { synthSource } from "./synth-source.ts";

/** World seeds of the held-out set come from this dataset seed (plus the run's): far from any training seed. */
export const HELD_OUT_SEED = 2_000_000_000;

/** `n` samples of the run's kind from worlds no training config with a small seed uses, spread over the records. */
export function heldOutSamples(cfg: TrainConfig, imageSize: number, n: number): TrainSample[] {
  const s = cfg.data.synth;
  const worlds = s.kind === "frame" ? Math.ceil(n / s.framesPerWorld) : n;
  const src = synthSource({ ...s, seed: (HELD_OUT_SEED + s.seed) % 2 ** 32, worlds }, imageSize);
  const count = Math.min(n, src.size);
  return Array.from({ length: count }, (_, i) => src.get(Math.floor((i * src.size) / count)));
}

/** Answers and how many are exact under teacher forcing. `answerTargets` are the sample's targets under
 * supervision "answers" (sample.ts): each answer is a run of targets ending in <|im_end|> (`imEnd`), whatever the
 * run trains on. A run cut off before its <|im_end|> is not an answer. */
export function scoreAnswers(
  logits: Float32Array,
  answerTargets: ArrayLike<number | bigint>,
  vocab: number,
  imEnd: number,
): { answers: number; exact: number } {
  const t = Array.from(answerTargets, Number);
  const right = (i: number) => {
    let best = 0;
    for (let v = 1; v < vocab; v++) if (logits[i * vocab + v] > logits[i * vocab + best]) best = v;
    return best === t[i];
  };
  let answers = 0;
  let exact = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === IGNORE_INDEX) continue;
    let allRight = true;
    let k = i;
    for (; k < t.length && t[k] !== IGNORE_INDEX; k++) if (!right(k)) allRight = false;
    if (t[k - 1] === imEnd) {
      answers++;
      if (allRight) exact++;
    }
    i = k;
  }
  return { answers, exact };
}

/** Mean loss over supervised tokens and the share of exact answers on the held-out samples, with the current
 * weights (`params`: the tunable ones, as the training step gets them). Forgetting is seeded per sample. */
export async function heldOutMetrics(
  graph: CompiledGraph,
  params: Map<string, HostTensor>,
  config: HourLlavaConfig,
  tok: TextTokenizer,
  cfg: TrainConfig,
  samples: TrainSample[],
): Promise<{ loss: number; answerAccuracy: number }> {
  const imEnd = tok.tokenId("<|im_end|>");
  let lossSum = 0;
  let tokens = 0;
  let answers = 0;
  let exact = 0;
  for (const [i, s] of samples.entries()) {
    const prep = prepareSample(config, tok, s, cfg.spatialSampling, i, cfg.supervise);
    const out = await graph.run(prep.feeds, params);
    const answerTargets = planSample(config, tok, s, cfg.spatialSampling, i, "answers").targets;
    lossSum += (out.loss.data as Float32Array)[0] * prep.targetTokens;
    tokens += prep.targetTokens;
    const r = scoreAnswers(out.logits.data as Float32Array, answerTargets, config.vocab_size, imEnd);
    answers += r.answers;
    exact += r.exact;
  }
  return { loss: lossSum / Math.max(1, tokens), answerAccuracy: exact / Math.max(1, answers) };
}
