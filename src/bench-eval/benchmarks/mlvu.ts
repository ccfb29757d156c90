// MLVU dev, multiple-choice tasks (lmms-eval task `mlvu_dev`): the publisher's json/<n>_<task>.json files
// (arrays of {video, duration, question, candidates, answer (the right candidate's text), question_type}) and
// the videos as video/<n>_<task>/<video>. The publisher's two free-form tasks (8_sub_scene, 9_summary) have no
// lmms-eval task at 75571cfe (lmms_eval/tasks/mlvu holds mlvu_dev.yaml and mlvu_test.yaml, both multiple choice),
// so there is no lmms-eval judge prompt or scoring to port for them, and eval --judge refuses mlvu.
// The pieces both splits use (the row → item step of either layout, the video lookup, process_results, the
// aggregation, the task config) are exported for mlvu-test.ts (`mlvu_test`, `eval mlvu --split test`).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { extractVideoMme, letterScore } from "../answer-parse.ts";
import { taskFiles, unsafeId, unsafeRelPath, videoIndex } from "../data-files.ts";
import { findHfCopy, hfCopyLooked, hfRows, type HfCopy } from "../parquet-docs.ts";
import { macroAverage } from "../headlines.ts";
import { LETTERS, RowError, checked, collect, jsonArrayRows, str, strList, type Row } from "../rows.ts";
import { numberDocs, taskConfig } from "../lmms-logs.ts";
import { pyFloat, pySum } from "../py-compat.ts";
import type { BenchItem, Benchmark, LmmsTaskSpec, ResultRow } from "../types.ts";

/** The seven multiple-choice tasks, as mlvu_aggregate_results_dev lists them. */
export const MLVU_TASKS = ["1_plotQA", "2_needle", "3_ego", "4_count", "5_order", "6_anomaly_reco", "7_topic_reasoning"];
/** Their question_type values: lmms-eval's M-Avg divides by all seven, a type without questions counting 0
 * (mlvu_aggregate_results_dev, lmms_eval/tasks/mlvu/utils.py at 75571cfe). */
export const MLVU_TASK_TYPES = MLVU_TASKS.map((t) => t.slice(t.indexOf("_") + 1));
const LAYOUT = `json/{${MLVU_TASKS.join(",")}}.json and video/<task>/<video> under --data (or under --data/MLVU)`;
const POST_PROMPT = "\nOnly give the best option.\nBest option: (";
// mlvu_dev.yaml: dataset_path sy1998/MLVU_dev, test_split test; one row per question (video_name, question with its
// "(A) …" options, answer letter, task_type, question_id, duration); its videos come zipped (video_part_*.zip),
// which lmms-eval unpacks flat into its cache, so video_name is a bare file name.
const HF_COPY: HfCopy = { repos: ["sy1998/MLVU_dev"], split: "test", dirs: ["", "data"] };

/** What differs between lmms-eval's two MLVU tasks (mlvu_dev.yaml, mlvu_test.yaml and utils.py at 75571cfe). */
export interface MlvuSplit {
  task: "mlvu_dev" | "mlvu_test";
  /** The yaml's dataset_path. */
  datasetPath: string;
  /** The task types its aggregation lists (TASK_TYPES), in the publisher's order, and the words for "all of them". */
  types: readonly string[];
  typesName: string;
  /** The yaml's lmms_eval_specific_kwargs default, or undefined where the yaml sets none (doc_to_text then gets
   * None: pre and post prompt ""). */
  postPrompt?: string;
  /** The item id's group for a task_type (also the publisher's video folder for dev), undefined for a type outside. */
  group(type: string): string | undefined;
  /** Where the publisher ships a video of this group, relative to --data. */
  publisherVideo(dataDir: string, group: string, file: string): string;
  aggregation: string;
}

export const MLVU_DEV: MlvuSplit = {
  task: "mlvu_dev",
  datasetPath: "sy1998/MLVU_dev",
  types: MLVU_TASK_TYPES,
  typesName: "mlvu_dev's seven",
  postPrompt: POST_PROMPT,
  group: (type) => MLVU_TASKS.find((t) => t.slice(t.indexOf("_") + 1) === type),
  publisherVideo: (dataDir, group, file) => `${existsSync(join(dataDir, "MLVU", "video")) ? "MLVU/" : ""}video/${group}/${file}`,
  aggregation: "!function utils.mlvu_aggregate_results_dev",
};

/** The publisher's question with its candidates as "(A) …" lines, as the HF copies' question column holds it. */
export const withOptions = (question: string, cands: readonly string[]) => `${question}\n${cands.map((c, i) => `(${LETTERS[i]}) ${c}`).join("\n")}`;

