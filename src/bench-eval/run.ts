// One benchmark run: the selected questions grouped by video, one memory per video (the cache makes a rerun's
// memories hits), each question through the app's answer path, each result appended to results.jsonl as it
// comes. Missing and broken videos are counted and listed with their questions, never skipped in silence.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { finalAnswer } from "../app/app.ts";
import type { Answer, AskOptions, VideoMemory } from "../app/app.ts";
import { createProgress } from "../util/progress.ts";
import { pyStrip } from "./answer-parse.ts";
import { videoFile } from "./data-files.ts";
import type { PromptPreset } from "./lmms-eval.ts";
import { ResultsLog } from "./results-log.ts";
import { judgeRows, type JudgeClient, type JudgeSummary } from "./judge.ts";
import { checkOrWriteSettings, type RunSettings } from "./run-settings.ts";
import { byVideo, selectItems, type Shard } from "./select.ts";
import type { BenchItem, Benchmark, ResultRow } from "./types.ts";

/** What a run needs of HourLlavaApp. */
export interface EvalApp {
  remember(video: string): Promise<VideoMemory>;
  ask(mem: VideoMemory, question: string, opts?: AskOptions): AsyncGenerator<string, Answer>;
}

export interface EvalRunOptions {
  dataDir: string;
  outDir: string;
  limit?: number;
  shard?: Shard;
  ask?: AskOptions;
  /** lmms-eval's prompt preset for the task's prompts (default llava_vid). */
  preset?: PromptPreset;
  quiet?: boolean;
  /** Recorded in run.json; a resume with other settings is refused. */
  settings: RunSettings;
  /** Called with the videos still to answer before any is encoded here (eval --redis encodes them on workers). */
  prepareVideos?: (videos: string[]) => Promise<void>;
  /** The LLM judge for the answers lmms-eval scores with one (--judge); without it they are listed as unjudged. Not
   * part of the settings: its verdicts are cached apart (judge-verdicts.jsonl), so --judge may be added on resume. */
  judge?: JudgeClient;
}

export interface VideoIssue {
  video_id: string;
  path: string;
  questions: number;
  error: string;
}

export interface StageTimings {
  decode: number;
  vision_encode: number;
  memaug: number;
  prefill: number;
  generation: number;
  /** Questions answered by this invocation, and its wall time. */
  questions: number;
  wall: number;
}

export interface EvalRun {
  /** The answered questions' rows, judged ones with their verdict, unjudged ones marked (left out of scores). */
  rows: ResultRow[];
  selected: number;
  /** The selected questions themselves (prompts and lmms-eval docs, for the lmms-eval-shaped logs). */
  items: BenchItem[];
  /** How many docs each lmms-eval task has in the annotation files (before --shard and --limit). */
  docsPerTask: Record<string, number>;
  problems: string[];
  missing: VideoIssue[];
  failed: VideoIssue[];
  timings: StageTimings;
  /** Answers that need lmms-eval's LLM judge and have no verdict (no --judge), with their lmms-eval task. */
  unjudged: { id: string; task: string }[];
  /** The judge and what it did; null without --judge. */
  judge: JudgeSummary | null;
}

export async function runBenchmark(app: EvalApp, bench: Benchmark, o: EvalRunOptions): Promise<EvalRun> {
  const t0 = performance.now();
  const { items, problems } = await bench.load(o.dataDir, { preset: o.preset });
  const selected = selectItems(items, { shard: o.shard, limit: o.limit });
  mkdirSync(o.outDir, { recursive: true });
  checkOrWriteSettings(o.outDir, o.settings);
  const log = ResultsLog.open(join(o.outDir, "results.jsonl"));
  const pending = byVideo(selected.filter((it) => !log.has(it.id)));
  const missing: VideoIssue[] = [];
  const failed: VideoIssue[] = [];
  const timings: StageTimings = { decode: 0, vision_encode: 0, memaug: 0, prefill: 0, generation: 0, questions: 0, wall: 0 };
  const present = [...pending.keys()].filter((rel) => {
    const ok = existsSync(videoFile(o.dataDir, rel));
    const qs = pending.get(rel)!;
    if (!ok) missing.push({ video_id: qs[0].videoId, path: rel, questions: qs.length, error: `no file ${videoFile(o.dataDir, rel)}` });
    return ok;
  });
  await o.prepareVideos?.(present.map((rel) => videoFile(o.dataDir, rel)));
  const total = present.reduce((s, rel) => s + pending.get(rel)!.length, 0);
  const progress = createProgress({ label: `eval ${bench.name}`, total, unit: "questions", quiet: o.quiet });
  for (const rel of present) {
    const qs = pending.get(rel)!;
    let mem: VideoMemory;
    try {
      mem = await app.remember(videoFile(o.dataDir, rel));
    } catch (e) {
      failed.push({ video_id: qs[0].videoId, path: rel, questions: qs.length, error: (e as Error).message.split("\n")[0] });
      progress.tick(qs.length);
      continue;
    }
    timings.decode += mem.timings.decodeS;
    timings.vision_encode += mem.timings.encodeS;
    for (const it of qs) {
      // The prompt goes to the model byte for byte (rawPrompt: no trimming), as lmms-eval sends doc_to_text.
      const a = await finalAnswer(app.ask(mem, it.prompt, { ...o.ask, maxNewTokens: o.ask?.maxNewTokens ?? bench.maxNewTokens, rawPrompt: true }));
      timings.memaug += a.timings.memAugS;
      timings.prefill += a.timings.prefillS;
      timings.generation += a.timings.generateS;
      timings.questions++;
      // llava_vid returns the decoded answer .strip()ped (Python whitespace; lmms_eval/models/simple/llava_vid.py
      // at 75571cfe), and the task rules score that; the unstripped text is kept when it differs.
      const prediction = pyStrip(a.text);
      const s = bench.score(it, prediction);
      log.append({
        id: it.id,
        video_id: it.videoId,
        answer: it.answer,
        prediction,
        ...(prediction !== a.text ? { raw_prediction: a.text } : {}),
        parsed: s.parsed,
        matched: s.matched,
        correct: s.correct,
        categories: it.categories,
      });
      progress.tick();
    }
  }
  progress.done();
  timings.wall = (performance.now() - t0) / 1000; // answering only: questions/s leaves the judge's time out
  // The report covers the selected questions only (a later run with a larger --limit adds to the same log).
  const wanted = new Set(selected.map((it) => it.id));
  const judged = await judgeRows(
    bench,
    selected,
    log.rows.filter((r) => wanted.has(r.id)),
    { outDir: o.outDir, judge: o.judge, quiet: o.quiet },
  );
  const docsPerTask: Record<string, number> = {};
  for (const it of items) if (it.lmms) docsPerTask[it.lmms.task] = (docsPerTask[it.lmms.task] ?? 0) + 1;
  return {
    rows: judged.rows,
    selected: selected.length,
    items: selected,
    docsPerTask,
    problems,
    missing,
    failed,
    timings,
    unjudged: judged.unjudged,
    judge: judged.judge,
  };
}

/** The rows that count in the scores: all but those left unjudged. */
export const scoredRows = (rows: readonly ResultRow[]): ResultRow[] => rows.filter((r) => !r.unjudged);
