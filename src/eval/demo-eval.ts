// The README's sample (samples/demo.mp4 + demo.json) asked through the app, exactly as `hourllava ask` does
// (decode, cached memory, the one answer loop with the checkpoint's defaults), so the report's list of demo
// answers is what a newcomer sees, and a test can hold the shipped model to it.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { finalAnswer, type HourLlavaApp } from "../app/app.ts";
import { answerMatches } from "../synth/answer-match.ts";
import { formatZodError } from "../util/zod-error.ts";

const demoSchema = z.object({
  seed: z.int(),
  durationS: z.int().positive(),
  questions: z.array(z.object({ task: z.string(), question: z.string().min(1), answer: z.string().min(1) })).min(1),
});
export type DemoQuestions = z.output<typeof demoSchema>;

export interface DemoAnswer {
  task: string;
  question: string;
  answer: string;
  pred: string;
  correct: boolean;
}

export function readDemoQuestions(path: string): DemoQuestions {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: cannot read the demo questions: ${(e as Error).message.split("\n")[0]}`);
  }
  const r = demoSchema.safeParse(json);
  if (!r.success) throw new Error(formatZodError(path, r.error));
  return r.data;
}

/** Each question on its own (a fresh conversation), greedy, as `hourllava ask VIDEO "QUESTION"` answers it. */
export async function answerDemo(app: HourLlavaApp, video: string, demo: DemoQuestions): Promise<DemoAnswer[]> {
  const mem = await app.remember(video);
  const out: DemoAnswer[] = [];
  for (const q of demo.questions) {
    const pred = (await finalAnswer(app.ask(mem, q.question))).text.trim();
    out.push({ task: q.task, question: q.question, answer: q.answer, pred, correct: answerMatches(pred, q.answer) });
  }
  return out;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function demoMarkdown(video: string, rows: readonly DemoAnswer[]): string {
  const right = rows.filter((r) => r.correct).length;
  return [
    `## The README's sample: \`${video}\``,
    ``,
    `Each question asked on its own with \`npx hourllava ask ${video} "QUESTION"\` (greedy, the model's defaults): **${right} of ${rows.length} right**.`,
    ``,
    `| task | question | truth | model | |`,
    `|---|---|---|---|---|`,
    ...rows.map((r) => `| ${cell(r.task)} | ${cell(r.question)} | ${cell(r.answer)} | ${cell(r.pred)} | ${r.correct ? "✓" : "✗"} |`),
    ``,
  ].join("\n");
}