/** mlvu_doc_to_text: pre_prompt ("") + question + post_prompt. */
const promptOf = (s: MlvuSplit, question: string) => question + (s.postPrompt ?? "");

/** One publisher row ({video, question, candidates, answer text, question_type}) as an item; the id and video path
 * are the caller's. The question text is rebuilt from the publisher's files; the HF copy's own is not compared. */
export function mlvuPublisherItem(s: MlvuSplit, r: Row, id: string, videoPath: (video: string) => string): BenchItem {
  const video = str(r, "video");
  checked(r, unsafeId(video));
  const cands = strList(r, "candidates");
  const gold = cands.indexOf(str(r, "answer"));
  if (gold < 0) throw new RowError(`${r.where}: the answer is none of the candidates`);
  const question = withOptions(str(r, "question"), cands);
  const type = str(r, "question_type");
  return {
    id,
    videoId: video,
    videoPath: videoPath(video),
    prompt: promptOf(s, question),
    answer: LETTERS[gold],
    categories: { task_type: type },
    // The HF copy's doc has the question with its options, task_type and the answer letter.
    lmms: { task: s.task, docId: 0, doc: { ...(r.value as Record<string, unknown>), question, task_type: type, answer: LETTERS[gold] }, target: LETTERS[gold] },
  };
}

/** The HF copy's rows as the items the publisher's files give: the id `<group>/<i>` (i counting the group's rows in
 * the copy's order, which equals the publisher's where the copy keeps the publisher's order), the prompt
 * (mlvu_doc_to_text on the row's question), the answer letter; the video where the publisher ships it, else at
 * video_name under --data (lmms-eval's flat folder), else wherever a file of that name lies. doc_id: the row's
 * index in the split. */
export function mlvuFromHf(s: MlvuSplit, dataDir: string, rows: Row[]) {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  let videos: Map<string, string> | undefined;
  const items = collect(
    rows,
    (r, index): BenchItem[] => {
      const type = str(r, "task_type");
      const group = s.group(type);
      if (!group) throw new RowError(`${r.where}: task_type "${type}" is none of ${s.typesName} (${s.types.join(", ")})`);
      const n = seen.get(group) ?? 0;
      seen.set(group, n + 1);
      const name = str(r, "video_name");
      checked(r, unsafeRelPath(name));
      const file = name.slice(name.lastIndexOf("/") + 1);
      const answer = str(r, "answer");
      if (!/^[A-Z]$/.test(answer)) throw new RowError(`${r.where}: field "answer" must be an option letter`);
      let videoPath = s.publisherVideo(dataDir, group, file);
      if (!existsSync(join(dataDir, videoPath))) {
        if (existsSync(join(dataDir, name))) videoPath = name;
        else videoPath = (videos ??= videoIndex(dataDir)).get(file.replace(/\.[^.]*$/, "")) ?? videoPath;
      }
      return [
        {
          id: `${group}/${n}`,
          videoId: file,
          videoPath,
          prompt: promptOf(s, str(r, "question")),
          answer,
          categories: { task_type: type },
          lmms: { task: s.task, docId: index, doc: r.value as Record<string, unknown>, target: answer },
        },
      ];
    },
    problems,
  );
  return { items, problems };
}

/** mlvu_process_results: the extracted letter (extract_mcq_answer over A–D) beside the doc's answer. */
export function mlvuProcessResults(item: BenchItem, row: ResultRow): Record<string, unknown> {
  const d = item.lmms!.doc;
  return { mlvu_percetion_score: { question_id: d.question, task_type: d.task_type, pred_answer: row.parsed, answer: d.answer } };
}

/** mlvu_aggregate_results_dev / _test: per task type 100 × correct / answered (0 when none), summed (Python's sum)
 * and divided by the number of types. (They match a type by `task_cate in k` over their own type names; no name is
 * a substring of another in either list, so each type counts only its own questions.) lmms-eval iterates a set of
 * the type names, whose order varies between processes; with the compensated sum the order does not change the
 * result. */
export function mlvuAggregate(types: readonly string[]) {
  return (values: unknown[]): ReturnType<typeof pyFloat> => {
    const per = new Map(types.map((t) => [t, { correct: 0, answered: 0 }]));
    for (const v of values as { task_type: string; pred_answer: string; answer: string }[]) {
      const s = per.get(v.task_type);
      if (!s) continue; // lmms-eval stops on a type outside the list (KeyError); such questions are not read here
      s.answered++;
      if (v.pred_answer === v.answer) s.correct++;
    }
    return pyFloat(pySum([...per.values()].map((s) => (s.answered > 0 ? (100 * s.correct) / s.answered : 0))) / types.length);
  };
}

