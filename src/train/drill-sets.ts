// Text-only drills for the language stage: the skills the official model inherits from its pretrained Qwen2 and a
// tiny LLM trained from scratch has to learn before it can answer multiple choice (scripts/export-drills.ts,
// tools/train_torch/text_stage.py, scripts/mc-lookup-probe.ts).
//   two    — two options of the world's words, the question naming one (content matching at its simplest)
//   four   — the same with four options
//   mc     — the world's real MC questions, rewritten to name the right option's text (synth/option-drill.ts)
//   name   — the reverse lookup: the question names a letter and the answer is that option's text (an induction
//            head's job: find the letter in the options, copy what follows it), a stepping stone to `two`
//   repeat — copy a letter from a fixed place in the question (positional copying: the control)
//   lexicon — what a sign means: a fixed made-up word per option word ("What does the sign bek stand for?" → blue)
//   coded   — multiple choice over a sign: the right option is never written in the question, only its sign, so the
//            model must match options against content it computed itself, as it must against what a frame shows
//            (the binding that text drills, which name the option's words, do not teach: issue 23)
//   coded-far — coded with 1–8 neutral sentences (the time instruction among them) between the sign and the
//            question: a frame's content sits hundreds of tokens before its options, and the coded skill learned
//            on short drills halves 60 tokens away (75 % → 37 % held out) and falls to chance behind a frame
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { gzipSync } from "node:zlib";
import { writeFileAtomic } from "../io/atomic.ts";
import { ANSWER_ABOUT_VIDEO, tokenizeConversation, videoLengthSentence } from "../io/chat-template.ts";
import type { TextTokenizer } from "../io/tokenizer.ts";
import { nextTokenTargets } from "../model/arch/token-flow.ts";
import { seededRandom } from "../model/arch/sampling.ts";
import type { Turn } from "../synth/dataset.ts";
import { buildSynthDataset } from "../synth/dataset.ts";
import { buildFrameRecords } from "../synth/frame-dataset.ts";
import { optionDrills } from "../synth/option-drill.ts";
import { LETTERS, MC_INSTRUCTION } from "../synth/questions.ts";
import { COLOURS, REGIONS, SCENES, SHAPES } from "../synth/vocab.ts";
import { turnsOf } from "./synth-source.ts";

/** One drill: a user turn and the assistant's letter. */
export type Drill = [Turn, Turn];
export const DRILL_KINDS = ["two", "four", "mc", "name", "repeat", "lexicon", "coded", "coded-far"] as const;
export type DrillKind = (typeof DRILL_KINDS)[number];

/** The option words of the synthetic drills: every answer text the world's MC questions use, counts included. */
const WORDS: readonly string[] = [...SCENES, ...COLOURS, ...SHAPES, ...REGIONS, ..."0123456789".split("")];

/** The MC questions of `worlds` frame and video worlds, as option drills, until `n` are collected (cycling). */
function worldDrills(n: number, seed: number, worlds: number): Drill[] {
  const range = { minDurationS: 60, maxDurationS: 180 };
  const records = [
    ...buildFrameRecords({ seed, worlds, ...range, framesPerWorld: 4, qaPerSample: 64 }),
    ...buildSynthDataset({ seed, trainWorlds: worlds, evalWorlds: 0, ...range, qaPerSample: 64 }).train,
  ];
  const all: Drill[] = [];
  for (const r of records) {
    const d = optionDrills(turnsOf(r.conversations));
    for (let i = 0; i < d.length; i += 2) all.push([d[i], d[i + 1]]);
  }
  if (all.length === 0) throw new Error("drill sets: the worlds asked no multiple-choice question");
  const rand = seededRandom(seed ^ 0x5bd1e995);
  return Array.from({ length: n }, () => all[Math.floor(rand() * all.length)]);
}

/** The sign of each option word: a made-up consonant-vowel-consonant word, fixed (not seeded per set), distinct. */
export const SIGNS: ReadonlyMap<string, string> = (() => {
  const rand = seededRandom(0x51de);
  const c = "bdfgklmnprstvz";
  const v = "aeiou";
  const used = new Set<string>();
  const m = new Map<string, string>();
  for (const w of WORDS) {
    let sign = "";
    while (!sign || used.has(sign) || WORDS.includes(sign))
      sign = c[Math.floor(rand() * c.length)] + v[Math.floor(rand() * v.length)] + c[Math.floor(rand() * c.length)];
    used.add(sign);
    m.set(w, sign);
  }
  return m;
})();

