// LVBench (lmms-eval task `lvbench`): the publisher's video_info.meta.jsonl (one line per video: key, qa [{uid,
// question with its "(A) …" options, answer, question_type [..], time_reference}]), at the top of --data or under
// data/ (the AIWinter/LVBench repo), and the videos wherever they lie under --data: <key>.mp4 (videos/, or the
// unzipped all_videos_split archive), or video2dataset's numbered shard files, found through their .json sidecars'
// YouTube URLs.
import { extractLvbench, letterScore } from "../answer-parse.ts";
import { readdirSync } from "node:fs";
import { annotationFile, unsafeId, videoIndex } from "../data-files.ts";
import { accuracy } from "../headlines.ts";
import { RowError, checked, collect, jsonlRows, str, strList } from "../rows.ts";
import { numberDocs, taskConfig } from "../lmms-logs.ts";
import type { BenchItem, Benchmark } from "../types.ts";

const ANNOTATIONS = "video_info.meta.jsonl";
const LAYOUT = `${ANNOTATIONS} (or data/${ANNOTATIONS}) and the videos as <key>.mp4 or video2dataset shards anywhere under --data`;
// lvbench.yaml's default post_prompt (the options are already in the question).
const POST_PROMPT = "\nAnswer the question with the option letter";

export const lvbench: Benchmark = {
  name: "lvbench",
  title: "LVBench",
  layout: LAYOUT,
  dimensions: ["question_type"],
  maxNewTokens: 16,
  async load(dataDir) {
    const file = annotationFile(dataDir, ANNOTATIONS, "lvbench", LAYOUT, ["data"]);
    const { rows, problems } = await jsonlRows(file);
    const videos = videoIndex(dataDir);
    if (videos.size === 0 && readdirSync(dataDir).some((f) => f.startsWith("all_videos_split.zip")))
      problems.push(
        `${dataDir}: the videos are still in all_videos_split.zip.*: join and unzip them there (cat all_videos_split.zip.* > all.zip && unzip all.zip)`,
      );
    const items = collect(
      rows,
      (r): BenchItem[] => {
        const key = str(r, "key");
        checked(r, unsafeId(key));
        const qa = (r.value as { qa?: unknown }).qa;
        if (!Array.isArray(qa) || qa.length === 0) throw new RowError(`${r.where}: field "qa" must be a non-empty list`);
        return qa.map((q, i) => {
          const sub = { where: `${r.where} qa[${i}]`, value: q };
          return {
            id: str(sub, "uid"),
            videoId: key,
            videoPath: videos.get(key) ?? `videos/${key}.mp4`,
            prompt: str(sub, "question") + POST_PROMPT,
            answer: str(sub, "answer"),
            categories: { question_type: strList(sub, "question_type") },
            lmms: { task: "lvbench", docId: 0, doc: { key, ...(q as Record<string, unknown>) }, target: str(sub, "answer") },
          };
        });
      },
      problems,
    );
    numberDocs(items);
    return { items, problems };
  },
  score: letterScore((p) => extractLvbench(p)),
  headlines: [{ headline: accuracy("Overall"), paper: { metric: "Avg", hourllava3b: 44.7, hourllava7b: 45.6 } }],
  lmms: {
    tasks: () => ({
      lvbench: {
        metrics: [{ name: "lvbench_score", aggregate: "mean" }],
        config: taskConfig({
          task: "lvbench",
          dataset_path: "lmms-eval/LVBench",
          test_split: "train",
          doc_to_visual: "!function utils.lvbench_doc_to_visual",
          doc_to_text: "!function utils.lvbench_doc_to_text",
          doc_to_target: "answer",
          process_results: "!function utils.lvbench_process_results",
          metric_list: [{ metric: "lvbench_score", aggregation: "mean" }],
          generation_kwargs: { max_new_tokens: 16 },
          lmms_eval_specific_kwargs: { pre_prompt: "", post_prompt: POST_PROMPT },
        }),
      },
    }),
    // lvbench_process_results: the extracted letter == doc["answer"] (exactly), a bool; lvbench.yaml averages it.
    processResults: (item, row) => ({ lvbench_score: row.parsed === item.answer }),
  },
};
