// The VideoMarathon-style synthesis of one video (notes §3): six-perspective captions of each clip →
// event split → event captions → global caption → per-topic open-ended and multiple-choice QA → flat QA
// records in <workdir>/<videoId>/qa.jsonl. Every step is stored on disk and skipped on a rerun.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { SynthConfig, Stage } from "./config.ts";
import type { ChatMessage, LlmClient } from "./llm.ts";
import { askJson } from "./structured.ts";
import { clipWindows } from "./clips.ts";
import { framesMessage } from "./frames-message.ts";
import { loadAllTopicPrompts, renderPrompt, PROMPT_DIR, type TopicPrompt } from "./prompts.ts";
import {
  clipCaptionSchema,
  eventCaptionSchema,
  eventSplitSchema,
  globalCaptionSchema,
  qaReplySchema,
  spanLabel,
  type McItem,
  type OeItem,
  type VideoEvent,
} from "./schemas.ts";
import { buildQaRecords, qaPrompt, type CaptionedClip, type QaReplies } from "./qa-prompt.ts";
import { StepStore } from "./step-store.ts";
import { mapLimit } from "./limit.ts";
import type { VideoSpec } from "./video-spec.ts";
import type { QuestionType } from "../record.ts";

/** JPEG or PNG frames of `video` between `startS` and `endS`, in time order. */
export type FramesForClip = (video: VideoSpec, startS: number, endS: number) => Promise<Buffer[]>;

export interface StepEvent {
  videoId: string;
  step: string;
  /** True when the step's stored output was used. */
  reused: boolean;
  done: number;
  /** Steps known so far (the event steps are added once the split is known). */
  total: number;
}

export interface PipelineContext {
  config: SynthConfig;
  llm: LlmClient;
  framesForClip: FramesForClip;
  workdir: string;
  promptDir?: string;
  onStep?: (e: StepEvent) => void;
}

export interface VideoResult {
  videoId: string;
  qaCount: number;
  events: number;
  /** Why no QA was made (too few events), when so. */
  skipped?: string;
}

export const FINAL_OUTPUT = "qa.jsonl";
const RESULT_FILE = "result.json";

const resultSchema = z.object({ videoId: z.string(), qaCount: z.number().int(), events: z.number().int(), skipped: z.string().optional() });
const storedClip = z.object({ start: z.number(), end: z.number(), captions: clipCaptionSchema });
const storedEvents = z.array(z.object({ start: z.number(), end: z.number(), title: z.string() }));
const storedText = z.string();
const storedQa = z.record(z.string(), z.array(z.looseObject({ question: z.string(), answer: z.string(), options: z.array(z.string()).optional() })));

export function finalOutputPath(workdir: string, videoId: string): string {
  return join(workdir, videoId, FINAL_OUTPUT);
}

/** The result of a video whose final output exists, or undefined. */
export function readFinishedResult(workdir: string, videoId: string): VideoResult | undefined {
  const out = finalOutputPath(workdir, videoId);
  if (!existsSync(out)) return undefined;
  const file = join(workdir, videoId, RESULT_FILE);
  try {
    return resultSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  } catch {
    // qa.jsonl is written last, so this means result.json was removed by hand: count the lines instead.
    const n = readFileSync(out, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "").length;
    return { videoId, qaCount: n, events: 0 };
  }
}

function keyOf(parts: unknown): string {
  return createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32);
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
const pad = (n: number, w: number) => String(n).padStart(w, "0");
const userText = (content: string): ChatMessage[] => [{ role: "user", content }];

