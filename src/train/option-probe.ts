// A probe of one language skill the official model inherits from its pretrained Qwen2 and a tiny LLM trained from
// scratch has to learn: answering a multiple-choice question by the letter of the option that says the answer.
// Only the LLM trains, on option drills (synth/option-drill.ts: real MC turns whose question names the right
// option's text), with no video, so a step costs a fraction of a video step; the held-out drills are scored as
// evalEvery scores answers (every token the argmax under teacher forcing).
import { tokenizeConversation } from "../io/chat-template.ts";
import type { HourLlavaConfig } from "../io/config.ts";
import type { TextTokenizer } from "../io/tokenizer.ts";
import { Graph } from "../graph/graph.ts";
import { crossEntropy } from "../graph/nn/loss.ts";
import { gather } from "../graph/ops/shape-ops.ts";
import { Runtime } from "../graph/runtime.ts";
import type { HostTensor } from "../graph/runtime.ts";
import { qwen2 } from "../model/arch/qwen2.ts";
import { seededRandom } from "../model/arch/sampling.ts";
import { nextTokenTargets } from "../model/arch/token-flow.ts";
import { MapWeights, WeightStore } from "../model/arch/weights.ts";
import { adamwStep, newAdamWState } from "./adamw.ts";
import { scoreAnswers } from "./held-out.ts";
import { i64, llmRope } from "./sample.ts";
import { outputGradients } from "./train-graph.ts";
import { partOf } from "./parts.ts";
import { cosineWithWarmup } from "./schedule.ts";

type Tensors = Map<string, { data: Float32Array; shape: number[] }>;
import type { Drill } from "./drill-sets.ts";
export type { Drill };

export interface ProbeOptions {
  steps: number;
  lr: number;
  /** Drills packed into one sequence per step, as training packs QA turns. */
  perStep: number;
  evalEvery: number;
  /** "answers": the loss on the letters (and their end) only; "all": on every next token, as language-model
   * pretraining does (the letters are scored the same way either way). */
  lossOn?: "answers" | "all";
  seed?: number;
  threads?: number;
  onEval?: (point: ProbePoint) => void;
}

export interface ProbePoint {
  step: number;
  /** Mean training loss per supervised token (per `lossOn`) since the previous point. */
  loss: number;
  heldOutExact: number;
}

/** The LLM alone on token ids, with next-token loss and gradients for the LLM's weights. */
function textTrainGraph(c: HourLlavaConfig, w: WeightStore, trained: string[]): Graph {
  const g = new Graph();
  const dHalf = c.hidden_size / c.num_attention_heads / 2;
  const embeds = gather(w.param(g, "model.embed_tokens.weight"), g.input("ids", "int64", ["L"]));
  const rope = { cos: g.input("cos", "float32", ["L", dHalf]), sin: g.input("sin", "float32", ["L", dHalf]) };
  const { logits } = qwen2(g, w, c, { embeds, rope });
  const loss = crossEntropy(logits, g.input("targets", "int64", ["L"]));
  g.output("loss", loss);
  g.output("logits", logits);
  outputGradients(g, w, loss, trained);
  return g;
}

/** The graph's feeds, and the answer-only targets that locate the letters for scoring. */
function feedsOf(c: HourLlavaConfig, tok: TextTokenizer, drills: Drill[], lossOn: "answers" | "all"): { feeds: Record<string, HostTensor>; answers: number[] } {
  const { ids, labels } = tokenizeConversation(tok, drills.flat(), { supervise: "answers" });
  const answers = nextTokenTargets(labels);
  const targets = lossOn === "all" ? nextTokenTargets(ids) : answers;
  return { feeds: { ids: i64(ids), targets: i64(targets), ...llmRope(c, ids.length) }, answers };
}

/** Trains `weights`' LLM in place on `train` drills; returns the held-out curve (step 0 first). */
export async function probeOptionLookup(
  c: HourLlavaConfig,
  weights: Tensors,
  tok: TextTokenizer,
  train: Drill[],
  held: Drill[],
  o: ProbeOptions,
): Promise<ProbePoint[]> {
  if (train.length === 0 || held.length === 0) throw new Error("option probe: no drills to train on or to score");
  const store = new WeightStore(new MapWeights(weights));
  const trained = [...weights.keys()].filter((n) => partOf(n) === "language_model");
  const step = await new Runtime({ threads: o.threads }).compile(textTrainGraph(c, store, trained), { weightsAsInputs: true });
  const params = new Map(trained.map((n) => [n, weights.get(n)!.data]));
  const paramFeeds = new Map(trained.map((n) => [n, { data: weights.get(n)!.data, dims: weights.get(n)!.shape }]));
  const imEnd = tok.tokenId("<|im_end|>");
  const lossOn = o.lossOn ?? "answers";
  const heldOut = async () => {
    let answers = 0;
    let exact = 0;
    for (let i = 0; i < held.length; i += o.perStep) {
      const f = feedsOf(c, tok, held.slice(i, i + o.perStep), lossOn);
      const out = await step.run(f.feeds, paramFeeds);
      const r = scoreAnswers(out.logits.data as Float32Array, f.answers, c.vocab_size, imEnd);
      answers += r.answers;
      exact += r.exact;
    }
    return exact / answers;
  };
  const curve: ProbePoint[] = [];
  const record = async (s: number, loss: number) => {
    const p = { step: s, loss, heldOutExact: await heldOut() };
    curve.push(p);
    o.onEval?.(p);
  };
  await record(0, NaN);
  const rand = seededRandom(o.seed ?? 0);
  const optimizer = newAdamWState();
  let lossSum = 0;
  for (let s = 0; s < o.steps; s++) {
    const drills = Array.from({ length: o.perStep }, () => train[Math.floor(rand() * train.length)]);
    const out = await step.run(feedsOf(c, tok, drills, lossOn).feeds, paramFeeds);
    lossSum += (out.loss.data as Float32Array)[0];
    const grads = new Map(trained.map((n) => [n, out[`grad.${n}`].data as Float32Array]));
    adamwStep(params, grads, optimizer, { lr: 1, weightDecay: 0, maxGradNorm: 1 }, () => o.lr * cosineWithWarmup(s, o.steps, 0.03));
    if ((s + 1) % o.evalEvery === 0 || s + 1 === o.steps) {
      await record(s + 1, lossSum / (s + 1 - (curve.at(-1)?.step ?? 0)));
      lossSum = 0;
    }
  }
  return curve;
}
