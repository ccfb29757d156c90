// TempCompass (lmms-eval group `tempcompass`: `tempcompass_multi_choice`, `tempcompass_yes_no`,
// `tempcompass_caption_matching`, `tempcompass_captioning`): the publisher's questions/<task>.json
// ({video_id: {dimension: [{question, answer}]}}) and videos/<video_id>.mp4. lmms-eval sends to its LLM judge every
// captioning answer, and the answers of the other three its hand-made rules cannot read (tempcompass-judge.ts); with
// --judge they are scored by the judge's verdict, without it they are listed as unjudged and left out of the scores.
import { ruleTempCompassCaption, ruleTempCompassMc, ruleTempCompassYesNo } from "../answer-parse.ts";
import { taskFiles, unsafeId } from "../data-files.ts";
import { findHfCopy, hfCopyLooked, hfRows, type HfCopy } from "../parquet-docs.ts";
import { accuracy, categoryIs } from "../headlines.ts";
import { RowError, checked, collect, jsonFile, str } from "../rows.ts";
import { numberDocs, taskConfig } from "../lmms-logs.ts";
import { pyFloat } from "../py-compat.ts";
import { JUDGE_SYSTEM, FALLBACK_TRIES, captioningPrompt, fallbackPrompt, fallbackRating, parseCaptioningOutput } from "../tempcompass-judge.ts";
import type { BenchItem, Benchmark, JudgePort, LmmsTaskSpec, ResultRow, Scored } from "../types.ts";
import { existsSync } from "node:fs";
import { join } from "node:path";

const TASKS = ["multi-choice", "yes_no", "caption_matching", "captioning"] as const;
type Task = (typeof TASKS)[number];
const LAYOUT = `questions/{${TASKS.join(",")}}.json and videos/<video_id>.mp4 under --data`;
// The answer prompts of TempCompass's own inference scripts, which lmms-eval's post_prompt carries.
const ANSWER_PROMPT: Record<Task, string> = {
  "multi-choice": "\nPlease directly give the best option:",
  yes_no: "\nPlease answer yes or no:",
  caption_matching: "\nPlease directly give the best option:",
  captioning: "",
};

export const tempcompass: Benchmark = {
  name: "tempcompass",
  title: "TempCompass (multi-choice, yes/no, caption matching, captioning)",
  layout: LAYOUT,
  dimensions: ["task", "dim"],
  // The tempcompass tasks set no generation_kwargs, so llava_vid's own default applies
  // (lmms_eval/models/simple/llava_vid.py generate_until at 75571cfe: max_new_tokens 1024).
  maxNewTokens: 1024,
  async load(dataDir) {
    if (existsSync(dataDir) && !TASKS.some((t) => existsSync(join(dataDir, "questions", `${t}.json`)))) {
      const fromHf = await tempcompassFromHf(dataDir);
      if (fromHf) return fromHf;
      throw new Error(
        `tempcompass: expected the annotation file ${hfCopyLooked(dataDir, { ...hfCopy(TASKS[0]), dirs: TASKS })} or ${join(dataDir, "questions", `${TASKS[0]}.json`)} (layout: ${LAYOUT})`,
      );
    }
    const { present, problems } = taskFiles(dataDir, "questions", TASKS, "tempcompass", LAYOUT);
    const mc = present.some((p) => p.task === "captioning") ? mcQuestions(dataDir) : undefined;
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
                const answer = str(sub, "answer");
                const doc: Record<string, unknown> = { video_id: videoId, dim, question, answer };
                if (task === "captioning") {
                  // lmms-eval's captioning doc carries the multi-choice question the judge answers from the caption
                  // (mc_question, mc_answer): the publisher's eval_captioning.py takes multi-choice.json's first
                  // question of the same video and dimension.
                  const m = mc?.get(videoId)?.get(dim);
                  if (!m)
                    throw new RowError(
                      `${sub.where}: no question for this video and dimension in questions/multi-choice.json, whose first one the captioning judge asks`,
                    );
                  Object.assign(doc, { mc_question: m.question, mc_answer: m.answer });
                }
                return tempcompassItem(task, i, doc);
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
    if (task === "captioning") return { parsed: "", correct: false, matched: false }; // only the judge scores a caption
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
    { headline: accuracy("Captioning", categoryIs("task", "captioning")), paper: { metric: "Captioning", hourllava3b: null, hourllava7b: null } },
  ],
  paperNote: "Table 2 reports TempCompass multi-choice only (M-Avg); yes/no, caption matching and captioning have no paper figure.",
  lmms: {
    tasks: () => Object.fromEntries(TASKS.map((t) => [LMMS_TASK[t], lmmsTask(t)])),
    // tempcompass_process_results_*: the same record under avg_accuracy and under "<dim>_accuracy". Answers left
    // unjudged never get here (lmms-logs.ts leaves them out).
    processResults(item, row) {
      const d = item.lmms!.doc as { video_id: string; question: string; answer: string; dim: string; mc_answer?: string };
      const last = row.judge ? (row.judge.outputs[row.judge.outputs.length - 1] ?? "") : undefined;
      let rec: Record<string, unknown>;
      if (item.extra?.task === "captioning") {
        const v = parseCaptioningOutput(last ?? "", d.mc_answer!);
        rec = {
          video_id: d.video_id,
          question: d.question,
          "chatgpt-reasoning": v["chatgpt-reasoning"],
          "chatgpt-answer": v["chatgpt-answer"],
          "video-llm-prediction": row.prediction,
          "gt-answer": d.mc_answer,
          rating: v.rating,
          dim: d.dim,
        };
      } else {
        // A judged answer: llm_output_to_rating, or 0 where no try gave a readable verdict; chatgpt_response only
        // where the last output is not empty (`if chatgpt_response:`).
        const rating = last !== undefined ? (fallbackRating(last) ?? 0) : row.correct ? 1 : 0;
        rec = {
          video_id: d.video_id,
          question: d.question,
          "gt-answer": d.answer,
          "video-llm-prediction": row.prediction,
          match_success: row.matched,
          rating,
          ...(last ? { chatgpt_response: last } : {}),
          dim: d.dim,
        };
      }
      return { avg_accuracy: rec, [`${d.dim}_accuracy`]: rec };
    },
  },
  judge: tempcompassJudge(),
};

