// Maps the column / key spellings a QA table may use onto the flat QA form. The Hugging Face parquet
// schema of jylins/videomarathon is not known (notes §0), so common spellings are accepted and the
// reader says which column it took for which field.
import { DATA_SOURCES, type DataSource } from "./record.ts";

export const QA_FIELDS = ["id", "video", "duration", "task", "topic", "question_type", "question", "options", "answer", "events", "data_source"] as const;
export type QaField = (typeof QA_FIELDS)[number];

/** Fields a QA table cannot do without; the others are optional or inferred. */
export const REQUIRED_QA_FIELDS: readonly QaField[] = ["video", "question", "answer"];

export const QA_COLUMN_ALIASES: Record<QaField, readonly string[]> = {
  id: ["id", "qa_id", "uid", "question_id"],
  video: ["video", "video_path", "video_id", "videoid", "video_name", "video_file", "vid", "path"],
  duration: ["duration", "video_duration", "duration_s", "duration_sec", "seconds", "length"],
  task: ["task", "sub_task", "subtask", "task_name", "task_type", "question_category", "category"],
  topic: ["topic", "aspect", "dimension", "perspective", "task_topic"],
  question_type: ["question_type", "qa_type", "format", "question_format", "type"],
  question: ["question", "q", "query", "prompt"],
  options: ["options", "choices", "candidates", "option"],
  answer: ["answer", "a", "gt", "ground_truth", "correct_answer", "response"],
  events: ["events", "num_events", "n_events", "event_count", "event_num"],
  data_source: ["data_source", "source", "dataset", "video_source", "src"],
};

const squash = (s: string) => s.toLowerCase().replace(/[\s_\-]+/g, "");

export interface ColumnMapping {
  /** Field → column it is read from. */
  found: Partial<Record<QaField, string>>;
  /** Required fields with no column. */
  missing: QaField[];
  /** Columns that feed no field (kept as extra fields). */
  unused: string[];
  /** True when the table holds conversation records (a `conversations` column) rather than QA rows. */
  conversations: boolean;
}

export function resolveColumns(columns: readonly string[]): ColumnMapping {
  const bySquash = new Map<string, string>();
  for (const c of columns) if (!bySquash.has(squash(c))) bySquash.set(squash(c), c);
  const found: Partial<Record<QaField, string>> = {};
  const used = new Set<string>();
  for (const field of QA_FIELDS) {
    for (const alias of QA_COLUMN_ALIASES[field]) {
      const col = bySquash.get(squash(alias));
      if (col !== undefined && !used.has(col)) {
        found[field] = col;
        used.add(col);
        break;
      }
    }
  }
  const conversations = columns.includes("conversations");
  const missing = conversations ? [] : REQUIRED_QA_FIELDS.filter((f) => found[f] === undefined);
  return { found, missing, unused: columns.filter((c) => !used.has(c)), conversations };
}

/** One line for people: "video←video_id, question←question, …; not found: task; unused: foo". */
export function describeColumns(m: ColumnMapping): string {
  if (m.conversations) return "conversation records (column 'conversations')";
  const parts = QA_FIELDS.filter((f) => m.found[f] !== undefined).map((f) => (m.found[f] === f ? f : `${f}←${m.found[f]}`));
  const absent = QA_FIELDS.filter((f) => m.found[f] === undefined);
  let s = `columns used: ${parts.join(", ") || "none"}`;
  if (absent.length) s += `; not found: ${absent.join(", ")}`;
  if (m.unused.length) s += `; kept as extra: ${m.unused.join(", ")}`;
  return s;
}

/** Throws a one-line error naming what is there and what is needed when required columns are absent. */
export function requireColumns(file: string, m: ColumnMapping, columns: readonly string[]): void {
  if (m.missing.length === 0) return;
  const need = m.missing.map((f) => `"${f}" (any of ${QA_COLUMN_ALIASES[f].join("/")})`).join(", ");
  throw new Error(`${file}: no column for ${need}; columns present: ${columns.join(", ") || "none"}`);
}

function toPlain(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(toPlain);
  return v;
}

function normaliseQuestionType(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const s = squash(v);
  if (s === "oe" || s === "open" || s === "openended" || s === "open_ended") return "OE";
  if (s === "mc" || s === "mcq" || s === "multiplechoice" || s === "choice") return "MC";
  return v;
}

function normaliseOptions(v: unknown): unknown {
  if (typeof v === "string") {
    const t = v.trim();
    if (t.startsWith("[") || t.startsWith("{")) {
      try {
        return normaliseOptions(JSON.parse(t));
      } catch {
        return v;
      }
    }
    return v;
  }
  // {"A": "...", "B": "..."} → ["A. ...", ...] keeps the letter the answer may refer to
  if (v && typeof v === "object" && !Array.isArray(v)) return Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}. ${String(x)}`);
  return v;
}

function normaliseEvents(v: unknown): unknown {
  if (Array.isArray(v)) return v.length;
  if (v && typeof v === "object") return Object.keys(v).length;
  if (typeof v === "string" && /^\s*\d+\s*$/.test(v)) return Number(v);
  return v;
}

function normaliseDuration(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim().replace(/s$/, "");
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return Number(t);
  const hms = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(t);
  if (hms) return Number(hms[1] ?? 0) * 3600 + Number(hms[2]) * 60 + Number(hms[3]);
  return v;
}

// Rows of one file share their keys; resolving once per key set keeps per-row cost low.
const mappingCache = new Map<string, ColumnMapping>();
function mappingForKeys(keys: string[]): ColumnMapping {
  const sig = keys.join("\u0000");
  let m = mappingCache.get(sig);
  if (!m) {
    if (mappingCache.size >= 256) mappingCache.clear();
    m = resolveColumns(keys);
    mappingCache.set(sig, m);
  }
  return m;
}

/** The source folder a path like "panda/abc.mp4" starts with, if any. */
function sourceFromPath(video: unknown): DataSource | undefined {
  if (typeof video !== "string") return undefined;
  const first = video.split("/")[0].toLowerCase();
  return (DATA_SOURCES as readonly string[]).includes(first) ? (first as DataSource) : undefined;
}

/**
 * Turns one raw row (any spelling) into the flat QA form's field names and value types. Values that
 * cannot be converted are left as they are so validation reports them; nothing is dropped.
 */
export function normaliseQaRow(row: Record<string, unknown>, mapping?: ColumnMapping): Record<string, unknown> {
  const m = mapping ?? mappingForKeys(Object.keys(row));
  if (m.conversations) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row)) out[k] = toPlain(v);
    return out;
  }
  const out: Record<string, unknown> = {};
  const taken = new Set<string>();
  for (const field of QA_FIELDS) {
    const col = m.found[field];
    if (col === undefined || !(col in row)) continue;
    taken.add(col);
    let v = toPlain(row[col]);
    if (v === null || v === undefined) continue;
    if (field === "question_type") v = normaliseQuestionType(v);
    else if (field === "options") v = normaliseOptions(v);
    else if (field === "events") v = normaliseEvents(v);
    else if (field === "duration") v = normaliseDuration(v);
    else if (field === "data_source" && typeof v === "string") v = v.toLowerCase();
    out[field] = v;
  }
  if (out.question_type === undefined) out.question_type = Array.isArray(out.options) && out.options.length > 0 ? "MC" : "OE";
  if (out.data_source === undefined) {
    const s = sourceFromPath(out.video);
    if (s) out.data_source = s;
  }
  for (const [k, v] of Object.entries(row)) if (!taken.has(k) && !(k in out)) out[k] = toPlain(v);
  return out;
}
