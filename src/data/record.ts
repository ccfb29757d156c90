// The two shapes VideoMarathon data comes in (notes §4.1): the processed LLaVA-style conversation record
// the official trainer reads, and a flat one-QA-per-row form for raw / annotation tables.

export const DATA_SOURCES = ["activitynet", "ego4d", "moviechat", "panda", "youcook2"] as const;
export type DataSource = (typeof DATA_SOURCES)[number];

export const QUESTION_TYPES = ["OE", "MC"] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export const IMAGE_TOKEN = "<image>";

export interface ConversationTurn {
  from: "human" | "gpt";
  value: string;
}

/** One training sample: a video and a multi-turn conversation about it. Extra fields are kept as they are. */
export interface ConversationRecord {
  id?: string | number;
  video: string;
  data_source: DataSource;
  conversations: ConversationTurn[];
  [extra: string]: unknown;
}

/** One question-answer pair about one video. */
export interface QaRecord {
  id?: string | number;
  video: string;
  /** Seconds. */
  duration?: number;
  task: string;
  topic?: string;
  question_type: QuestionType;
  question: string;
  options?: string[];
  answer: string;
  /** Number of events found in the video (notes §3.3). */
  events?: number;
  data_source: DataSource;
  [extra: string]: unknown;
}

export type DataRecord = ConversationRecord | QaRecord;

export function isConversationRecord(r: DataRecord): r is ConversationRecord {
  return Array.isArray((r as ConversationRecord).conversations);
}

/** Key of one video across the dataset: the same file name may exist under two sources. */
export function videoKey(r: { video: string; data_source: string }): string {
  return `${r.data_source}/${r.video}`;
}

/** Number of QA pairs a record holds: one for a flat row, the number of answers for a conversation. */
export function qaCount(r: DataRecord): number {
  return isConversationRecord(r) ? r.conversations.filter((t) => t.from === "gpt").length : 1;
}
