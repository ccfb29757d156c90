// LongVideoBench validation set (lmms-eval task `longvideobench_val_v`, and `longvideobench_val_i` with
// --interleaved): the publisher's lvb_val.json (id, video_id, video_path, question, candidates, correct_choice,
// duration_group, question_category, subtitle_path, starting_timestamp_for_subtitles, duration…; the Hugging Face
// parquet's option0..option4 are read too), the videos as videos/<video_path> and, interleaved, the subtitles as
// subtitles/<subtitle_path> (the publisher's subtitles.tar unpacked).
import { join } from "node:path";
import { extractLongVideoBench } from "../answer-parse.ts";
import { unsafeRelPath } from "../data-files.ts";
import { hfRows, publisherOrHf, type HfCopy } from "../parquet-docs.ts";
import { accuracy } from "../headlines.ts";
import { numberDocs, taskConfig } from "../lmms-logs.ts";
import { interleavedLines, interleavedPrompt } from "../longvideobench-subtitles.ts";
import { pyFloat, pyRound } from "../py-compat.ts";
import { LETTERS, RowError, checked, collect, int, jsonArrayRows, optional, str, strList, type Row } from "../rows.ts";
import type { BenchItem, Benchmark, LmmsEvalPort } from "../types.ts";

const ANNOTATIONS = "lvb_val.json";
const LAYOUT = `${ANNOTATIONS} and videos/<video_path> under --data`;
const LAYOUT_I = `${ANNOTATIONS}, videos/<video_path> and subtitles/<subtitle_path> under --data`;
const POST_PROMPT = "Answer with the option's letter from the given choices directly.\n";
// longvideobench_val_{v,i}.yaml: dataset_path longvideobench/LongVideoBench, test_split validation; the snapshot's
// validation-00000-of-00001.parquet (lvb_val.json's rows with option0..option4 for candidates).
const HF_COPY: HfCopy = { repos: ["longvideobench/LongVideoBench"], split: "validation", dirs: ["", "data"] };

/** The offered options: `candidates`, or option0..option4 up to the first "N/A" (longvideobench_doc_to_text). */
function candidates(r: Row): string[] {
  if (optional(r, "candidates") !== undefined) return strList(r, "candidates");
  const out: string[] = [];
  for (let i = 0; i < 5; i++) {
    const o = optional(r, `option${i}`);
    if (o === undefined || o === "N/A") break;
    out.push(str(r, `option${i}`));
  }
  if (out.length === 0) throw new RowError(`${r.where}: no "candidates" and no option0`);
  return out;
}

function num(r: Row, name: string): number {
  const v = optional(r, name);
  if (typeof v !== "number" || !Number.isFinite(v)) throw new RowError(`${r.where}: field "${name}" must be a number`);
  return v;
}

/** longvideobench_aggregate_results: each answer counts in its duration group and in its question category; the
 * overall accuracy is Σ acc × n / Σ n over those subsets (so every answer twice), rounded to 5 decimals; a fraction. */
function lvbAggregate(values: unknown[]) {
  const subsets = new Map<unknown, { n: number; correct: number }>();
  for (const v of values as { duration_group: unknown; question_category: unknown; answer: string; parsed_pred: string }[])
    for (const key of [v.duration_group, v.question_category]) {
      const s = subsets.get(key) ?? { n: 0, correct: 0 };
      s.n++;
      if (v.answer === v.parsed_pred) s.correct++;
      subsets.set(key, s);
    }
  let acc = 0;
  let ins = 0;
  for (const s of subsets.values()) {
    acc += (s.correct / s.n) * s.n;
    ins += s.n;
  }
  return pyFloat(ins === 0 ? 0 : pyRound(acc / ins, 5));
}

function lmmsPort(interleaved: boolean): LmmsEvalPort {
  const task = interleaved ? "longvideobench_val_i" : "longvideobench_val_v";
  return {
    tasks: () => ({
      [task]: {
        metrics: [{ name: "lvb_acc", aggregate: lvbAggregate }],
        config: taskConfig({
          task,
          dataset_path: "longvideobench/LongVideoBench",
          test_split: "validation",
          doc_to_visual: `!function utils.longvideobench_doc_to_visual_${interleaved ? "i" : "v"}`,
          doc_to_text: "!function utils.longvideobench_doc_to_text",
          doc_to_target: "correct_choice",
          process_results: "!function utils.longvideobench_process_results",
          metric_list: [{ metric: "lvb_acc", aggregation: "!function utils.longvideobench_aggregate_results" }],
          generation_kwargs: { max_new_tokens: 32, temperature: 0, do_sample: false },
          lmms_eval_specific_kwargs: { pre_prompt: "", post_prompt: POST_PROMPT, ...(interleaved ? { insert_interleave_subtitles: true } : {}) },
        }),
      },
    }),
    // longvideobench_process_results: lvb_acc (aggregated) and submission (logged only).
    processResults(item, row) {
      const d = item.lmms!.doc;
      return {
        lvb_acc: { id: d.id, duration_group: d.duration_group, question_category: d.question_category, answer: item.answer, parsed_pred: row.parsed },
        submission: { [String(d.id)]: row.prediction },
      };
    },
  };
}

