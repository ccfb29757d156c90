// MLVU dev, multiple-choice tasks (lmms-eval task `mlvu_dev`): the publisher's json/<n>_<task>.json files
// (arrays of {video, duration, question, candidates, answer (the right candidate's text), question_type}) and
// the videos as video/<n>_<task>/<video>. The publisher's two free-form tasks (8_sub_scene, 9_summary) have no
// lmms-eval task at 75571cfe (lmms_eval/tasks/mlvu holds mlvu_dev.yaml and mlvu_test.yaml, both multiple choice),
// so there is no lmms-eval judge prompt or scoring to port for them, and eval --judge refuses mlvu.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { extractVideoMme, letterScore } from "../answer-parse.ts";
import { taskFiles, unsafeId, unsafeRelPath, videoIndex } from "../data-files.ts";
import { findHfCopy, hfCopyLooked, hfRows, type HfCopy } from "../parquet-docs.ts";
import { macroAverage } from "../headlines.ts";
import { LETTERS, RowError, checked, collect, jsonArrayRows, str, strList, type Row } from "../rows.ts";
import { numberDocs, taskConfig } from "../lmms-logs.ts";
import { pyFloat, pySum } from "../py-compat.ts";
import type { BenchItem, Benchmark } from "../types.ts";

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

/** sy1998/MLVU_dev's rows as the items the publisher's files give: the id `<n>_<task>/<i>` (i counting the task's
 * rows in the copy's order, which equals the index in json/<n>_<task>.json where the copy keeps the publisher's
 * order), the prompt (mlvu_doc_to_text: the row's question + post prompt), the answer letter; the video under
 * video/<n>_<task>/ as the publisher ships it, else at video_name under --data (lmms-eval's flat folder), else
 * wherever a file of that name lies. doc_id: the row's index in the split. */
function mlvuFromHf(dataDir: string, rows: Row[]) {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  let videos: Map<string, string> | undefined;
  const base = existsSync(join(dataDir, "MLVU", "video")) ? "MLVU/" : "";
  const items = collect(
    rows,
    (r, index): BenchItem[] => {
      const type = str(r, "task_type");
      const task = MLVU_TASKS.find((t) => t.slice(t.indexOf("_") + 1) === type);
      if (!task) throw new RowError(`${r.where}: task_type "${type}" is none of mlvu_dev's seven (${MLVU_TASK_TYPES.join(", ")})`);
      const n = seen.get(task) ?? 0;
      seen.set(task, n + 1);
      const name = str(r, "video_name");
      checked(r, unsafeRelPath(name));
      const file = name.slice(name.lastIndexOf("/") + 1);
      const answer = str(r, "answer");
      if (!/^[A-Z]$/.test(answer)) throw new RowError(`${r.where}: field "answer" must be an option letter`);
      let videoPath = `${base}video/${task}/${file}`;
      if (!existsSync(join(dataDir, videoPath))) {
        if (existsSync(join(dataDir, name))) videoPath = name;
        else videoPath = (videos ??= videoIndex(dataDir)).get(file.replace(/\.[^.]*$/, "")) ?? videoPath;
      }
      return [
        {
          id: `${task}/${n}`,
          videoId: file,
          videoPath,
          prompt: str(r, "question") + POST_PROMPT,
          answer,
          categories: { task_type: type },
          lmms: { task: "mlvu_dev", docId: index, doc: r.value as Record<string, unknown>, target: answer },
        },
      ];
    },
    problems,
  );
  return { items, problems };
}

