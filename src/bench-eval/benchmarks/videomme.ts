// Video-MME without subtitles (lmms-eval task `videomme`): the Hugging Face release's parquet
// (lmms-lab/Video-MME: video_id, duration, domain, sub_category, videoID, question_id, task_type, question,
// options ["A. …", …], answer) and the videos as data/<videoID>.mp4.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { extractVideoMme, letterScore } from "../answer-parse.ts";
import { annotationFile, unsafeId } from "../data-files.ts";
import { accuracy, categoryIs } from "../headlines.ts";
import { checked, collect, parquetRows, str, strList } from "../rows.ts";
import { DEFAULT_PROMPT_PRESET, type PromptPreset } from "../lmms-eval.ts";
import type { BenchItem, Benchmark } from "../types.ts";

const ANNOTATIONS = "videomme/test-00000-of-00001.parquet";
const LAYOUT = `${ANNOTATIONS} and data/<videoID>.mp4 under --data`;

// videomme_doc_to_text (lmms-eval lmms_eval/tasks/videomme/utils.py at 75571cfe0fa36ca5ec2e6aa2bb268f9d38295af3):
// "{option_prompt}\n{question}\n{options joined by \n}\n{post_prompt}". Its option prompt names "the subtitles" even
// in this no-subtitle task (the frames-only wording is only in a comment there); sent as lmms-eval sends it.
const OPTION_PROMPT =
  "Select the best answer to the following multiple-choice question based on the video and the subtitles. Respond with only the letter (A, B, C, or D) of the correct option.";
// videomme.yaml lmms_eval_specific_kwargs post_prompt, per preset.
const POST_PROMPT: Record<PromptPreset, string> = {
  llava_vid: "The best answer is:",
  default: "\nAnswer with the option's letter from the given choices directly.",
};

/** lmms-eval's videomme_doc_to_visual also accepts .MP4 and .mkv files. */
function videoPathOf(dataDir: string, id: string): string {
  for (const ext of [".mp4", ".MP4", ".mkv"]) if (existsSync(join(dataDir, "data", id + ext))) return `data/${id}${ext}`;
  return `data/${id}.mp4`;
}

export const videomme: Benchmark = {
  name: "videomme",
  title: "Video-MME (without subtitles)",
  layout: LAYOUT,
  dimensions: ["duration", "domain", "sub_category", "task_type"],
  maxNewTokens: 16,
  async load(dataDir, o) {
    const post = POST_PROMPT[o?.preset ?? DEFAULT_PROMPT_PRESET];
    const file = annotationFile(dataDir, ANNOTATIONS, "videomme", LAYOUT);
    const problems: string[] = [];
    const items = collect(
      await parquetRows(file),
      (r): BenchItem[] => {
        const videoId = str(r, "videoID");
        checked(r, unsafeId(videoId));
        const options = strList(r, "options");
        return [
          {
            id: str(r, "question_id"),
            videoId,
            videoPath: videoPathOf(dataDir, videoId),
            prompt: `${OPTION_PROMPT}\n${str(r, "question")}\n${options.join("\n")}\n${post}`,
            answer: str(r, "answer"),
            categories: { duration: str(r, "duration"), domain: str(r, "domain"), sub_category: str(r, "sub_category"), task_type: str(r, "task_type") },
          },
        ];
      },
      problems,
    );
    return { items, problems };
  },
  score: letterScore(extractVideoMme),
  headlines: [
    { headline: accuracy("Overall"), paper: { metric: "Overall (w/o subs)", hourllava3b: 60.6, hourllava7b: 63.6 } },
    { headline: accuracy("Short", categoryIs("duration", "short")), paper: { metric: "Short (w/o subs)", hourllava3b: null, hourllava7b: null } },
    { headline: accuracy("Medium", categoryIs("duration", "medium")), paper: { metric: "Medium (w/o subs)", hourllava3b: 59.0, hourllava7b: 63.8 } },
    { headline: accuracy("Long", categoryIs("duration", "long")), paper: { metric: "Long (w/o subs)", hourllava3b: 52.1, hourllava7b: 55.0 } },
  ],
  paperNote: "Table 2 of arXiv 2506.05332 does not report Video-MME Short.",
};
