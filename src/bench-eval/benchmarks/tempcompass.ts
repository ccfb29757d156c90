// TempCompass (lmms-eval tasks `tempcompass_multi_choice`, `tempcompass_yes_no`, `tempcompass_caption_matching`):
// the publisher's questions/<task>.json ({video_id: {dimension: [{question, answer}]}}) and videos/<video_id>.mp4.
// lmms-eval falls back to a gpt-3.5 judge when its rules cannot read an answer; there is no judge here, so
// such answers count as wrong and are listed as unmatched.
import { ruleTempCompassCaption, ruleTempCompassMc, ruleTempCompassYesNo } from "../answer-parse.ts";
import { taskFiles, unsafeId } from "../data-files.ts";
import { accuracy, categoryIs } from "../headlines.ts";
import { RowError, checked, collect, jsonFile, str } from "../rows.ts";
import type { BenchItem, Benchmark, Scored } from "../types.ts";

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
                };
              });
            });
          },
          problems,
        ),
      );
    }
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
};