export const mlvu: Benchmark = {
  name: "mlvu",
  title: "MLVU (dev, multiple choice)",
  layout: LAYOUT,
  dimensions: ["task_type"],
  maxNewTokens: 16,
  async load(dataDir) {
    // The Hugging Face snapshot (MVLU/MLVU) keeps json/ and video/ under MLVU/: --data may name either level.
    const base = !existsSync(join(dataDir, "json")) && existsSync(join(dataDir, "MLVU", "json")) ? "MLVU/" : "";
    if (!existsSync(join(dataDir, base, "json")) && existsSync(dataDir)) {
      const hf = findHfCopy(dataDir, HF_COPY);
      if (hf) return mlvuFromHf(dataDir, await hfRows(hf));
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
          (r): BenchItem[] => {
            const video = str(r, "video");
            checked(r, unsafeId(video));
            const cands = strList(r, "candidates");
            const gold = cands.indexOf(str(r, "answer"));
            if (gold < 0) throw new RowError(`${r.where}: the answer is none of the candidates`);
            const question = `${str(r, "question")}\n${cands.map((c, i) => `(${LETTERS[i]}) ${c}`).join("\n")}`;
            return [
              {
                id: `${task}/${r.where.slice(r.where.lastIndexOf("[") + 1, -1)}`,
                videoId: video,
                videoPath: `${base}video/${task}/${video}`,
                // mlvu_doc_to_text with mlvu_dev.yaml's default post_prompt (lmms-eval 75571cfe; no llava_vid preset).
                // The question text is rebuilt from the publisher's files; sy1998/MLVU_dev's own is not compared.
                prompt: question + POST_PROMPT,
                answer: LETTERS[gold],
                categories: { task_type: str(r, "question_type") },
                // sy1998/MLVU_dev's doc has the question with its options, task_type and the answer letter.
                lmms: {
                  task: "mlvu_dev",
                  docId: 0,
                  doc: { ...(r.value as Record<string, unknown>), question, task_type: str(r, "question_type"), answer: LETTERS[gold] },
                  target: LETTERS[gold],
                },
              },
            ];
          },
          problems,
        ),
      );
    }
    numberDocs(items);
    return { items, problems };
  },
  score: letterScore(extractVideoMme),
  headlines: [
    {
      headline: macroAverage("M-Avg", "task_type", undefined, MLVU_TASK_TYPES),
      paper: { metric: "M-Avg (dev, multiple choice)", hourllava3b: null, hourllava7b: null },
    },
    { headline: macroAverage("M-Avg (task types asked)", "task_type"), paper: { metric: "–", hourllava3b: null, hourllava7b: null } },
  ],
  lmms: {
    tasks: () => ({
      mlvu_dev: {
        // The metric name is spelled as mlvu_dev.yaml spells it.
        metrics: [{ name: "mlvu_percetion_score", aggregate: mlvuAggregateDev }],
        config: taskConfig({
          task: "mlvu_dev",
          dataset_path: "sy1998/MLVU_dev",
          test_split: "test",
          doc_to_visual: "!function utils.mlvu_doc_to_visual_dev",
          doc_to_text: "!function utils.mlvu_doc_to_text",
          doc_to_target: "answer",
          process_results: "!function utils.mlvu_process_results",
          metric_list: [{ metric: "mlvu_percetion_score", aggregation: "!function utils.mlvu_aggregate_results_dev" }],
          generation_kwargs: { max_new_tokens: 16, temperature: 0, top_p: pyFloat(1), num_beams: 1, do_sample: false },
          lmms_eval_specific_kwargs: { pre_prompt: "", post_prompt: POST_PROMPT },
        }),
      },
    }),
    processResults(item, row) {
      const d = item.lmms!.doc;
      return { mlvu_percetion_score: { question_id: d.question, task_type: d.task_type, pred_answer: row.parsed, answer: d.answer } };
    },
  },
  paperNote:
    "arXiv 2506.05332 reports MLVU only as free-form dev scores judged by GPT-4 (Table 10), no multiple-choice M-Avg. M-Avg divides by all seven task types as lmms-eval's mlvu_dev average does (a type without questions counts 0, so a partial run reads low); 'M-Avg (task types asked)' averages only the types that have questions.",
};

/** mlvu_aggregate_results_dev: per task type 100 × correct / answered (0 when none), summed (Python's sum) and divided
 * by the seven types. lmms-eval iterates a set of the type names, whose order varies between processes; with the
 * compensated sum the order does not change the result. */
function mlvuAggregateDev(values: unknown[]): ReturnType<typeof pyFloat> {
  const per = new Map(MLVU_TASK_TYPES.map((t) => [t, { correct: 0, answered: 0 }]));
  for (const v of values as { task_type: string; pred_answer: string; answer: string }[]) {
    const s = per.get(v.task_type);
    if (!s) continue; // lmms-eval stops on a type outside the seven (KeyError); such questions are not read here
    s.answered++;
    if (v.pred_answer === v.answer) s.correct++;
  }
  return pyFloat(pySum([...per.values()].map((s) => (s.answered > 0 ? (100 * s.correct) / s.answered : 0))) / MLVU_TASK_TYPES.length);
}