function longvideobenchBenchmark(interleaved: boolean): Benchmark {
  return {
    name: "longvideobench",
    ...(interleaved ? { variant: "interleaved" } : {}),
    title: interleaved ? "LongVideoBench (val, interleaved subtitles)" : "LongVideoBench (val)",
    layout: interleaved ? LAYOUT_I : LAYOUT,
    dimensions: ["duration_group", "question_category"],
    maxNewTokens: 32,
    async load(dataDir) {
      const found = publisherOrHf(dataDir, [ANNOTATIONS], HF_COPY, "longvideobench", interleaved ? LAYOUT_I : LAYOUT);
      const problems: string[] = [];
      const items = collect(
        "file" in found ? jsonArrayRows(found.file) : await hfRows(found.hf),
        (r, index): BenchItem[] => {
          const videoPath = str(r, "video_path");
          checked(r, unsafeRelPath(videoPath));
          const cands = candidates(r);
          const correct = int(r, "correct_choice");
          if (correct < 0 || correct >= cands.length)
            throw new RowError(`${r.where}: correct_choice ${correct} is not an index of its ${cands.length} options`);
          const letters = cands.map((_, i) => LETTERS[i]);
          const question = `${str(r, "question")}\n${cands.map((c, i) => `${letters[i]}. ${c}`).join("\n")}`;
          let prompt = `${question}\n${POST_PROMPT}`;
          if (interleaved) {
            const sub = str(r, "subtitle_path");
            checked(r, unsafeRelPath(sub));
            let lines: string[];
            try {
              lines = interleavedLines({
                duration: num(r, "duration"),
                startingTimestamp: num(r, "starting_timestamp_for_subtitles"),
                subtitlesFile: join(dataDir, "subtitles", sub),
              });
            } catch (e) {
              if (e instanceof RowError) throw e;
              throw new RowError(`${r.where}: ${(e as Error).message}`);
            }
            prompt = interleavedPrompt(lines, question, POST_PROMPT);
          }
          return [
            {
              id: str(r, "id"),
              videoId: str(r, "video_id"),
              videoPath: `videos/${videoPath}`,
              prompt,
              answer: letters[correct],
              categories: { duration_group: str(r, "duration_group"), question_category: str(r, "question_category") },
              extra: { letters },
              lmms: {
                task: interleaved ? "longvideobench_val_i" : "longvideobench_val_v",
                docId: index, // the parquet row's index; renumbered below for lvb_val.json
                doc: r.value as Record<string, unknown>,
                target: String(correct),
              },
            },
          ];
        },
        problems,
      );
      if ("file" in found) numberDocs(items);
      return { items, problems };
    },
    score(item, prediction) {
      const { letter, matched } = extractLongVideoBench(prediction, item.extra?.letters as string[], item.id);
      return { parsed: letter, matched, correct: letter === item.answer };
    },
    headlines: [
      {
        headline: accuracy("Overall"),
        paper: interleaved
          ? { metric: "M-Avg (interleaved subtitles)", hourllava3b: null, hourllava7b: null }
          : { metric: "M-Avg", hourllava3b: 57.8, hourllava7b: 60.4 },
      },
    ],
    paperNote: interleaved
      ? "The paper figures carried here (arXiv 2506.05332 Table 2) are for LongVideoBench without subtitles; none is set for this interleaved run. lmms-eval's longvideobench_val_i interleaves 16 frames with the subtitles; this model takes the video as one memory, so the prompt carries the subtitles lmms-eval keeps, in its order, without its <image> lines. An unparsable answer gets a random letter (seeded by question id here)."
      : "lmms-eval's LongVideoBench score is accuracy over all questions; an unparsable answer gets a random letter (seeded by question id here).",
    lmms: lmmsPort(interleaved),
  };
}

export const longvideobench = longvideobenchBenchmark(false);
export const longvideobenchInterleaved = longvideobenchBenchmark(true);
