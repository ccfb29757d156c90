// Held-out evaluation on the procedural world, where every answer is known exactly. Three inputs to the same
// trained model: (a) Hour-LLaVA — the full 1-fps memory, forgetting and MemAug; (b) the same decayed tokens fed
// to the LLM without MemAug; (c) only 64 uniformly sampled frames as the video (MemAug on that short memory).
import type { HourLlava } from "../model/arch/hourllava.ts";
import { linspaceInt } from "../video/sampling.ts";
import { endTokenIds } from "../io/generation-config.ts";
import type { GenerationDefaults } from "../io/generation-config.ts";
import { answer, answerSettings } from "../model/generate/answer.ts";
import type { AnswerVideo } from "../model/generate/answer.ts";
import type { TextTokenizer } from "../io/tokenizer.ts";
import { generateWorld } from "../synth/world.ts";
import { generateQuestions, answerMatches, normaliseAnswer } from "../synth/questions.ts";
import { frameQuestions } from "../synth/q-frame.ts";
import type { SynthQuestion } from "../synth/questions.ts";
import { renderWorldFrames } from "../synth/model-frames.ts";
import { droppedEvidenceQuestions, evidenceOf, type Evidence } from "./evidence.ts";
import { TOKENS_PER_FRAME } from "../model/arch/projector.ts";

export const VARIANTS = ["hourllava", "no_memaug", "frames64"] as const;
export type Variant = (typeof VARIANTS)[number];

export interface EvalItem {
  world: number;
  durationS: number;
  /** frame: one frame of a held-out world with questions about what it shows (stage 1's data). */
  bucket: "frame" | "in_range" | "longer";
  q: SynthQuestion;
  /** A variant that does not apply (64 frames of a one-frame input) is absent. */
  pred: Partial<Record<Variant, string>>;
  correct: Partial<Record<Variant, boolean>>;
  /** Videos only: whether the frames forgetting keeps hold the answer (./evidence.ts). */
  evidence?: Evidence;
  /** Asked only for the dropped-evidence rows (briefSeeds), left out of every other tally. */
  extra?: boolean;
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
  /** Held-out single frames (one per world) asked the frame questions; default none. */
  frameWorlds?: number;
  /** Ask at most this many questions per video (tests); default all (one per task and format). */
  perWorld?: number;
  /** In-range worlds also ask up to this many more seeds' brief-event questions whose answer forgetting drops
   * (./evidence.ts), so MemAug's own ground has enough questions to measure; default 0. */
  briefSeeds?: number;
  /** The inputs to compare (default all three; the CI accuracy check asks Hour-LLaVA only). */
  variants?: readonly Variant[];
  onProgress?: (done: number, total: number) => void;
}

/** One answer through the path users run (model/generate/answer.ts): greedy, the checkpoint's end tokens, the config's forgetting. */
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

/** The asked variants' answers and whether each is right (a variant that does not apply is absent). */
async function predict(
  inputs: Partial<Record<Variant, () => Promise<string>>>,
  q: SynthQuestion,
  variants: readonly Variant[] = VARIANTS,
): Promise<Pick<EvalItem, "pred" | "correct">> {
  const pred: EvalItem["pred"] = {};
  const correct: EvalItem["correct"] = {};
  for (const v of variants) {
    const run = inputs[v];
    if (!run) continue;
    pred[v] = await run();
    correct[v] = answerMatches(pred[v]!, q.answer, q.options);
  }
  return { pred, correct };
}

/** Held-out seeds far from the training range's (training uses small consecutive seeds), within 32 bits. */
const heldOutSeed = (evalSeed: number, i: number) => (1_000_003 * (evalSeed + 1) + i) % 2 ** 32;

/** Single frames: the world's frame at a fixed second, as a one-frame, one-second video (how training feeds them). */
async function evaluateFrames(model: HourLlava, tok: TextTokenizer, o: EvalOptions, done: () => void): Promise<EvalItem[]> {
  const items: EvalItem[] = [];
  const durationS = 30;
  for (let wi = 0; wi < (o.frameWorlds ?? 0); wi++) {
    const seed = heldOutSeed(o.seed + 7, wi);
    const t = (seed * 13) % durationS;
    const qs = frameQuestions(generateWorld({ seed, durationS }), t, { seed: o.seed, formats: ["open", "mc"] }).slice(0, o.perWorld);
    const { tokens } = await model.encodeFrames(renderWorldFrames(seed, durationS, o.renderSize, model.config.vision.image_size, [t]), 1);
    const video = { memory: model.buildMemory(tokens, 1), durationS: 1, frames: 1 };
    for (const q of qs) {
      const inputs = { hourllava: () => ask(model, tok, video, q.question, true, o), no_memaug: () => ask(model, tok, video, q.question, false, o) };
      items.push({ world: wi, durationS: 1, bucket: "frame", q, ...(await predict(inputs, q, o.variants)) });
    }
    done();
  }
  return items;
}