export async function synthesizeVideo(video: VideoSpec, ctx: PipelineContext): Promise<VideoResult & { reused: boolean }> {
  const finished = readFinishedResult(ctx.workdir, video.id);
  if (finished) return { ...finished, reused: true };

  const c = ctx.config;
  const store = new StepStore(ctx.workdir, video.id);
  const promptDir = ctx.promptDir ?? PROMPT_DIR;
  const topics: TopicPrompt[] = loadAllTopicPrompts(promptDir);
  const windows = clipWindows(video.duration, c.clipSeconds, c.clipStrideSeconds ?? c.clipSeconds);
  let total = windows.length + 2 + topics.length * 2;
  let done = 0;
  const ask = <T>(stage: Stage, messages: ChatMessage[], schema: z.ZodType<T>, step: string) =>
    askJson(ctx.llm, stage, messages, schema, { maxAttempts: c.maxValidationAttempts, label: `video ${video.id}: ${step}` });

  /** Runs a step unless its output, made from the same inputs, is stored. */
  async function step<T>(name: string, inputs: unknown, schema: z.ZodType<T>, run: () => Promise<T>): Promise<T> {
    const key = keyOf(inputs);
    let value = store.get(name, key, schema);
    const reused = value !== undefined;
    if (value === undefined) {
      value = await run();
      store.put(name, key, value);
    }
    ctx.onStep?.({ videoId: video.id, step: name, reused, done: ++done, total });
    return value;
  }

  // 1. Clip captions, six perspectives each, from the captioner (a vision model).
  const clips: CaptionedClip[] = await mapLimit(windows, c.parallelCalls, (w) => {
    const name = `clip-${pad(w.index, 4)}`;
    const inputs = {
      video: video.path ?? video.video,
      start: w.start,
      end: w.end,
      frames: c.framesPerClip,
      model: c.captioner.model,
      template: renderPrompt(
        "clip-caption",
        { frame_count: c.framesPerClip, clip_length: fmt(w.end - w.start), start: fmt(w.start), end: fmt(w.end) },
        promptDir,
      ),
    };
    return step(name, inputs, storedClip, async () => {
      const frames = await ctx.framesForClip(video, w.start, w.end);
      const prompt = renderPrompt(
        "clip-caption",
        { frame_count: frames.length, clip_length: fmt(w.end - w.start), start: fmt(w.start), end: fmt(w.end) },
        promptDir,
      );
      const captions = await ask("captioner", [framesMessage(prompt, frames, `video ${video.id} clip ${spanLabel(w.start, w.end)}`)], clipCaptionSchema, name);
      return { start: w.start, end: w.end, captions };
    });
  });

  // 2. Event split over the chronologically ordered clip captions.
  const splitPrompt = renderPrompt(
    "event-split",
    {
      video_duration: fmt(video.duration),
      clip_captions: clips
        .map((k) => `${spanLabel(k.start, k.end)}: ${k.captions.Summary} Actions: ${k.captions.Action} Setting: ${k.captions.Scene}`)
        .join("\n"),
    },
    promptDir,
  );
  const events: VideoEvent[] = await step("events", { prompt: splitPrompt, model: c.summarizer.model }, storedEvents, () =>
    ask("summarizer", userText(splitPrompt), eventSplitSchema(video.duration, c.clipSeconds), "events"),
  );
  if (events.length < c.minEvents) {
    const result: VideoResult = {
      videoId: video.id,
      qaCount: 0,
      events: events.length,
      skipped: `${events.length} event${events.length === 1 ? "" : "s"} found, fewer than minEvents = ${c.minEvents}`,
    };
    store.writeText(RESULT_FILE, JSON.stringify(result, null, 1) + "\n");
    store.writeText(FINAL_OUTPUT, "");
    return { ...result, reused: false };
  }
  total += events.length;

  // 3. Event captions: the event's clips from all six perspectives, its neighbours' titles as context.
  const eventCaptions = await mapLimit(events, c.parallelCalls, (ev, i) => {
    const inside = clips.filter((k) => k.start < ev.end && k.end > ev.start);
    const prompt = renderPrompt(
      "event-caption",
      {
        event_start: fmt(ev.start),
        event_end: fmt(ev.end),
        event_title: ev.title,
        previous_event: i > 0 ? events[i - 1].title : "(none: this is the first event)",
        next_event: i + 1 < events.length ? events[i + 1].title : "(none: this is the last event)",
        clip_captions: inside.map((k) => `${spanLabel(k.start, k.end)}: ${JSON.stringify(k.captions)}`).join("\n"),
      },
      promptDir,
    );
    const name = `event-${pad(i, 3)}`;
    return step(name, { prompt, model: c.summarizer.model }, storedText, () => ask("summarizer", userText(prompt), eventCaptionSchema, name));
  });

  // 4. Global caption over the events in order.
  const globalPrompt = renderPrompt(
    "global-caption",
    { events: events.map((ev, i) => `Event from ${fmt(ev.start)} s to ${fmt(ev.end)} s: ${ev.title}\n${eventCaptions[i]}`).join("\n\n") },
    promptDir,
  );
  const globalCaption = await step("global", { prompt: globalPrompt, model: c.summarizer.model }, storedText, () =>
    ask("summarizer", userText(globalPrompt), globalCaptionSchema, "global"),
  );

  // 5. QA: one open-ended and one multiple-choice call per topic, three QA per sub-task.
  const jobs = topics.flatMap((t) => (["OE", "MC"] as QuestionType[]).map((format) => ({ t, format })));
  const answers = await mapLimit(jobs, c.parallelCalls, ({ t, format }) => {
    const prompt = qaPrompt(t, format, clips, globalCaption, promptDir);
    const name = `qa-${t.topic.toLowerCase()}-${format.toLowerCase()}`;
    const tasks = t.subTasks.map((s) => s.task);
    return step(name, { prompt, model: c.summarizer.model }, storedQa, () => ask("summarizer", userText(prompt), qaReplySchema(tasks, format), name));
  });
  const replies: QaReplies[] = topics.map((t, i) => ({
    topic: t,
    oe: answers[2 * i] as Record<string, OeItem[]>,
    mc: answers[2 * i + 1] as Record<string, McItem[]>,
  }));

  // 6. Flat QA records; qa.jsonl last, so its presence means the video is done.
  const records = buildQaRecords(video, events.length, replies, globalCaption);
  const result: VideoResult = { videoId: video.id, qaCount: records.length, events: events.length };
  store.writeText(RESULT_FILE, JSON.stringify(result, null, 1) + "\n");
  store.writeText(FINAL_OUTPUT, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return { ...result, reused: false };
}
