// Held-out answer accuracy during training (`evalEvery`). The loss is a poor guide here: the official masking
// also supervises every "\n", <|im_start|> and <|im_end|> of the conversation, and those are easy, so it falls
// while the model still ignores the video. What
// matters is whether whole answers come out right: an answer counts when every one of its tokens, the end token
// included, is the argmax given the right tokens before it (greedy decoding's answer, given the same context).
import type { CompiledGraph, HostTensor } from "../graph/runtime.ts";
import type { HourLlavaConfig } from "../io/config.ts";
import { IGNORE_INDEX } from "../io/chat-template.ts";
import type { TextTokenizer } from "../io/tokenizer.ts";
import type { TrainConfig } from "./config.ts";
import { prepareSample } from "./sample.ts";
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

/** Template token ids: the official masking supervises every "\n", <|im_start|> and <|im_end|>, so supervised
 * targets are not answers by themselves; an answer is what follows an assistant header. */
export interface TemplateIds {
  imStart: number;
  imEnd: number;
  nl: number;
}

export function templateIds(tok: TextTokenizer): TemplateIds {
  return { imStart: tok.tokenId("<|im_start|>"), imEnd: tok.tokenId("<|im_end|>"), nl: tok.encode("\n")[0] };
}

/** Answers and how many are exact under teacher forcing. An answer is the targets after an assistant header
 * (<|im_start|>, supervised role tokens, "\n") up to and including its <|im_end|>; a user turn's header is not
 * supervised past <|im_start|>, so it never starts one. */
export function scoreAnswers(logits: Float32Array, targets: ArrayLike<number | bigint>, vocab: number, ids: TemplateIds): { answers: number; exact: number } {
  const t = Array.from(targets, Number);
  const right = (i: number) => {
    let best = 0;
    for (let v = 1; v < vocab; v++) if (logits[i * vocab + v] > logits[i * vocab + best]) best = v;
    return best === t[i];
  };
  let answers = 0;
  let exact = 0;
  for (let i = 0; i + 1 < t.length; i++) {
    if (t[i] !== ids.imStart || t[i + 1] === IGNORE_INDEX || t[i + 1] === ids.nl) continue;
    let j = i + 1;
    while (j < t.length && t[j] !== ids.nl && t[j] !== IGNORE_INDEX) j++;
    if (t[j] !== ids.nl) continue;
    let allRight = true;
    let k = j + 1;
    for (; k < t.length && t[k] !== IGNORE_INDEX; k++) {
      if (!right(k)) allRight = false;
      if (t[k] === ids.imEnd) break;
    }
    if (t[k] !== ids.imEnd) continue; // cut off before its end: not an answer
    answers++;
    if (allRight) exact++;
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
  const marks = templateIds(tok);
  let lossSum = 0;
  let tokens = 0;
  let answers = 0;
  let exact = 0;
  for (const [i, s] of samples.entries()) {
    const prep = prepareSample(config, tok, s, cfg.spatialSampling, i);
    const out = await graph.run(prep.feeds, params);
    lossSum += (out.loss.data as Float32Array)[0] * prep.targetTokens;
    tokens += prep.targetTokens;
    const r = scoreAnswers(out.logits.data as Float32Array, prep.feeds.targets.data as BigInt64Array, config.vocab_size, marks);
    answers += r.answers;
    exact += r.exact;
  }
  return { loss: lossSum / Math.max(1, tokens), answerAccuracy: exact / Math.max(1, answers) };
}
