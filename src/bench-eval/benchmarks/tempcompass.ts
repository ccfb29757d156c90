// TempCompass (lmms-eval tasks `tempcompass_multi_choice`, `tempcompass_yes_no`, `tempcompass_caption_matching`):
// the publisher's questions/<task>.json ({video_id: {dimension: [{question, answer}]}}) and videos/<video_id>.mp4.
// lmms-eval falls back to a gpt-3.5 judge when its rules cannot read an answer; there is no judge here, so
// such answers count as wrong and are listed as unmatched.
import { ruleTempCompassCaption, ruleTempCompassMc, ruleTempCompassYesNo } from "../answer-parse.ts";
import { taskFiles, unsafeId } from "../data-files.ts";
import { accuracy, categoryIs } from "../headlines.ts";
import { RowError, checked, collect, jsonFile, str } from "../rows.ts";
import { numberDocs, taskConfig } from "../lmms-logs.ts";
import { pyFloat } from "../py-compat.ts";
import type { BenchItem, Benchmark, LmmsTaskSpec, Scored } from "../types.ts";

const TASKS = ["multi-choice", "yes_no", "caption_matching"] as const;
type Task = (typeof TASKS)[number];
const LAYOUT = `questions/{${TASKS.join(",")}}.json and videos/<video_id>.mp4 under --data`;
// The answer prompts of TempCompass's own inference scripts, which lmms-eval's post_prompt carries.
const ANSWER_PROMPT: Record<Task, string> = {
  "multi-choice": "\nPlease directly give the best option:",
  yes_no: "\nPlease answer yes or no:",
  caption_matching: "\nPlease directly give the best option:",
};

export const tempcompass: Benchmark = {
  name: "tempcompass",
  title: "TempCompass (multi-choice, yes/no, caption matching)",
  layout: LAYOUT,
  dimensions: ["task", "dim"],
  // The tempcompass tasks set no generation_kwargs, so llava_vid's own default applies
  // (lmms_eval/models/simple/llava_vid.py generate_until at 75571cfe: max_new_tokens 1024).
  maxNewTokens: 1024,
  async load(dataDir) {
    const { present, problems } = taskFiles(dataDir, "questions", TASKS, "tempcompass", LAYOUT);
    const items: BenchItem[] = [];
    for (const { task, file } of present) {
      const all = jsonFile(file);
      if (all === null || typeof all !== "object" || Array.isArray(all)) throw new Error(`${file}: expected an object {video_id: {dimension: [questions]}}`);
      const rows = Object.entries(all as Record<string, unknown>).map(([videoId, value]) => ({
        where: `${file} video "${videoId}"`,
        value: { videoId, dims: value },
      }));
      items.push(
        ...collect(
          rows,
          (r): BenchItem[] => {
            const { videoId, dims } = r.value as { videoId: string; dims: unknown };
            checked(r, unsafeId(videoId));
            if (dims === null || typeof dims !== "object" || Array.isArray(dims)) throw new RowError(`${r.where}: expected {dimension: [questions]}`);
            return Object.entries(dims as Record<string, unknown>).flatMap(([dim, qs]) => {
              if (!Array.isArray(qs)) throw new RowError(`${r.where} "${dim}": expected a list of questions`);
              return qs.map((q, i) => {
                const sub = { where: `${r.where} ${dim}[${i}]`, value: q };
                const question = str(sub, "question");
                return {
                  id: `${task}/${videoId}/${dim}/${i}`,
                  videoId,
                  videoPath: `videos/${videoId}.mp4`,
                  prompt: question + ANSWER_PROMPT[task],
                  answer: str(sub, "answer"),
                  categories: { task, dim },
                  extra: { task, question },
                  lmms: { task: LMMS_TASK[task], docId: 0, doc: { video_id: videoId, dim, question, answer: str(sub, "answer") }, target: str(sub, "answer") },
                };
              });
            });
          },
          problems,
        ),
      );
    }
    numberDocs(items);
    return { items, problems };
  },
  score(item, prediction): Scored {
    const task = item.extra?.task as Task;
    if (task === "multi-choice") return ruleTempCompassMc(prediction, item.answer);
    if (task === "yes_no") {
      const parsed = ruleTempCompassYesNo(prediction);
      return { parsed, matched: parsed !== "", correct: parsed !== "" && parsed === item.answer };
    }
    const r = ruleTempCompassCaption(prediction, item.extra?.question as string, item.answer);
    return r ? { ...r, matched: true } : { parsed: "", correct: false, matched: false };
  },
  headlines: [
    { headline: accuracy("Multi-choice", categoryIs("task", "multi-choice")), paper: { metric: "M-Avg (multi-choice)", hourllava3b: 63.6, hourllava7b: 68.1 } },
    { headline: accuracy("Yes/no", categoryIs("task", "yes_no")), paper: { metric: "Yes/no", hourllava3b: null, hourllava7b: null } },
    {
      headline: accuracy("Caption matching", categoryIs("task", "caption_matching")),
      paper: { metric: "Caption matching", hourllava3b: null, hourllava7b: null },
    },
  ],
  paperNote: "Table 2 reports TempCompass multi-choice only (M-Avg); yes/no and caption matching have no paper figure.",
  lmms: {
    tasks: () => Object.fromEntries(TASKS.map((t) => [LMMS_TASK[t], lmmsTask(t)])),
    // tempcompass_process_results_*: the same record under avg_accuracy and under "<dim>_accuracy"; with no judge
    // reachable lmms-eval's get_eval_result gives up with rating 0 and no chatgpt_response, as here.
    processResults(item, row) {
      const d = item.lmms!.doc as { video_id: string; question: string; answer: string; dim: string };
      const rec = {
        video_id: d.video_id,
        question: d.question,
        "gt-answer": d.answer,
        "video-llm-prediction": row.prediction,
        match_success: row.matched,
        rating: row.correct ? 1 : 0,
        dim: d.dim,
      };
      return { avg_accuracy: rec, [`${d.dim}_accuracy`]: rec };
    },
  },
};

