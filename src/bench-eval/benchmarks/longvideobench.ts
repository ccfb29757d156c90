// LongVideoBench validation set (lmms-eval task `longvideobench_val_v`): the publisher's lvb_val.json (id,
// video_id, video_path, question, candidates, correct_choice, duration_group, question_category, …; the
// Hugging Face parquet's option0..option4 are read too) and the videos as videos/<video_path>.
import { extractLongVideoBench } from "../answer-parse.ts";
import { annotationFile, unsafeRelPath } from "../data-files.ts";
import { accuracy } from "../headlines.ts";
import { LETTERS, RowError, checked, collect, int, jsonArrayRows, optional, str, strList, type Row } from "../rows.ts";
import type { BenchItem, Benchmark } from "../types.ts";

const ANNOTATIONS = "lvb_val.json";
const LAYOUT = `${ANNOTATIONS} and videos/<video_path> under --data`;
const POST_PROMPT = "Answer with the option's letter from the given choices directly.\n";

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

export const longvideobench: Benchmark = {
  name: "longvideobench",
  title: "LongVideoBench (val)",
  layout: LAYOUT,
  dimensions: ["duration_group", "question_category"],
  maxNewTokens: 32,
  async load(dataDir) {
    const file = annotationFile(dataDir, ANNOTATIONS, "longvideobench", LAYOUT);
    const problems: string[] = [];
    const items = collect(
      jsonArrayRows(file),
      (r): BenchItem[] => {
        const videoPath = str(r, "video_path");
        checked(r, unsafeRelPath(videoPath));
        const cands = candidates(r);
        const correct = int(r, "correct_choice");
        if (correct < 0 || correct >= cands.length) throw new RowError(`${r.where}: correct_choice ${correct} is not an index of its ${cands.length} options`);
        const letters = cands.map((_, i) => LETTERS[i]);
        return [
          {
            id: str(r, "id"),
            videoId: str(r, "video_id"),
            videoPath: `videos/${videoPath}`,
            prompt: `${str(r, "question")}\n${cands.map((c, i) => `${letters[i]}. ${c}`).join("\n")}\n${POST_PROMPT}`,
            answer: letters[correct],
            categories: { duration_group: str(r, "duration_group"), question_category: str(r, "question_category") },
            extra: { letters },
          },
        ];
      },
      problems,
    );
    return { items, problems };
  },
  score(item, prediction) {
    const { letter, matched } = extractLongVideoBench(prediction, item.extra?.letters as string[], item.id);
    return { parsed: letter, matched, correct: letter === item.answer };
  },
  headlines: [{ headline: accuracy("Overall"), paper: { metric: "M-Avg", hourllava3b: 57.8, hourllava7b: 60.4 } }],
  paperNote: "lmms-eval's LongVideoBench score is accuracy over all questions; an unparsable answer gets a random letter (seeded by question id here).",
};
