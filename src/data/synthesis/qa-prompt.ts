// The QA prompt of one topic in one format, and the flat QA records made from the replies.
import { renderPrompt, UNPROMPTED_TASK, type TopicPrompt } from "./prompts.ts";
import { spanLabel, QA_PER_TASK, type ClipCaptions, type McItem, type OeItem } from "./schemas.ts";
import type { QaRecord, QuestionType } from "../record.ts";
import { findTask } from "../taxonomy.ts";
import type { VideoSpec } from "./video-spec.ts";

export interface CaptionedClip {
  start: number;
  end: number;
  captions: ClipCaptions;
}

export function qaPrompt(t: TopicPrompt, format: QuestionType, clips: readonly CaptionedClip[], globalCaption: string, promptDir?: string): string {
  const subtasks = t.subTasks.map((s, i) => `Sub-task ${i + 1}, ${s.task}: ${s.definition}`).join("\n");
  const examples = t.subTasks.map((s) => `${s.task}: ${JSON.stringify(format === "OE" ? s.openEnded : s.multipleChoice)}`).join("\n");
  const clipText = clips.map((c) => `From ${spanLabel(c.start, c.end)}: ${c.captions[t.perspective]}`).join("\n");
  return renderPrompt(
    format === "OE" ? "qa-open-ended" : "qa-multiple-choice",
    {
      topic: t.topic,
      subtasks,
      examples,
      perspective: t.perspective.toLowerCase(),
      clip_descriptions: clipText,
      global_description: globalCaption,
      task_names: t.subTasks.map((s) => JSON.stringify(s.task)).join(", "),
    },
    promptDir,
  );
}

// Overall Summarization has no prompt: its answer is the global caption (paper, Fig. 11 caption).
const SUMMARY_QUESTIONS = [
  "Summarize what happens in this video from beginning to end.",
  "Describe the whole video in detail, in the order things happen.",
  "Give an overall account of the video's content.",
  "What is this video about? Tell the full story it shows.",
  "Provide a detailed summary of the entire video.",
  "Walk me through everything that happens in the video.",
];

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** Three different phrasings, chosen by the video id so reruns agree. */
export function summaryQuestions(videoId: string): string[] {
  const k = hash(videoId) % SUMMARY_QUESTIONS.length;
  return Array.from({ length: QA_PER_TASK }, (_, i) => SUMMARY_QUESTIONS[(k + i * 2) % SUMMARY_QUESTIONS.length]);
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "-");

export interface QaReplies {
  topic: TopicPrompt;
  oe: Record<string, OeItem[]>;
  mc: Record<string, McItem[]>;
}

export function buildQaRecords(video: VideoSpec, events: number, replies: readonly QaReplies[], globalCaption: string): QaRecord[] {
  const base = { video: video.video, data_source: video.data_source, duration: video.duration, events };
  const out: QaRecord[] = [];
  for (const r of replies) {
    for (const s of r.topic.subTasks) {
      r.oe[s.task].forEach((q, i) =>
        out.push({
          id: `${video.id}-${slug(s.task)}-oe-${i + 1}`,
          ...base,
          task: s.task,
          topic: r.topic.topic,
          question_type: "OE",
          question: q.question,
          answer: q.answer,
        }),
      );
      r.mc[s.task].forEach((q, i) =>
        out.push({
          id: `${video.id}-${slug(s.task)}-mc-${i + 1}`,
          ...base,
          task: s.task,
          topic: r.topic.topic,
          question_type: "MC",
          question: q.question,
          options: q.options,
          answer: q.answer,
        }),
      );
    }
  }
  const summary = findTask(UNPROMPTED_TASK)!;
  summaryQuestions(video.id).forEach((q, i) =>
    out.push({
      id: `${video.id}-${slug(summary.name)}-oe-${i + 1}`,
      ...base,
      task: summary.name,
      topic: summary.topic,
      question_type: "OE",
      question: q,
      answer: globalCaption,
    }),
  );
  return out;
}
