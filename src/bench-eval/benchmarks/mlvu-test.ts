// MLVU test, multiple-choice tasks (lmms-eval task `mlvu_test`, `hourllava eval mlvu --split test`): the publisher's
// ground truth test-ground-truth/test_mcq_gt.json (one array of {video, duration, question, candidates (up to six),
// answer (the right candidate's text), question_type, question_id}) and the videos flat as video/<video>, under
// --data or --data/MLVU_Test; or the HF copy lmms-eval loads, sy1998/MLVU_Test. The reading, scoring and logs are
// mlvu.ts's; what differs is below, from lmms_eval/tasks/mlvu/mlvu_test.yaml and utils.py at lmms-eval
// 75571cfe0fa36ca5ec2e6aa2bb268f9d38295af3:
//  - dataset_path sy1998/MLVU_Test, test_split test; doc_to_visual mlvu_doc_to_visual_test (video_name under its
//    cache_dir mlvu_test, flat);
//  - no lmms_eval_specific_kwargs: mlvu_doc_to_text gets None, so pre_prompt and post_prompt are "" and the prompt is
//    the doc's question alone (no "Only give the best option." line, unlike mlvu_dev);
//  - generation_kwargs as mlvu_dev's (max_new_tokens 16, temperature 0, top_p 1.0, num_beams 1, greedy);
//  - process_results mlvu_process_results (extract_mcq_answer over A–D, as for dev), metric mlvu_percetion_score,
//    aggregated by mlvu_aggregate_results_test: the mean of the per-type accuracies over nine task types, a type
//    without questions counting 0.
// MLVU-Test's questions have up to six options (A–F) but the extractor only reads A–D, so an answer E or F is never
// scored right, in lmms-eval and here alike. The publisher's question-only files (test_multi_choice_tasks.json,
// leaderboard/test_question.json) carry no answers and are not read.
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { videoIndex } from "../data-files.ts";
import { numberDocs } from "../lmms-logs.ts";
import { hfRows, publisherOrHf, type HfCopy } from "../parquet-docs.ts";
import { RowError, collect, jsonArrayRows, str } from "../rows.ts";
import type { BenchItem, Benchmark } from "../types.ts";
import { mlvuCommon, mlvuFromHf, mlvuHeadlines, mlvuPublisherItem, type MlvuSplit } from "./mlvu.ts";

/** mlvu_aggregate_results_test's TASK_TYPES (a set there), in the order of the MLVU leaderboard's columns. */
export const MLVU_TEST_TASK_TYPES = ["topic_reasoning", "anomaly_reco", "needleQA", "ego", "plotQA", "sportsQA", "order", "count", "tutorialQA"];
const GT = "test-ground-truth/test_mcq_gt.json";
const LAYOUT = `${GT} and video/<video> under --data (or under --data/MLVU_Test)`;
// The copy's rows are as sy1998/MLVU_dev's: video_name, question with its "(A) …" options, answer letter, task_type.
const HF_COPY: HfCopy = { repos: ["sy1998/MLVU_Test"], split: "test", dirs: ["", "data"] };

export const MLVU_TEST: MlvuSplit = {
  task: "mlvu_test",
  datasetPath: "sy1998/MLVU_Test",
  types: MLVU_TEST_TASK_TYPES,
  typesName: "mlvu_test's nine",
  group: (type) => (MLVU_TEST_TASK_TYPES.includes(type) ? type : undefined),
  publisherVideo: (dataDir, _group, file) => `${existsSync(join(dataDir, "MLVU_Test", "video")) ? "MLVU_Test/" : ""}video/${file}`,
  aggregation: "!function utils.mlvu_aggregate_results_test",
};

export const mlvuTest: Benchmark = {
  name: "mlvu",
  variant: "test",
  title: "MLVU (test, multiple choice)",
  layout: LAYOUT,
  ...mlvuCommon(MLVU_TEST),
  async load(dataDir) {
    const found = publisherOrHf(dataDir, [GT, `MLVU_Test/${GT}`], HF_COPY, "mlvu --split test", LAYOUT);
    if ("hf" in found) return mlvuFromHf(MLVU_TEST, dataDir, await hfRows(found.hf));
    const base = relative(dataDir, dirname(dirname(found.file)));
    const problems: string[] = [];
    const seen = new Map<string, number>();
    let videos: Map<string, string> | undefined;
    const items = collect(
      jsonArrayRows(found.file),
      (r): BenchItem[] => {
        const type = str(r, "question_type");
        if (!MLVU_TEST.group(type)) throw new RowError(`${r.where}: question_type "${type}" is none of mlvu_test's nine (${MLVU_TEST_TASK_TYPES.join(", ")})`);
        // The id `<question_type>/<i>`, i counting the type's questions in the file's order (as mlvuFromHf counts
        // the copy's rows); the video at video/<video>, else wherever a file of that name lies under --data.
        const n = seen.get(type) ?? 0;
        seen.set(type, n + 1);
        const item = mlvuPublisherItem(MLVU_TEST, r, `${type}/${n}`, (v) => {
          const at = join(base, "video", v);
          if (existsSync(join(dataDir, at))) return at;
          return (videos ??= videoIndex(dataDir)).get(v.replace(/\.[^.]*$/, "")) ?? at;
        });
        return [item];
      },
      problems,
    );
    numberDocs(items);
    return { items, problems };
  },
  headlines: mlvuHeadlines(MLVU_TEST, "M-Avg (test, multiple choice)"),
  paperNote:
    "arXiv 2506.05332 reports no MLVU test figure (its MLVU numbers are dev), so none is set here. M-Avg divides by all nine task types as lmms-eval's mlvu_test average does (a type without questions counts 0, so a partial run reads low); 'M-Avg (task types asked)' averages only the types that have questions. lmms-eval reads only the letters A–D from an answer, so a question whose answer is E or F (MLVU-Test has up to six options) is never right, here as there.",
};
