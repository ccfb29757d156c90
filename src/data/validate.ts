// Checks VideoMarathon records. Every bad record yields one reject per problem, {file, index, field,
// reason}, with a message a person can act on; a summary counts them by reason. Nothing is dropped
// silently: the caller sees each reject (or, in strict mode, an Error on the first).
import { z } from "zod";
import { findTask } from "./taxonomy.ts";
import { DATA_SOURCES, IMAGE_TOKEN, QUESTION_TYPES, type ConversationRecord, type DataRecord, type QaRecord } from "./record.ts";
import { normaliseQaRow } from "./columns.ts";
import { itemLocation, type RawItem } from "./readers.ts";

export const REJECT_REASONS = [
  "bad_json",
  "not_an_object",
  "missing_field",
  "wrong_type",
  "empty_value",
  "unknown_data_source",
  "bad_role",
  "bad_role_order",
  "image_token",
  "unknown_task",
  "topic_mismatch",
  "bad_question_type",
  "too_few_options",
  "answer_not_in_options",
  "duration_out_of_range",
  "bad_events",
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Issue {
  field: string;
  reason: RejectReason;
  detail: string;
}
export interface Reject extends Issue {
  file: string;
  index: number;
  /** 1-based line of the record (text files). */
  line?: number;
  /** Set for an element of a JSON array (index names it). */
  element?: boolean;
  /** The record's id, when it has one. */
  id?: string;
}

export interface CheckOptions {
  /** Upper bound on a video's duration in seconds (VideoMarathon videos are 3–60 min). Default 3600. */
  maxDurationS?: number;
}

export const DEFAULT_MAX_DURATION_S = 3600;

/** "data.jsonl:13 conversations[2].from: expected …" (1-based lines; "file row N" for parquet). */
export function formatReject(r: Reject): string {
  return `${itemLocation(r)} ${r.field}: ${r.detail}`;
}

const turnSchema = z.looseObject({ from: z.string(), value: z.string() });
const conversationSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  video: z.string(),
  data_source: z.string(),
  conversations: z.array(turnSchema),
});
const qaSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  video: z.string(),
  duration: z.number().optional(),
  task: z.string(),
  topic: z.string().optional(),
  question_type: z.string(),
  question: z.string(),
  options: z.array(z.string()).optional(),
  answer: z.string(),
  events: z.number().optional(),
  data_source: z.string(),
});

function pathText(path: readonly PropertyKey[]): string {
  let s = "";
  for (const p of path) s += typeof p === "number" ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s || "(record)";
}

