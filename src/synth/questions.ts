// Question generation: for each of the 22 VideoMarathon tasks, templates read the world's log and return a
// question with its exact answer; each becomes an open-ended QA and (where it makes sense) a 4-option
// multiple-choice QA whose right letter is spread evenly over A–D.
import { TASKS, findTask, type TaskForm, type Topic } from "../data/taxonomy.ts";
import { Rng } from "./rng.ts";
import type { World } from "./world.ts";
import type { Draft, Span, Template } from "./q-common.ts";
import { normaliseAnswer } from "./answer-match.ts";
import { durationPerception, temporalGapEstimation, temporalOrder, temporalPerception, temporalReasoning } from "./q-temporality.ts";
import { spatialPerception, spatialReasoning } from "./q-spatiality.ts";
import { objectAttribute, objectExistence, objectInteraction, objectPermanence, objectReasoning, objectRecognition } from "./q-object.ts";
import { actionLocalization, actionReasoning, actionRecognition, actionSequence } from "./q-action.ts";
import { eventSequence, keyEventExtraction, overallSummarization, sceneRecognition, sceneTransition } from "./q-scene-event.ts";

export { answerMatches, normaliseAnswer, predictedLetter } from "./answer-match.ts";
export type { Span } from "./q-common.ts";

export type QaFormat = "open" | "mc";

export interface SynthQuestion {
  id: string;
  /** Task name exactly as in taxonomy.ts. */
  task: string;
  topic: Topic;
  form: TaskForm;
  format: QaFormat;
  /** Template that made it, e.g. "first-appear-time". */
  template: string;
  /** The full prompt; for MC it includes the option lines and the instruction. */
  question: string;
  /** Open-ended: the canonical short answer. MC: the option letter. */
  answer: string;
  /** The answer in words (for MC, the right option's text). */
  answerText: string;
  /** MC only: "A. ...", "B. ...", "C. ...", "D. ...". */
  options?: string[];
  /** The seconds [start, end) the question is about. */
  span: Span;
}

export const TASK_TEMPLATES: Readonly<Record<string, readonly Template[]>> = {
  "Temporal Perception": temporalPerception,
  "Duration Perception": durationPerception,
  "Temporal Reasoning": temporalReasoning,
  "Temporal Gap Estimation": temporalGapEstimation,
  "Temporal Order": temporalOrder,
  "Spatial Perception": spatialPerception,
  "Spatial Reasoning": spatialReasoning,
  "Object Recognition": objectRecognition,
  "Object Attribute": objectAttribute,
  "Object Interaction": objectInteraction,
  "Object Reasoning": objectReasoning,
  "Object Existence": objectExistence,
  "Object Permanence": objectPermanence,
  "Action Recognition": actionRecognition,
  "Action Localization": actionLocalization,
  "Action Sequence": actionSequence,
  "Action Reasoning": actionReasoning,
  "Scene Recognition": sceneRecognition,
  "Scene Transition": sceneTransition,
  "Event Sequence": eventSequence,
  "Key Event Extraction": keyEventExtraction,
  "Overall Summarization": overallSummarization,
};

export const MC_INSTRUCTION = "Answer with the option's letter.";
export const LETTERS = ["A", "B", "C", "D"] as const;

export interface QuestionOptions {
  /** Mixed with the world's seed (default 0). */
  seed?: number;
  /** Distinct questions per task (default 2); fewer when the world does not support more. */
  perTask?: number;
  formats?: readonly QaFormat[];
  /** Restrict to these tasks (names as in taxonomy.ts, loosely spelled). */
  tasks?: readonly string[];
}

export function formatMcQuestion(question: string, options: readonly string[]): string {
  return `${question}\n${options.join("\n")}\n${MC_INSTRUCTION}`;
}

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, "-");

export function generateQuestions(world: World, opts: QuestionOptions = {}): SynthQuestion[] {
  const perTask = opts.perTask ?? 2;
  if (!Number.isInteger(perTask) || perTask < 1 || perTask > 100) throw new Error(`generateQuestions: perTask must be an integer in [1, 100], got ${perTask}`);
  const formats = opts.formats ?? ["open", "mc"];
  for (const f of formats) if (f !== "open" && f !== "mc") throw new Error(`generateQuestions: unknown format "${f}" (expected "open" or "mc")`);
  const tasks = (opts.tasks ?? TASKS.map((t) => t.name)).map((name) => {
    const t = findTask(name);
    if (!t) throw new Error(`generateQuestions: unknown task "${name}"`);
    return t;
  });

  const root = new Rng(`questions:${world.seed}:${world.durationS}:${opts.seed ?? 0}`);
  const nextLetter = letterDeck(root.fork("mc-letters"));
  const out: SynthQuestion[] = [];
  for (const task of tasks) {
    const templates = TASK_TEMPLATES[task.name];
    const rng = root.fork(task.name);
    const drafts: Draft[] = [];
    const seen = new Set<string>();
    for (let attempt = 0; attempt < perTask * 12 && drafts.length < perTask; attempt++) {
      const d = rng.pick(templates)({ world, rng });
      if (!d || seen.has(d.question)) continue;
      seen.add(d.question);
      drafts.push(d);
    }
    drafts.forEach((d, k) => out.push(...draftQuestions(d, task, `synth-${world.seed}-${world.durationS}-${slug(task.name)}-${k}`, formats, rng, nextLetter)));
  }
  return out;
}

/** Right-answer positions dealt from shuffled decks of A–D, so they spread evenly. */
export function letterDeck(rng: Rng): () => number {
  let deck: number[] = [];
  return () => {
    if (deck.length === 0) deck = rng.shuffle([0, 1, 2, 3]);
    return deck.pop()!;
  };
}

/** A draft as its open-ended QA and (where it has one) its 4-option multiple-choice QA. */
export function draftQuestions(
  d: Draft,
  task: { name: string; topic: Topic; form: TaskForm },
  id: string,
  formats: readonly QaFormat[],
  rng: Rng,
  nextLetter: () => number,
): SynthQuestion[] {
  const out: SynthQuestion[] = [];
  const base = { task: task.name, topic: task.topic, form: task.form, template: d.kind, span: d.span };
  if (formats.includes("open")) out.push({ id: `${id}-open`, ...base, format: "open", question: d.question, answer: d.answer, answerText: d.answer });
  if (formats.includes("mc") && d.mc !== null) {
    const mc = d.mc ?? { question: d.question, answer: d.answer, distractors: d.distractors };
    const wrong = pickDistractors(rng, mc.answer, mc.distractors);
    if (!wrong) return out;
    const pos = nextLetter();
    const texts = [...wrong];
    texts.splice(pos, 0, mc.answer);
    const options = texts.map((x, i) => `${LETTERS[i]}. ${x}`);
    out.push({ id: `${id}-mc`, ...base, format: "mc", question: formatMcQuestion(mc.question, options), answer: LETTERS[pos], answerText: mc.answer, options });
  }
  return out;
}

/** Three distractors that differ from the answer and from each other after normalisation, or null. */
function pickDistractors(rng: Rng, answer: string, pool: readonly string[]): string[] | null {
  const taken = new Set([normaliseAnswer(answer)]);
  const out: string[] = [];
  for (const d of rng.shuffle(pool)) {
    const n = normaliseAnswer(d);
    if (taken.has(n)) continue;
    taken.add(n);
    out.push(d);
    if (out.length === 3) return out;
  }
  return null;
}
