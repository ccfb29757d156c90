// The prompt templates in ./prompts: `{{name}}` placeholders filled in one pass (a value that itself
// contains braces is not expanded again), and per-topic files with each sub-task's definition and one
// open-ended and one multiple-choice example.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { z } from "zod";
import { TOPICS, findTask, tasksOfTopic, type Topic } from "../taxonomy.ts";
import { PERSPECTIVES, type Perspective } from "./schemas.ts";

export const PROMPT_DIR = fileURLToPath(new URL("./prompts/", import.meta.url));

export const PROMPT_NAMES = ["clip-caption", "event-split", "event-caption", "global-caption", "qa-open-ended", "qa-multiple-choice"] as const;
export type PromptName = (typeof PROMPT_NAMES)[number];

/** The task the pipeline answers from the global caption, with no prompt (paper Fig. 11). */
export const UNPROMPTED_TASK = "Overall Summarization";

const cache = new Map<string, string>();
function readPromptFile(file: string, dir: string): string {
  const path = join(dir, file);
  let text = cache.get(path);
  if (text === undefined) {
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new Error(`${path}: cannot read prompt (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    cache.set(path, text);
  }
  return text;
}

export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(/\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g)].map((m) => m[1]))];
}

/** Fills every `{{name}}`; a placeholder without a value, or a value without a placeholder, is an error. */
export function renderTemplate(template: string, values: Record<string, string | number>, where = "prompt"): string {
  const names = placeholders(template);
  const missing = names.filter((n) => !(n in values));
  if (missing.length) throw new Error(`${where}: no value for ${missing.map((n) => `{{${n}}}`).join(", ")}`);
  const unused = Object.keys(values).filter((k) => !names.includes(k));
  if (unused.length) throw new Error(`${where}: has no placeholder for ${unused.map((n) => `{{${n}}}`).join(", ")}`);
  return template.replace(/\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g, (_m, n: string) => String(values[n])).trim();
}

export function renderPrompt(name: PromptName, values: Record<string, string | number>, dir = PROMPT_DIR): string {
  return renderTemplate(readPromptFile(`${name}.md`, dir), values, join(dir, `${name}.md`));
}

export interface SubTaskPrompt {
  task: string;
  definition: string;
  openEnded: { question: string; answer: string };
  multipleChoice: { question: string; options: string[]; answer: string };
}

export interface TopicPrompt {
  topic: Topic;
  /** Which clip-caption perspective feeds this topic's QA prompt. */
  perspective: Perspective;
  subTasks: SubTaskPrompt[];
}

const oeExample = z.strictObject({ question: z.string().min(1), answer: z.string().min(1) });
const mcExample = z.strictObject({ question: z.string().min(1), options: z.array(z.string().min(1)).min(2), answer: z.string().regex(/^[A-Z]$/) });

export function topicFileName(topic: Topic): string {
  return `topic-${topic.toLowerCase()}.md`;
}

/** Parses a topic file; every prompted task of the topic must be there, and nothing else. */
export function parseTopicFile(text: string, topic: Topic, where: string): TopicPrompt {
  let perspective: Perspective | undefined;
  const subTasks: SubTaskPrompt[] = [];
  let cur: Partial<SubTaskPrompt> | undefined;
  let curLine = 0;
  const finish = () => {
    if (!cur) return;
    const line = curLine;
    for (const k of ["definition", "openEnded", "multipleChoice"] as const) {
      if (cur[k] === undefined)
        throw new Error(
          `${where}:${line}: sub-task "${cur.task}" has no ${k === "definition" ? "definition:" : k === "openEnded" ? "open-ended:" : "multiple-choice:"} line`,
        );
    }
    subTasks.push(cur as SubTaskPrompt);
    cur = undefined;
  };
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const at = `${where}:${i + 1}`;
    if (line === "" || line.startsWith("# ")) return;
    if (line.startsWith("## ")) {
      finish();
      const name = line.slice(3).trim();
      const t = findTask(name);
      if (!t) throw new Error(`${at}: "${name}" is not one of the 22 VideoMarathon tasks`);
      if (t.topic !== topic) throw new Error(`${at}: task "${t.name}" belongs to topic ${t.topic}, not ${topic}`);
      cur = { task: t.name };
      curLine = i + 1;
      return;
    }
    const m = /^([a-z-]+):\s*(.*)$/.exec(line);
    if (!m) throw new Error(`${at}: expected "key: value", got "${line.slice(0, 60)}"`);
    const [, key, value] = m;
    if (key === "perspective") {
      if (!(PERSPECTIVES as readonly string[]).includes(value)) throw new Error(`${at}: perspective "${value}" is not one of ${PERSPECTIVES.join(", ")}`);
      perspective = value as Perspective;
      return;
    }
    if (!cur) throw new Error(`${at}: "${key}:" comes before any "## <task>" heading`);
    const json = (schema: z.ZodType) => {
      let v: unknown;
      try {
        v = JSON.parse(value);
      } catch (e) {
        throw new Error(`${at}: ${key} example is not valid JSON (${(e as Error).message})`);
      }
      const r = schema.safeParse(v);
      if (!r.success) throw new Error(`${at}: ${key} example: ${r.error.issues.map((x) => `${x.path.join(".") || "(root)"}: ${x.message}`).join("; ")}`);
      return r.data;
    };
    if (key === "definition") cur.definition = value;
    else if (key === "open-ended") cur.openEnded = json(oeExample) as SubTaskPrompt["openEnded"];
    else if (key === "multiple-choice") cur.multipleChoice = json(mcExample) as SubTaskPrompt["multipleChoice"];
    else throw new Error(`${at}: unknown key "${key}" (expected perspective, definition, open-ended or multiple-choice)`);
  });
  finish();
  if (!perspective) throw new Error(`${where}: no "perspective:" line`);
  const want = tasksOfTopic(topic)
    .map((t) => t.name)
    .filter((n) => n !== UNPROMPTED_TASK);
  const got = subTasks.map((s) => s.task);
  const missing = want.filter((n) => !got.includes(n));
  if (missing.length) throw new Error(`${where}: missing sub-task${missing.length > 1 ? "s" : ""} ${missing.map((n) => `"${n}"`).join(", ")}`);
  const extra = got.filter((n, i) => !want.includes(n) || got.indexOf(n) !== i);
  if (extra.length) throw new Error(`${where}: unexpected or repeated sub-task ${extra.map((n) => `"${n}"`).join(", ")}`);
  subTasks.sort((a, b) => want.indexOf(a.task) - want.indexOf(b.task));
  return { topic, perspective, subTasks };
}

export function loadTopicPrompt(topic: Topic, dir = PROMPT_DIR): TopicPrompt {
  const file = topicFileName(topic);
  return parseTopicFile(readPromptFile(file, dir), topic, join(dir, file));
}

export function loadAllTopicPrompts(dir = PROMPT_DIR): TopicPrompt[] {
  return TOPICS.map((t) => loadTopicPrompt(t, dir));
}