function at(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const p of path) v = v == null ? undefined : (v as Record<PropertyKey, unknown>)[p];
  return v;
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function shortValue(v: unknown): string {
  const s = typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function zodIssues(value: unknown, error: z.ZodError): Issue[] {
  return error.issues.map((iss) => {
    const field = pathText(iss.path);
    const v = at(value, iss.path);
    if (iss.code === "invalid_type" && v === undefined) return { field, reason: "missing_field", detail: "missing (required)" };
    const expected = iss.code === "invalid_type" ? iss.expected : "valid value";
    return { field, reason: "wrong_type", detail: `expected ${expected}, got ${typeName(v)} ${shortValue(v)}` };
  });
}

function checkSource(src: string, issues: Issue[]): void {
  if (!(DATA_SOURCES as readonly string[]).includes(src))
    issues.push({ field: "data_source", reason: "unknown_data_source", detail: `${shortValue(src)} is not one of ${DATA_SOURCES.join(", ")}` });
}

function checkNonEmpty(field: string, v: string, issues: Issue[]): void {
  if (v.trim() === "") issues.push({ field, reason: "empty_value", detail: "empty text" });
}

function countImageTokens(s: string): number {
  let n = 0;
  for (let i = s.indexOf(IMAGE_TOKEN); i >= 0; i = s.indexOf(IMAGE_TOKEN, i + IMAGE_TOKEN.length)) n++;
  return n;
}

function checkConversation(r: ConversationRecord, issues: Issue[]): void {
  checkNonEmpty("video", r.video, issues);
  checkSource(r.data_source, issues);
  const turns = r.conversations;
  if (turns.length === 0) {
    issues.push({ field: "conversations", reason: "empty_value", detail: "no turns" });
    return;
  }
  turns.forEach((t, i) => {
    const want = i % 2 === 0 ? "human" : "gpt";
    if (t.from !== "human" && t.from !== "gpt")
      issues.push({ field: `conversations[${i}].from`, reason: "bad_role", detail: `${shortValue(t.from)} is not "human" or "gpt"` });
    else if (t.from !== want)
      issues.push({
        field: `conversations[${i}].from`,
        reason: "bad_role_order",
        detail: `expected "${want}" (turns alternate human/gpt starting with human), got "${t.from}"`,
      });
    checkNonEmpty(`conversations[${i}].value`, t.value, issues);
    const n = countImageTokens(t.value);
    if (n > 0 && i !== 0)
      issues.push({ field: `conversations[${i}].value`, reason: "image_token", detail: `"${IMAGE_TOKEN}" may appear only in the first human turn` });
    else if (n > 1) issues.push({ field: `conversations[${i}].value`, reason: "image_token", detail: `"${IMAGE_TOKEN}" appears ${n} times; at most once` });
  });
  if (turns.length % 2 === 1 && turns[turns.length - 1].from === "human") {
    issues.push({ field: "conversations", reason: "bad_role_order", detail: `ends with a human turn (conversations[${turns.length - 1}]) that has no answer` });
  }
}

const LETTER = /^\(?([A-Za-z])(?:[).:]|\s|$)/;
const stripLetter = (s: string) => s.replace(/^\(?[A-Za-z][).:]\s*/, "").trim();

/** Index of the option an answer names (by text, "A", "(A)", "A. text"), or −1. */
export function matchOption(answer: string, options: readonly string[]): number {
  const a = answer.trim();
  const exact = options.findIndex((o) => o.trim() === a);
  if (exact >= 0) return exact;
  const body = stripLetter(a);
  const byText = options.findIndex((o) => stripLetter(o) === body && body !== "");
  if (byText >= 0) return byText;
  const m = LETTER.exec(a);
  if (m && (a.length <= 3 || body !== a)) {
    const k = m[1].toUpperCase().charCodeAt(0) - 65;
    if (k < options.length) return k;
  }
  return -1;
}

function checkQa(r: QaRecord, opts: CheckOptions, issues: Issue[]): void {
  checkNonEmpty("video", r.video, issues);
  checkSource(r.data_source, issues);
  checkNonEmpty("question", r.question, issues);
  checkNonEmpty("answer", r.answer, issues);
  const task = findTask(r.task);
  if (!task) issues.push({ field: "task", reason: "unknown_task", detail: `${shortValue(r.task)} is not one of the 22 VideoMarathon tasks` });
  else if (r.topic !== undefined && r.topic.toLowerCase() !== task.topic.toLowerCase()) {
    issues.push({ field: "topic", reason: "topic_mismatch", detail: `${shortValue(r.topic)} does not match task "${task.name}" (topic ${task.topic})` });
  }
  if (!(QUESTION_TYPES as readonly string[]).includes(r.question_type)) {
    issues.push({ field: "question_type", reason: "bad_question_type", detail: `${shortValue(r.question_type)} is not "OE" or "MC"` });
  } else if (r.question_type === "MC") {
    const opts2 = r.options ?? [];
    if (opts2.length < 2)
      issues.push({ field: "options", reason: "too_few_options", detail: `a multiple-choice question needs at least 2 options, got ${opts2.length}` });
    else {
      opts2.forEach((o, i) => checkNonEmpty(`options[${i}]`, o, issues));
      if (r.answer.trim() !== "" && matchOption(r.answer, opts2) < 0) {
        issues.push({ field: "answer", reason: "answer_not_in_options", detail: `${shortValue(r.answer)} is not among the ${opts2.length} options` });
      }
    }
  }
  const max = opts.maxDurationS ?? DEFAULT_MAX_DURATION_S;
  if (r.duration !== undefined && !(r.duration > 0 && r.duration <= max)) {
    issues.push({ field: "duration", reason: "duration_out_of_range", detail: `${r.duration} s is outside 0 < duration ≤ ${max} s` });
  }
  if (r.events !== undefined && !(Number.isInteger(r.events) && r.events >= 0)) {
    issues.push({ field: "events", reason: "bad_events", detail: `expected a non-negative integer, got ${r.events}` });
  }
}

/** Checks one parsed value; returns the typed record when there is no issue. */
export function checkRecord(value: unknown, opts: CheckOptions = {}): { record?: DataRecord; issues: Issue[] } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { issues: [{ field: "(record)", reason: "not_an_object", detail: `expected a JSON object, got ${typeName(value)}` }] };
  }
  const issues: Issue[] = [];
  if ("conversations" in value) {
    const p = conversationSchema.safeParse(value);
    if (!p.success) return { issues: zodIssues(value, p.error) };
    const r = p.data as ConversationRecord;
    checkConversation(r, issues);
    return issues.length ? { issues } : { record: r, issues };
  }
  const row = normaliseQaRow(value as Record<string, unknown>);
  const p = qaSchema.safeParse(row);
  if (!p.success) return { issues: zodIssues(row, p.error) };
  const r = p.data as QaRecord;
  checkQa(r, opts, issues);
  return issues.length ? { issues } : { record: r, issues };
}