/** Sentences that name no option word (the video prompt's own time instruction among them), each led by a space. */
function fillerSentences(n: number, rand: () => number): string {
  const pool = [
    () => {
      const d = 1 + Math.floor(rand() * 300);
      return videoLengthSentence(d, Math.max(128, d));
    },
    () => ANSWER_ABOUT_VIDEO,
    () => "Look at the picture carefully before you answer.",
    () => "Some things in it may move, appear or disappear while it plays.",
    () => "Think about what you saw and what it means.",
    () => "The question below is about that.",
  ];
  return Array.from({ length: n }, () => " " + pool[Math.floor(rand() * pool.length)]()).join("");
}

function syntheticDrills(kind: Exclude<DrillKind, "mc">, n: number, seed: number): Drill[] {
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
  const options = kind === "four" || kind === "coded" || kind === "coded-far" ? 4 : 2;
  return Array.from({ length: n }, (): Drill => {
    if (kind === "repeat") {
      const a = pick(LETTERS);
      return [
        { from: "human", value: `Repeat this letter: ${a}` },
        { from: "gpt", value: a },
      ];
    }
    if (kind === "lexicon") {
      const w = pick(WORDS);
      return [
        { from: "human", value: `What does the sign ${SIGNS.get(w)} stand for?` },
        { from: "gpt", value: w },
      ];
    }
    const chosen: string[] = [];
    while (chosen.length < options) {
      const w = pick(WORDS);
      if (!chosen.includes(w)) chosen.push(w);
    }
    const k = Math.floor(rand() * options);
    const lines = chosen.map((w, i) => `${LETTERS[i]}. ${w}`);
    if (kind === "name")
      return [
        { from: "human", value: `What does option ${LETTERS[k]} say?\n${lines.join("\n")}` },
        { from: "gpt", value: chosen[k] },
      ];
    if (kind === "coded" || kind === "coded-far") {
      const gap = kind === "coded-far" ? fillerSentences(1 + Math.floor(rand() * 8), rand) : "";
      return [
        { from: "human", value: `The sign is ${SIGNS.get(chosen[k])}.${gap} Which option does it stand for?\n${lines.join("\n")}\n${MC_INSTRUCTION}` },
        { from: "gpt", value: LETTERS[k] },
      ];
    }
    return [
      { from: "human", value: `Which option is ${chosen[k]}?\n${lines.join("\n")}\n${MC_INSTRUCTION}` },
      { from: "gpt", value: LETTERS[k] },
    ];
  });
}

/** `n` drills of `kind`, reproducible from `seed` (held-out sets take another seed). */
export function drillSet(kind: DrillKind, n: number, seed: number, worlds = 300): Drill[] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`drill sets: the count must be a positive integer, got ${n}`);
  return kind === "mc" ? worldDrills(n, seed, worlds) : syntheticDrills(kind, n, seed);
}

/** Writes drills as gzipped JSON lines for tools/train_torch/text_stage.py: {"ids", "answers"} per drill, answers
 * being the next-token targets of the letters and their <|im_end|> (IGNORE elsewhere), as held-out scoring reads them. */
export function writeDrillFile(path: string, tok: TextTokenizer, drills: readonly Drill[]): void {
  const lines = drills.map((d) => {
    const { ids, labels } = tokenizeConversation(tok, d, { supervise: "answers" });
    return JSON.stringify({ ids, answers: nextTokenTargets(labels) });
  });
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, gzipSync(lines.join("\n") + "\n"));
}

/** A model config with a fresh LLM `width` wide and `layers` deep (heads of 32, GQA 2:1), the rest as `raw`:
 * the probes' "is it the size?" arm. */
export function withFreshLlm(raw: Record<string, unknown>, width: number, layers: number): Record<string, unknown> {
  return {
    ...raw,
    hidden_size: width,
    intermediate_size: 3 * width,
    num_hidden_layers: layers,
    num_attention_heads: width / 32,
    num_key_value_heads: width / 64,
  };
}
