// Video-MME without subtitles (lmms-eval task `videomme`): the Hugging Face release's parquet
// (lmms-lab/Video-MME: video_id, duration, domain, sub_category, videoID, question_id, task_type, question,
// options ["A. …", …], answer) and the videos as data/<videoID>.mp4.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { extractVideoMme, letterScore } from "../answer-parse.ts";
import { annotationFile, unsafeId } from "../data-files.ts";
import { accuracy, categoryIs } from "../headlines.ts";
import { checked, collect, parquetRows, str, strList } from "../rows.ts";
import type { BenchItem, Benchmark } from "../types.ts";

const ANNOTATIONS = "videomme/test-00000-of-00001.parquet";
const LAYOUT = `${ANNOTATIONS} and data/<videoID>.mp4 under --data`;

// videomme_doc_to_text, the frames-only form its comments give (the subtitle variants are other tasks).
const OPTION_PROMPT =
  "Select the best answer to the following multiple-choice question based on the video. Respond with only the letter (A, B, C, or D) of the correct option.";
const POST_PROMPT = "The best answer is:";

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
  async load(dataDir) {
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
            prompt: `${OPTION_PROMPT}\n${str(r, "question")}\n${options.join("\n")}\n${POST_PROMPT}`,
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