export interface ValidationSummary {
  total: number;
  valid: number;
  /** Records with at least one issue. */
  rejected: number;
  /** Issues by reason (a record can have several). */
  byReason: Partial<Record<RejectReason, number>>;
  /** First reject of each reason. */
  examples: Partial<Record<RejectReason, Reject>>;
}

export interface ValidatorOptions extends CheckOptions {
  /** Throw on the first bad record instead of collecting. */
  strict?: boolean;
  /** Called for every reject. */
  onReject?: (r: Reject) => void;
}

/** Streaming validator: feed raw items, get typed records back; keeps only counts. */
export class Validator {
  private s: ValidationSummary = { total: 0, valid: 0, rejected: 0, byReason: {}, examples: {} };
  constructor(private readonly opts: ValidatorOptions = {}) {}

  check(item: RawItem): DataRecord | undefined {
    this.s.total++;
    let issues: Issue[];
    let record: DataRecord | undefined;
    if (item.error !== undefined) issues = [{ field: "(record)", reason: "bad_json", detail: item.error }];
    else ({ record, issues } = checkRecord(item.value, this.opts));
    if (record) {
      this.s.valid++;
      return record;
    }
    this.s.rejected++;
    for (const iss of issues) {
      const raw = item.value as { id?: unknown } | null | undefined;
      const id = raw && typeof raw === "object" && (typeof raw.id === "string" || typeof raw.id === "number") ? String(raw.id) : undefined;
      const r: Reject = {
        file: item.file,
        index: item.index,
        ...(item.line !== undefined ? { line: item.line } : {}),
        ...(item.element ? { element: true } : {}),
        ...(id !== undefined ? { id } : {}),
        ...iss,
      };
      if (this.opts.strict) throw new Error(formatReject(r));
      this.s.byReason[r.reason] = (this.s.byReason[r.reason] ?? 0) + 1;
      this.s.examples[r.reason] ??= r;
      this.opts.onReject?.(r);
    }
    return undefined;
  }

  summary(): ValidationSummary {
    return this.s;
  }
}

/** Lines for people: totals, then one line per reason with its count and first example. */
export function formatSummary(s: ValidationSummary): string {
  const lines = [`${s.total} records: ${s.valid} valid, ${s.rejected} rejected`];
  const reasons = REJECT_REASONS.filter((r) => s.byReason[r]).sort((a, b) => (s.byReason[b] ?? 0) - (s.byReason[a] ?? 0));
  for (const r of reasons) lines.push(`  ${r}: ${s.byReason[r]} (e.g. ${formatReject(s.examples[r]!)})`);
  return lines.join("\n");
}
