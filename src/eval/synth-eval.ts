// Held-out evaluation on the procedural world, where every answer is known exactly. Three inputs to the same
// trained model: (a) Hour-LLaVA — the full 1-fps memory, forgetting and MemAug; (b) the same decayed tokens fed
// to the LLM without MemAug; (c) only 64 uniformly sampled frames as the video (MemAug on that short memory).
import type { HourLlava } from "../model/hourllava.ts";
import { linspaceInt } from "../video/sampling.ts";
import { endTokenIds } from "../io/generation-config.ts";
import type { GenerationDefaults } from "../io/generation-config.ts";
import { answer, answerSettings } from "../model/answer.ts";
import type { AnswerVideo } from "../model/answer.ts";
import type { TextTokenizer } from "../io/tokenizer.ts";
import { generateWorld } from "../synth/world.ts";
import { generateQuestions, answerMatches, normaliseAnswer } from "../synth/questions.ts";
import type { SynthQuestion } from "../synth/questions.ts";
import { renderWorldFrames } from "../synth/model-frames.ts";
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
  /** The model folder's generation_config.json (end tokens); none when absent. */
  generation?: GenerationDefaults;
  /** Ask at most this many questions per video (tests); default all (one per task and format). */
  perWorld?: number;
  onProgress?: (done: number, total: number) => void;
}

/** One answer through the path users run (model/answer.ts): greedy, the checkpoint's end tokens, the config's forgetting. */
async function ask(model: HourLlava, tok: TextTokenizer, video: AnswerVideo, question: string, memAug: boolean, o: EvalOptions): Promise<string> {
  const settings = answerSettings(
    model,
    o.generation ?? { eosTokenIds: [] },
    endTokenIds(model.config.eos_token_id, o.generation ?? { eosTokenIds: [] }, tok),
    {
      maxNewTokens: o.maxNewTokens ?? 16,
      seed: o.seed,
    },
  );
  return (await answer(model, tok, video, [{ role: "user", content: question }], { ...settings, memAug })).text.trim();
}

export async function evaluateSynth(model: HourLlava, tok: TextTokenizer, o: EvalOptions): Promise<EvalItem[]> {
  const H = model.hidden;
  const S = model.config.vision.image_size;
  const specs: { seed: number; durationS: number; bucket: EvalItem["bucket"] }[] = [];
  for (let i = 0; i < o.worlds + o.longWorlds; i++) {
    const long = i >= o.worlds;
    const [lo, hi] = long ? [o.longMinS, o.longMaxS] : [o.minDurationS, o.maxDurationS];
    // Seeds far from the training range's (training uses small consecutive seeds).
    // Kept within 32 bits (world generation's seed range) whatever --seed is.
    const seed = (1_000_003 * (o.seed + 1) + i) % 2 ** 32;
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
      const fullVideo = { memory: full, durationS: s.durationS, frames: s.durationS };
      const pred = {
        hourllava: await ask(model, tok, fullVideo, q.question, true, o),
        no_memaug: await ask(model, tok, fullVideo, q.question, false, o),
        frames64: await ask(model, tok, { memory: short, durationS: s.durationS, frames: 64 }, q.question, true, o),
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
