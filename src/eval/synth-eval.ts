// Held-out evaluation on the procedural world, where every answer is known exactly. Three inputs to the same
// trained model: (a) Hour-LLaVA — the full 1-fps memory, forgetting and MemAug; (b) the same decayed tokens fed
// to the LLM without MemAug; (c) only 64 uniformly sampled frames as the video (MemAug on that short memory).
import type { HourLlava } from "../model/hourllava.ts";
import type { Memory } from "../model/hourllava.ts";
import { linspaceInt } from "../video/sampling.ts";
import { tokenizeConversation } from "../io/chat-template.ts";
import type { TextTokenizer } from "../io/tokenizer.ts";
import { generateWorld } from "../synth/world.ts";
import { generateQuestions, answerMatches, normaliseAnswer } from "../synth/questions.ts";
import type { SynthQuestion } from "../synth/questions.ts";
import { renderWorldFrames } from "../train/synth-source.ts";
import { TOKENS_PER_FRAME } from "../model/projector.ts";

export const VARIANTS = ["hourllava", "no_memaug", "frames64"] as const;
export type Variant = (typeof VARIANTS)[number];

export interface EvalItem {
  world: number;
  durationS: number;
  bucket: "in_range" | "longer";
  q: SynthQuestion;
  pred: Record<Variant, string>;
  correct: Record<Variant, boolean>;
}

export interface EvalOptions {
  seed: number;
  worlds: number;
  longWorlds: number;
  minDurationS: number;
  maxDurationS: number;
  longMinS: number;
  longMaxS: number;
  renderSize: number;
  maxNewTokens?: number;
  /** Ask at most this many questions per video (tests); default all (one per task and format). */
  perWorld?: number;
  onProgress?: (done: number, total: number) => void;
}

async function answer(
  model: HourLlava,
  tok: TextTokenizer,
  memory: Memory,
  question: string,
  durationS: number,
  nFrames: number,
  memAug: boolean,
  maxNew: number,
): Promise<string> {
  const { ids } = tokenizeConversation(tok, [{ role: "user", content: question }], { video: { duration: durationS, nFrames }, addGenerationPrompt: true });
  const plan = model.plan(memory, ids);
  const video = memAug ? await model.memAug(memory, plan) : model.queryInput(memory, plan);
  const stop = tok.tokenId("<|im_end|>");
  const out: number[] = [];
  for await (const t of model.generate(model.llmInput(plan, video), { maxNewTokens: maxNew, stopTokens: [stop] })) if (t !== stop) out.push(t);
  return tok.decode(out, { skipSpecial: true }).trim();
}

export async function evaluateSynth(model: HourLlava, tok: TextTokenizer, o: EvalOptions): Promise<EvalItem[]> {
  const H = model.hidden;
  const S = model.config.vision.image_size;
  const specs: { seed: number; durationS: number; bucket: EvalItem["bucket"] }[] = [];
  for (let i = 0; i < o.worlds + o.longWorlds; i++) {
    const long = i >= o.worlds;
    const [lo, hi] = long ? [o.longMinS, o.longMaxS] : [o.minDurationS, o.maxDurationS];
    // Seeds far from the training range's (training uses small consecutive seeds).
    const seed = 1_000_003 * (o.seed + 1) + i;
    specs.push({ seed, durationS: lo + ((seed * 7919) % (hi - lo + 1)), bucket: long ? "longer" : "in_range" });
  }
  const items: EvalItem[] = [];
  let done = 0;
  for (const [wi, s] of specs.entries()) {
    const world = generateWorld({ seed: s.seed, durationS: s.durationS });
    const qs = generateQuestions(world, { seed: s.seed, perTask: 1, formats: ["open", "mc"] }).slice(0, o.perWorld);
    const pixels = renderWorldFrames(s.seed, s.durationS, o.renderSize, S);
    const { tokens } = await model.encodeFrames(pixels, s.durationS);
    const full = model.buildMemory(tokens, s.durationS);
    const pick = linspaceInt(0, s.durationS - 1, 64);
    const sub = new Float32Array(64 * TOKENS_PER_FRAME * H);
    pick.forEach((f, i) => sub.set(tokens.subarray(f * TOKENS_PER_FRAME * H, (f + 1) * TOKENS_PER_FRAME * H), i * TOKENS_PER_FRAME * H));
    const short = model.buildMemory(sub, 64);
    for (const q of qs) {
      const maxNew = o.maxNewTokens ?? 16;
      const pred = {
        hourllava: await answer(model, tok, full, q.question, s.durationS, s.durationS, true, maxNew),
        no_memaug: await answer(model, tok, full, q.question, s.durationS, s.durationS, false, maxNew),
        frames64: await answer(model, tok, short, q.question, s.durationS, 64, true, maxNew),
      };
      const correct = Object.fromEntries(VARIANTS.map((v) => [v, answerMatches(pred[v], q.answer, q.options)])) as Record<Variant, boolean>;
      items.push({ world: wi, durationS: s.durationS, bucket: s.bucket, q, pred, correct });
    }
    o.onProgress?.(++done, specs.length);
  }
  return items;
}

/** Chance: 1/options for multiple choice; for open-ended, always giving the most common answer of the task. */
export function chanceOf(items: EvalItem[]): (it: EvalItem) => number {
  const byTask = new Map<string, Map<string, number>>();
  for (const it of items) {
    if (it.q.format !== "open") continue;
    const m = byTask.get(it.q.task) ?? new Map<string, number>();
    const a = normaliseAnswer(it.q.answer);
    m.set(a, (m.get(a) ?? 0) + 1);
    byTask.set(it.q.task, m);
  }
  return (it) => {
    if (it.q.format === "mc") return 1 / (it.q.options?.length ?? 4);
    const m = byTask.get(it.q.task)!;
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    return Math.max(...m.values()) / total;
  };
}
