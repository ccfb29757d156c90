// LVBench (lmms-eval task `lvbench`): the publisher's video_info.meta.jsonl (one line per video: key, qa [{uid,
// question with its "(A) …" options, answer, question_type [..], time_reference}]), at the top of --data or under
// data/ (the AIWinter/LVBench repo), and the videos wherever they lie under --data: <key>.mp4 (videos/, or the
// unzipped all_videos_split archive), or video2dataset's numbered shard files, found through their .json sidecars'
// YouTube URLs.
import { extractLvbench, letterScore } from "../answer-parse.ts";
import { readdirSync } from "node:fs";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { unsafeId, unsafeRelPath, videoIndex } from "../data-files.ts";
import { accuracy } from "../headlines.ts";
import { LETTERS, RowError, checked, collect, jsonlRows, optional, str, strList, type Row } from "../rows.ts";
import { hfRows, publisherOrHf, type HfCopy } from "../parquet-docs.ts";
import { numberDocs, taskConfig } from "../lmms-logs.ts";
import type { BenchItem, Benchmark } from "../types.ts";

const ANNOTATIONS = "video_info.meta.jsonl";
const LAYOUT = `${ANNOTATIONS} (or data/${ANNOTATIONS}) and the videos as <key>.mp4 or video2dataset shards anywhere under --data`;
// lvbench.yaml's default post_prompt (the options are already in the question).
const POST_PROMPT = "\nAnswer the question with the option letter";
// lvbench.yaml: dataset_path lmms-eval/LVBench (lmms-lab/LVBench before the rename), test_split train; one row per
// question (key, uid, question with its options, answer, question_type, time_reference, video_path).
const HF_COPY: HfCopy = { repos: ["lmms-eval/LVBench", "lmms-lab/LVBench"], split: "train", dirs: ["data", ""] };

/** lvbench_doc_to_text: the question, then "(A) …" lines when the row has a non-empty `options` list (the copies
 * seen carry the options inside the question, as the publisher's file does), then the post prompt. */
function lvbenchPrompt(r: Row): string {
  const options = optional(r, "options");
  const question = str(r, "question");
  if (options == null || (Array.isArray(options) && options.length === 0)) return question + POST_PROMPT;
  const list = strList(r, "options");
  return `${question}\n${list.map((o, i) => `(${LETTERS[i]}) ${o}`).join("\n")}${POST_PROMPT}`;
}

/** The Hugging Face copy's rows (one per question) as the items the publisher's file gives: the same uid, prompt,
 * answer and question types; the video by the row's video_path when it lies there under --data, else found by its
 * key (or video_path's name) as the publisher's videos are. doc_id: the row's index in the split. */
function lvbenchFromHf(dataDir: string, rows: Row[], videos: Map<string, string>) {
  const problems: string[] = [];
  const items = collect(
    rows,
    (r, index): BenchItem[] => {
      const vp = optional(r, "video_path");
      const key = optional(r, "key") != null ? str(r, "key") : typeof vp === "string" ? vp.replace(/^.*\//, "").replace(/\.[^.]*$/, "") : str(r, "key");
      checked(r, unsafeId(key));
      const at = typeof vp === "string" && !unsafeRelPath(vp) && existsSync(join(dataDir, vp)) ? vp : undefined;
      const types = optional(r, "question_type");
      return [
        {
          id: str(r, "uid"),
          videoId: key,
          videoPath: at ?? videos.get(key) ?? `videos/${key}.mp4`,
          prompt: lvbenchPrompt(r),
          answer: str(r, "answer"),
          categories: { question_type: typeof types === "string" ? [types] : strList(r, "question_type") },
          lmms: { task: "lvbench", docId: index, doc: r.value as Record<string, unknown>, target: str(r, "answer") },
        },
      ];
    },
    problems,
  );
  return { items, problems };
}

export const lvbench: Benchmark = {
  name: "lvbench",
  title: "LVBench",
  layout: LAYOUT,
  dimensions: ["question_type"],
  maxNewTokens: 16,
  async load(dataDir) {
    const found = publisherOrHf(dataDir, [ANNOTATIONS, `data/${ANNOTATIONS}`], HF_COPY, "lvbench", LAYOUT);
    const videos = videoIndex(dataDir);
    const { rows, problems } = "file" in found ? await jsonlRows(found.file) : { rows: [], problems: [] as string[] };
    if (videos.size === 0 && readdirSync(dataDir).some((f) => f.startsWith("all_videos_split.zip")))
      problems.push(
        `${dataDir}: the videos are still in all_videos_split.zip.*: join and unzip them there (cat all_videos_split.zip.* > all.zip && unzip all.zip)`,
      );
    if ("hf" in found) {
      const fromHf = lvbenchFromHf(dataDir, await hfRows(found.hf), videos);
      return { items: fromHf.items, problems: [...problems, ...fromHf.problems] };
    }
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