/** The task's lmms-eval spec: its metric (spelled as the yaml spells it) and comparable config fields. */
export function mlvuTaskSpec(s: MlvuSplit): LmmsTaskSpec {
  return {
    metrics: [{ name: "mlvu_percetion_score", aggregate: mlvuAggregate(s.types) }],
    config: taskConfig({
      task: s.task,
      dataset_path: s.datasetPath,
      test_split: "test",
      doc_to_visual: `!function utils.mlvu_doc_to_visual_${s.task === "mlvu_dev" ? "dev" : "test"}`,
      doc_to_text: "!function utils.mlvu_doc_to_text",
      doc_to_target: "answer",
      process_results: "!function utils.mlvu_process_results",
      metric_list: [{ metric: "mlvu_percetion_score", aggregation: s.aggregation }],
      generation_kwargs: { max_new_tokens: 16, temperature: 0, top_p: pyFloat(1), num_beams: 1, do_sample: false },
      ...(s.postPrompt !== undefined ? { lmms_eval_specific_kwargs: { pre_prompt: "", post_prompt: s.postPrompt } } : {}),
    }),
  };
}

/** What both MLVU benchmark objects share: the scorer, the dimension, the answer length and the lmms-eval port. */
export function mlvuCommon(s: MlvuSplit) {
  return {
    dimensions: ["task_type"],
    maxNewTokens: 16,
    score: letterScore(extractVideoMme),
    lmms: { tasks: () => ({ [s.task]: mlvuTaskSpec(s) }), processResults: mlvuProcessResults },
  } satisfies Partial<Benchmark>;
}

/** Both MLVU tasks' headlines: M-Avg over every task type of the split, as lmms-eval divides (a type without
 * questions counts 0), and over the types asked; the paper reports neither (`paperMetric` names the first). */
export function mlvuHeadlines(s: MlvuSplit, paperMetric: string): Benchmark["headlines"] {
  return [
    { headline: macroAverage("M-Avg", "task_type", undefined, s.types), paper: { metric: paperMetric, hourllava3b: null, hourllava7b: null } },
    { headline: macroAverage("M-Avg (task types asked)", "task_type"), paper: { metric: "–", hourllava3b: null, hourllava7b: null } },
  ];
}

export const mlvu: Benchmark = {
  name: "mlvu",
  title: "MLVU (dev, multiple choice)",
  layout: LAYOUT,
  ...mlvuCommon(MLVU_DEV),
  async load(dataDir) {
    // The Hugging Face snapshot (MVLU/MLVU) keeps json/ and video/ under MLVU/: --data may name either level.
    const base = !existsSync(join(dataDir, "json")) && existsSync(join(dataDir, "MLVU", "json")) ? "MLVU/" : "";
    if (!existsSync(join(dataDir, base, "json")) && existsSync(dataDir)) {
      const hf = findHfCopy(dataDir, HF_COPY);
      if (hf) return mlvuFromHf(MLVU_DEV, dataDir, await hfRows(hf));
      throw new Error(
        `mlvu: expected the annotation file ${hfCopyLooked(dataDir, HF_COPY)} or ${join(dataDir, "json", `${MLVU_TASKS[0]}.json`)} (layout: ${LAYOUT})`,
      );
    }
    const { present, problems } = taskFiles(join(dataDir, base), "json", MLVU_TASKS, "mlvu", LAYOUT);
    const items: BenchItem[] = [];
    for (const { task, file } of present) {
      items.push(
        ...collect(
          jsonArrayRows(file),
          // mlvu_doc_to_text with mlvu_dev.yaml's default post_prompt (lmms-eval 75571cfe; no llava_vid preset).
          (r): BenchItem[] => [
            mlvuPublisherItem(MLVU_DEV, r, `${task}/${r.where.slice(r.where.lastIndexOf("[") + 1, -1)}`, (v) => `${base}video/${task}/${v}`),
          ],
          problems,
        ),
      );
    }
    numberDocs(items);
    return { items, problems };
  },
  headlines: mlvuHeadlines(MLVU_DEV, "M-Avg (dev, multiple choice)"),
  paperNote:
    "arXiv 2506.05332 reports MLVU only as free-form dev scores judged by GPT-4 (Table 10), no multiple-choice M-Avg. M-Avg divides by all seven task types as lmms-eval's mlvu_dev average does (a type without questions counts 0, so a partial run reads low); 'M-Avg (task types asked)' averages only the types that have questions.",
};