// The lmms-eval task names (tempcompass_mc.yaml's task is tempcompass_multi_choice); the group `tempcompass` also
// holds tempcompass_captioning, which needs a GPT judge, so the three are reported as tasks of their own.
const LMMS_TASK: Record<Task, string> = {
  "multi-choice": "tempcompass_multi_choice",
  yes_no: "tempcompass_yes_no",
  caption_matching: "tempcompass_caption_matching",
};
const METRICS = ["avg_accuracy", "speed_accuracy", "direction_accuracy", "action_accuracy", "order_accuracy", "attribute_change_accuracy"];

/** tempcompass_aggregate_rating: (ratings equal to 1) / len × 100. */
const aggregateRating = (values: unknown[]) => pyFloat((values.filter((v) => (v as { rating: number }).rating === 1).length / values.length) * 100);

function lmmsTask(t: Task): LmmsTaskSpec {
  const fn = { "multi-choice": "multi_choice", yes_no: "yes_no", caption_matching: "caption_matching" }[t];
  return {
    metrics: METRICS.map((name) => ({ name, aggregate: aggregateRating })),
    config: taskConfig({
      task: LMMS_TASK[t],
      dataset_path: "lmms-eval/TempCompass",
      dataset_name: t,
      test_split: "test",
      doc_to_visual: "!function utils.tempcompass_doc_to_visual",
      doc_to_text: `!function utils.tempcompass_doc_to_text_${fn}`,
      doc_to_target: "!function utils.tempcompass_doc_to_answer",
      process_results: `!function utils.tempcompass_process_results_${fn}`,
      metric_list: METRICS.map((metric) => ({ metric, aggregation: "!function utils.tempcompass_aggregate_rating" })),
      lmms_eval_specific_kwargs: { pre_prompt: "", post_prompt: { ...ANSWER_PROMPT, captioning: "" } },
    }),
  };
}