/** One question as lmms-eval's doc has it (video_id, dim, question, answer; captioning also mc_question, mc_answer),
 * the i-th of its video and dimension in its task. */
function tempcompassItem(task: Task, i: number, doc: Record<string, unknown>, docId = 0): BenchItem {
  const { video_id: videoId, dim, question, answer } = doc as { video_id: string; dim: string; question: string; answer: string };
  return {
    id: `${task}/${videoId}/${dim}/${i}`,
    videoId,
    videoPath: `videos/${videoId}.mp4`,
    prompt: question + ANSWER_PROMPT[task],
    answer,
    categories: { task, dim },
    extra: { task, question, ...(task === "captioning" ? { mcQuestion: doc.mc_question, mcAnswer: doc.mc_answer } : {}) },
    lmms: { task: LMMS_TASK[task], docId, doc, target: answer },
  };
}

/** The Hugging Face copy (lmms-eval/TempCompass, formerly lmms-lab/TempCompass): one config per task, named as the
 * task files are (multi-choice, yes_no, caption_matching, captioning), split test, `<config>/test-*.parquet`; one row
 * per question (video_id, question, answer, dim; captioning also mc_question, mc_answer, which lmms-eval's judge
 * reads from the row). */
const hfCopy = (task: Task): HfCopy => ({ repos: ["lmms-eval/TempCompass", "lmms-lab/TempCompass"], split: "test", dirs: [task] });

/** The copy's tasks, as items equal to the publisher's: the same ids (i counts the rows of the same video and
 * dimension in the copy's order, the publisher's list index where the copy keeps its order) and prompts; doc_id is
 * the row's index in the task's split. */
