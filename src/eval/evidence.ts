// Where a question's answer lives, against what forgetting keeps: the questions on which MemAug's retrieval from
// the full memory repository is the only way to the answer. Temporal forgetting hands the LLM every 4th frame
// (model/arch/forgetting.ts), so a brief event (a 1-second flash, the second an object appears) is missing from
// the decayed tokens about three times in four, and a count of brief events is incomplete whenever one of them is.
import { temporalIndices } from "../model/arch/forgetting.ts";
import type { SynthQuestion } from "../synth/questions.ts";
import type { World } from "../synth/world.ts";

/** Questions about the second something brief happened (a 1-second flash, an object's first frame, a scene's
 * change) or a count of flashes. Other templates name a second too ("what scene is shown at 0:37?"), but what
 * they ask about lasts, so a kept frame nearby holds the answer as well. */
export const BRIEF_TEMPLATES = new Set(["flash-time", "count-flash", "first-appear-time", "scene-change-time"]);

export type Evidence = "dropped" | "kept";

/** The frames that show a question's answer: each flash for a flash count, else the question's span. */
export function evidenceFrames(q: SynthQuestion, world: World): number[] {
  if (q.template === "count-flash") return world.events.filter((e) => e.kind === "flash").map((e) => e.start);
  const out: number[] = [];
  for (let t = q.span.start; t < Math.min(q.span.end, world.durationS); t++) out.push(t);
  return out;
}

/** "dropped": a brief answer (or a count of brief events) that the frames temporal forgetting keeps of a T-frame
 * memory miss; "kept": the decayed tokens hold it too (every other template counts as kept). */
export function evidenceOf(q: SynthQuestion, world: World, T: number): Evidence {
  if (!BRIEF_TEMPLATES.has(q.template)) return "kept";
  const frames = evidenceFrames(q, world);
  const kept = new Set(temporalIndices(T));
  if (q.template === "count-flash") return frames.every((t) => kept.has(t)) ? "kept" : "dropped";
  return frames.some((t) => kept.has(t)) ? "kept" : "dropped";
}

/** More questions of the brief kinds for one world (seeds past the one already asked), each asked once, kept only
 * where forgetting drops the answer: MemAug's ground is 4 % of a world's questions, too few to measure on. */
export function droppedEvidenceQuestions(
  world: World,
  T: number,
  asked: readonly SynthQuestion[],
  gen: (seed: number) => SynthQuestion[],
  extraSeeds: number,
  seed: number,
): SynthQuestion[] {
  const seen = new Set(asked.map((q) => q.question));
  const out: SynthQuestion[] = [];
  for (let k = 1; k <= extraSeeds; k++) {
    for (const q of gen(seed + k * 7919)) {
      if (!BRIEF_TEMPLATES.has(q.template) || seen.has(q.question) || evidenceOf(q, world, T) !== "dropped") continue;
      seen.add(q.question);
      out.push(q);
    }
  }
  return out;
}
