// The accuracy a shipped model must keep: Hour-LLaVA's answers on a fixed, small set of held-out procedural
// frames and videos (seeds never used in training), quick enough for every CI run. The figure the model reaches
// is recorded beside it (report/accuracy-check.json); a test fails when a change anywhere between decoding and the
// prompt drops the model below it by more than the stated margin.
import { readFileSync } from "node:fs";
import type { HourLlava } from "../model/arch/hourllava.ts";
import type { TextTokenizer } from "../io/tokenizer.ts";
import type { GenerationDefaults } from "../io/generation-config.ts";
import { evaluateSynth, type EvalItem } from "./synth-eval.ts";

/** The set: fixed so that records from different commits compare. */
export const ACCURACY_CHECK_SET = {
  seed: 20261207,
  frameWorlds: 16,
  worlds: 3,
  perWorld: 12,
  minDurationS: 60,
  maxDurationS: 120,
  renderSize: 64,
} as const;

export interface AccuracyTally {
  correct: number;
  total: number;
}

export interface AccuracyRecord {
  set: typeof ACCURACY_CHECK_SET;
  frame: AccuracyTally;
  video: AccuracyTally;
  multipleChoice: AccuracyTally;
  openEnded: AccuracyTally;
  /** Answers the model may lose before the check fails (ORT's kernels round differently across CPUs). */
  margin: number;
}

function tally(items: EvalItem[]): AccuracyTally {
  return { correct: items.filter((i) => i.correct.hourllava).length, total: items.length };
}

export async function runAccuracyCheck(model: HourLlava, tok: TextTokenizer, generation?: GenerationDefaults): Promise<Omit<AccuracyRecord, "margin">> {
  const s = ACCURACY_CHECK_SET;
  const items = await evaluateSynth(model, tok, { ...s, longWorlds: 0, longMinS: 0, longMaxS: 0, generation, variants: ["hourllava"] });
  return {
    set: s,
    frame: tally(items.filter((i) => i.bucket === "frame")),
    video: tally(items.filter((i) => i.bucket !== "frame")),
    multipleChoice: tally(items.filter((i) => i.q.format === "mc")),
    openEnded: tally(items.filter((i) => i.q.format === "open")),
  };
}

export function readAccuracyRecord(path: string): AccuracyRecord {
  const r = JSON.parse(readFileSync(path, "utf8")) as AccuracyRecord;
  if (JSON.stringify(r.set) !== JSON.stringify(ACCURACY_CHECK_SET))
    throw new Error(`${path} was recorded on another question set; run scripts/accuracy-check.ts --write to record this one`);
  return r;
}