async function tempcompassFromHf(dataDir: string): Promise<{ items: BenchItem[]; problems: string[] } | undefined> {
  const found = TASKS.map((task) => ({ task, hf: findHfCopy(dataDir, hfCopy(task)) }));
  if (found.every((f) => !f.hf)) return undefined;
  const items: BenchItem[] = [];
  const problems: string[] = [];
  for (const { task, hf } of found) {
    if (!hf) {
      problems.push(`${hfCopyLooked(dataDir, hfCopy(task))}: missing (task ${task} not evaluated)`);
      continue;
    }
    const seen = new Map<string, number>();
    items.push(
      ...collect(
        await hfRows(hf),
        (r, index): BenchItem[] => {
          const videoId = str(r, "video_id");
          checked(r, unsafeId(videoId));
          const dim = str(r, "dim");
          const key = JSON.stringify([videoId, dim]);
          const i = seen.get(key) ?? 0;
          seen.set(key, i + 1);
          const doc: Record<string, unknown> = {
            ...(r.value as Record<string, unknown>),
            video_id: videoId,
            dim,
            question: str(r, "question"),
            answer: str(r, "answer"),
          };
          if (task === "captioning") Object.assign(doc, { mc_question: str(r, "mc_question"), mc_answer: str(r, "mc_answer") });
          return [tempcompassItem(task, i, doc, index)];
        },
        problems,
      ),
    );
  }
  return { items, problems };
}

/** When lmms-eval asks its judge (tempcompass-judge.ts) and how it reads the verdict. */
function tempcompassJudge(): JudgePort {
  return {
    request(item, row) {
      const task = item.extra?.task as Task;
      if (task === "captioning")
        // get_eval_result_for_captioning: one request; every output is read (an empty one as rating -1).
        return { system: JUDGE_SYSTEM, prompt: captioningPrompt(row.prediction, item.extra!.mcQuestion as string), tries: 1, readable: () => true };
      if (row.matched) return undefined;
      return {
        system: JUDGE_SYSTEM,
        prompt: fallbackPrompt(task, item.extra!.question as string, item.answer, row.prediction),
        tries: FALLBACK_TRIES,
        readable: (out) => fallbackRating(out) !== undefined,
      };
    },
    verdict(item, row: ResultRow, output) {
      if (item.extra?.task === "captioning") {
        const v = parseCaptioningOutput(output, item.extra.mcAnswer as string);
        return { parsed: v["chatgpt-answer"] ?? "", correct: v.rating === 1 };
      }
      const rating = fallbackRating(output);
      return { parsed: rating === undefined ? "" : rating === 1 ? "Correct" : "Incorrect", correct: rating === 1 };
    },
  };
}

/** questions/multi-choice.json by video and dimension: the first question of each (what the captioning judge asks). */
function mcQuestions(dataDir: string): Map<string, Map<string, { question: string; answer: string }>> {
  const out = new Map<string, Map<string, { question: string; answer: string }>>();
  const file = join(dataDir, "questions", "multi-choice.json");
  if (!existsSync(file)) return out;
  const all = jsonFile(file);
  if (all === null || typeof all !== "object" || Array.isArray(all)) return out;
  for (const [videoId, dims] of Object.entries(all as Record<string, unknown>)) {
    if (dims === null || typeof dims !== "object" || Array.isArray(dims)) continue;
    for (const [dim, qs] of Object.entries(dims as Record<string, unknown>)) {
      const q = Array.isArray(qs) ? (qs[0] as { question?: unknown; answer?: unknown } | undefined) : undefined;
      if (q && typeof q.question === "string" && typeof q.answer === "string") {
        if (!out.has(videoId)) out.set(videoId, new Map());
        out.get(videoId)!.set(dim, { question: q.question, answer: q.answer });
      }
    }
  }
  return out;
}

// The lmms-eval task names (tempcompass_mc.yaml's task is tempcompass_multi_choice); each is reported as a task of
// its own, as the group `tempcompass` lists them.
const LMMS_TASK: Record<Task, string> = {
  "multi-choice": "tempcompass_multi_choice",
  yes_no: "tempcompass_yes_no",
  caption_matching: "tempcompass_caption_matching",
  captioning: "tempcompass_captioning",
};
const METRICS = ["avg_accuracy", "speed_accuracy", "direction_accuracy", "action_accuracy", "order_accuracy", "attribute_change_accuracy"];

/** tempcompass_aggregate_rating: (ratings equal to 1) / len × 100. */
const aggregateRating = (values: unknown[]) => pyFloat((values.filter((v) => (v as { rating: number }).rating === 1).length / values.length) * 100);

function lmmsTask(t: Task): LmmsTaskSpec {
  const fn = { "multi-choice": "multi_choice", yes_no: "yes_no", caption_matching: "caption_matching", captioning: "captioning" }[t];
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
      lmms_eval_specific_kwargs: { pre_prompt: "", post_prompt: { ...ANSWER_PROMPT } },
    }),
  };
}
