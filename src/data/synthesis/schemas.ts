// zod schemas for every LLM reply of the pipeline. Keys are matched loosely (case, spaces, dashes),
// values strictly; what passes is normalised to one shape.
import { z } from "zod";
import { findTask } from "../taxonomy.ts";
import { matchOption } from "../validate.ts";

export const PERSPECTIVES = ["Temporality", "Spatiality", "Object", "Action", "Scene", "Summary"] as const;
export type Perspective = (typeof PERSPECTIVES)[number];
export type ClipCaptions = Record<Perspective, string>;

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Renames an object's keys to the canonical spelling they loosely match; other keys pass unchanged. */
function canonicalKeys(canon: (key: string) => string | undefined) {
  return (v: unknown) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(v)) out[canon(k) ?? k] = val;
    return out;
  };
}

const text = z.string().trim().min(1, "must be non-empty text");

function fixedKeys(keys: readonly string[]) {
  const byKey = new Map(keys.map((k) => [squash(k), k]));
  return canonicalKeys((k) => byKey.get(squash(k)));
}

export const clipCaptionSchema = z.preprocess(
  fixedKeys(PERSPECTIVES),
  z.object(Object.fromEntries(PERSPECTIVES.map((p) => [p, text])) as Record<Perspective, typeof text>),
) as unknown as z.ZodType<ClipCaptions>;

export const EVENT_KEY = "Event-Level Description";
export const GLOBAL_KEY = "Global-Level Description";

function oneTextField(key: string): z.ZodType<string> {
  return z.preprocess(fixedKeys([key]), z.object({ [key]: text })).transform((o) => (o as Record<string, string>)[key]) as unknown as z.ZodType<string>;
}
export const eventCaptionSchema = oneTextField(EVENT_KEY);
export const globalCaptionSchema = oneTextField(GLOBAL_KEY);

export interface VideoEvent {
  start: number;
  end: number;
  title: string;
}

const SPAN = /^\s*(\d+(?:\.\d+)?)\s*s?\s*[-–—]\s*(\d+(?:\.\d+)?)\s*s?\s*$/i;

/** "<start>-<end>s" → seconds, or undefined. */
export function parseSpan(key: string): { start: number; end: number } | undefined {
  const m = SPAN.exec(key);
  return m ? { start: Number(m[1]), end: Number(m[2]) } : undefined;
}

export function spanLabel(start: number, end: number): string {
  const f = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  return `${f(start)}-${f(end)}s`;
}

/**
 * The event split of a video `durationS` long: spans inside the video (an end up to `toleranceS` past it
 * is clamped), start before end, sorted by start.
 */
export function eventSplitSchema(durationS: number, toleranceS: number): z.ZodType<VideoEvent[]> {
  return z.record(z.string(), text).transform((rec, ctx) => {
    const events: VideoEvent[] = [];
    for (const [key, title] of Object.entries(rec)) {
      const s = parseSpan(key);
      if (!s) {
        ctx.addIssue({ code: "custom", path: [key], message: `key "${key}" is not a time span like "0-70s"` });
        continue;
      }
      if (!(s.start < s.end)) ctx.addIssue({ code: "custom", path: [key], message: `span ${key} does not end after it starts` });
      else if (s.end > durationS + toleranceS) ctx.addIssue({ code: "custom", path: [key], message: `span ${key} ends after the video does (${durationS} s)` });
      else events.push({ start: s.start, end: Math.min(s.end, durationS), title });
    }
    if (Object.keys(rec).length === 0) ctx.addIssue({ code: "custom", path: [], message: "no events given" });
    return events.sort((a, b) => a.start - b.start || a.end - b.end);
  });
}

export interface OeItem {
  question: string;
  answer: string;
}
export interface McItem {
  question: string;
  /** Option texts without letters; the first is A. */
  options: string[];
  /** "B. <text of option B>". */
  answer: string;
}

export const QA_PER_TASK = 3;
const LETTERS = "ABCDEFGHIJ";
const stripLetter = (s: string) => s.replace(/^\s*\(?[A-Ja-j][).:]\s+/, "").trim();

const oeItem = z.object({ question: text, answer: text });
const mcItem = z
  .object({ question: text, options: z.array(text).min(3, "needs at least 3 options").max(6, "at most 6 options"), answer: text })
  .transform((q, ctx): McItem => {
    const k = matchOption(q.answer, q.options);
    const options = q.options.map(stripLetter);
    if (new Set(options.map(squash)).size !== options.length) ctx.addIssue({ code: "custom", path: ["options"], message: "options repeat each other" });
    if (k < 0) ctx.addIssue({ code: "custom", path: ["answer"], message: `answer "${q.answer}" names none of the ${q.options.length} options` });
    return { question: q.question, options, answer: k < 0 ? q.answer : `${LETTERS[k]}. ${options[k]}` };
  });

/** A reply of one topic's QA prompt: each named sub-task with at least three items, cut to three. */
export function qaReplySchema<T extends "OE" | "MC">(tasks: readonly string[], format: T): z.ZodType<Record<string, T extends "OE" ? OeItem[] : McItem[]>> {
  const item = format === "OE" ? oeItem : mcItem;
  const list = z
    .array(item)
    .min(QA_PER_TASK, `needs ${QA_PER_TASK} question-answer pairs`)
    .transform((a) => a.slice(0, QA_PER_TASK));
  const canon = (k: string) => {
    const t = findTask(k) ?? findTask(k.replace(/^\s*(sub-?task\s*\d*\s*[:.-]?\s*)/i, ""));
    return t && tasks.includes(t.name) ? t.name : undefined;
  };
  return z.preprocess(canonicalKeys(canon), z.object(Object.fromEntries(tasks.map((t) => [t, list])))) as unknown as z.ZodType<
    Record<string, T extends "OE" ? OeItem[] : McItem[]>
  >;
}