export async function evaluateSynth(model: HourLlava, tok: TextTokenizer, o: EvalOptions): Promise<EvalItem[]> {
  const H = model.hidden;
  const S = model.config.vision.image_size;
  let done = 0;
  const total = (o.frameWorlds ?? 0) + o.worlds + o.longWorlds;
  const items = await evaluateFrames(model, tok, o, () => o.onProgress?.(++done, total));
  const specs: { seed: number; durationS: number; bucket: EvalItem["bucket"] }[] = [];
  for (let i = 0; i < o.worlds + o.longWorlds; i++) {
    const long = i >= o.worlds;
    const [lo, hi] = long ? [o.longMinS, o.longMaxS] : [o.minDurationS, o.maxDurationS];
    const seed = heldOutSeed(o.seed, i);
    specs.push({ seed, durationS: lo + ((seed * 7919) % (hi - lo + 1)), bucket: long ? "longer" : "in_range" });
  }
  for (const [wi, s] of specs.entries()) {
    const world = generateWorld({ seed: s.seed, durationS: s.durationS });
    const gen = (seed: number) => generateQuestions(world, { seed, perTask: 1, formats: ["open", "mc"] });
    const asked = gen(s.seed).slice(0, o.perWorld);
    const brief = s.bucket === "in_range" ? droppedEvidenceQuestions(world, s.durationS, asked, gen, o.briefSeeds ?? 0, s.seed) : [];
    const qs = [...asked, ...brief];
    const extra = new Set(brief);
    const pixels = renderWorldFrames(s.seed, s.durationS, o.renderSize, S);
    const { tokens } = await model.encodeFrames(pixels, s.durationS);
    const full = model.buildMemory(tokens, s.durationS);
    const pick = linspaceInt(0, s.durationS - 1, 64);
    const sub = new Float32Array(64 * TOKENS_PER_FRAME * H);
    pick.forEach((f, i) => sub.set(tokens.subarray(f * TOKENS_PER_FRAME * H, (f + 1) * TOKENS_PER_FRAME * H), i * TOKENS_PER_FRAME * H));
    const short = model.buildMemory(sub, 64);
    for (const q of qs) {
      const fullVideo = { memory: full, durationS: s.durationS, frames: s.durationS };
      const inputs = {
        hourllava: () => ask(model, tok, fullVideo, q.question, true, o),
        no_memaug: () => ask(model, tok, fullVideo, q.question, false, o),
        frames64: () => ask(model, tok, { memory: short, durationS: s.durationS, frames: 64 }, q.question, true, o),
      };
      const evidence = evidenceOf(q, world, s.durationS);
      const more = extra.has(q) ? { extra: true } : {};
      items.push({ world: wi, durationS: s.durationS, bucket: s.bucket, q, evidence, ...more, ...(await predict(inputs, q, o.variants)) });
    }
    o.onProgress?.(++done, total);
  }
  return items;
}

/** Chance: 1/options for multiple choice; for open-ended, always giving the most common answer of the task in
 * the same bucket. Each bucket's table stands alone: frame questions share task names with video ones but not
 * their answers, and a longer bucket's answers must not move the in-range chance. */
export function chanceOf(items: EvalItem[]): (it: EvalItem) => number {
  const key = (it: EvalItem) => `${it.bucket}:${it.q.task}`;
  const byTask = new Map<string, Map<string, number>>();
  for (const it of items) {
    if (it.q.format !== "open") continue;
    const m = byTask.get(key(it)) ?? new Map<string, number>();
    const a = normaliseAnswer(it.q.answer);
    m.set(a, (m.get(a) ?? 0) + 1);
    byTask.set(key(it), m);
  }
  return (it) => {
    if (it.q.format === "mc") return 1 / (it.q.options?.length ?? 4);
    const m = byTask.get(key(it))!;
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    return Math.max(...m.values()) / total;
  };
}
