// Video-MME (lmms-eval tasks `videomme`, and `videomme_w_subtitle` with --subtitles): the Hugging Face release's
// parquet (lmms-lab/Video-MME: video_id, duration, domain, sub_category, videoID, question_id, task_type, question,
// options ["A. …", …], answer), the videos as data/<videoID>.mp4 and, with subtitles, subtitle/<videoID>.srt (the
// publisher's subtitle.zip unpacked beside data/).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { extractVideoMme, letterScore } from "../answer-parse.ts";
import { unsafeId } from "../data-files.ts";
import { accuracy, categoryIs } from "../headlines.ts";
import { checked, collect, parquetRows, str, strList } from "../rows.ts";
import { hfRows, publisherOrHf, type HfCopy } from "../parquet-docs.ts";
import { DEFAULT_PROMPT_PRESET, type PromptPreset } from "../lmms-eval.ts";
import { pyFloat } from "../py-compat.ts";
import { taskConfig } from "../lmms-logs.ts";
import { videommeSubtitlePrompt, videommeSubtitleText } from "../videomme-subtitles.ts";
import type { BenchItem, Benchmark, LmmsEvalPort } from "../types.ts";

const ANNOTATIONS = "videomme/test-00000-of-00001.parquet";
const LAYOUT = `${ANNOTATIONS} and data/<videoID>.mp4 under --data`;
const LAYOUT_SUBS = `${ANNOTATIONS}, data/<videoID>.mp4 and subtitle/<videoID>.srt under --data`;
// The publisher's file is itself the Hugging Face copy's shard (config videomme, split test); a copy split into
// several shards, or laid out under data/ or at the snapshot's root, is read too.
const HF_COPY: HfCopy = { repos: ["lmms-eval/Video-MME", "lmms-lab/Video-MME"], split: "test", dirs: ["videomme", "data", ""] };

// videomme_doc_to_text (lmms-eval lmms_eval/tasks/videomme/utils.py at 75571cfe0fa36ca5ec2e6aa2bb268f9d38295af3):
// "{option_prompt}\n{question}\n{options joined by \n}\n{post_prompt}". Its option prompt names "the subtitles" even
// in this no-subtitle task (the frames-only wording is only in a comment there); sent as lmms-eval sends it.
// videomme_doc_to_text_subtitle uses the same option prompt.
const OPTION_PROMPT =
  "Select the best answer to the following multiple-choice question based on the video and the subtitles. Respond with only the letter (A, B, C, or D) of the correct option.";
// videomme.yaml lmms_eval_specific_kwargs post_prompt, per preset.
const POST_PROMPT: Record<PromptPreset, string> = {
  llava_vid: "The best answer is:",
  default: "\nAnswer with the option's letter from the given choices directly.",
};
// videomme_w_subtitle.yaml lmms_eval_specific_kwargs: frame_num per preset (its post_prompt is never used by
// videomme_doc_to_text_subtitle, which ends with "The best answer is:" whatever the preset).
const SUBTITLE_KWARGS: Record<PromptPreset, { frame_num: number; pre_prompt: string; post_prompt: string }> = {
  llava_vid: { frame_num: 768, pre_prompt: "", post_prompt: "\nAnswer the question using a single word or phrase." },
  default: { frame_num: 32, pre_prompt: "", post_prompt: "\nAnswer the question using a single word or phrase." },
};

/** lmms-eval's videomme_doc_to_visual also accepts .MP4 and .mkv files. */
function videoPathOf(dataDir: string, id: string): string {
  for (const ext of [".mp4", ".MP4", ".mkv"]) if (existsSync(join(dataDir, "data", id + ext))) return `data/${id}${ext}`;
  return `data/${id}.mp4`;
}

const task = (subtitles: boolean) => (subtitles ? "videomme_w_subtitle" : "videomme");

function lmmsPort(subtitles: boolean): LmmsEvalPort {
  return {
    tasks: (preset) => ({
      [task(subtitles)]: {
        metrics: [
          {
            name: "videomme_perception_score",
            // videomme_aggregate_results: 100 × (pred_answer == answer) / answered, 0 with nothing answered.
            aggregate: (values) => {
              const v = values as { pred_answer: string; answer: string }[];
              return v.length ? pyFloat((100 * v.filter((r) => r.pred_answer === r.answer).length) / v.length) : 0;
            },
          },
        ],
        ...(subtitles ? {} : { clusterKey: "videoID" }),
        config: taskConfig({
          task: task(subtitles),
          dataset_path: "lmms-eval/Video-MME",
          test_split: "test",
          doc_to_visual: "!function utils.videomme_doc_to_visual",
          doc_to_text: subtitles ? "!function utils.videomme_doc_to_text_subtitle" : "!function utils.videomme_doc_to_text",
          doc_to_target: "answer",
          process_results: "!function utils.videomme_process_results",
          metric_list: [{ metric: "videomme_perception_score", aggregation: "!function utils.videomme_aggregate_results" }],
          generation_kwargs: { max_new_tokens: 16, temperature: 0, top_p: pyFloat(1), num_beams: 1, do_sample: false },
          ...(subtitles ? {} : { cluster_key: "videoID" }),
          lmms_eval_specific_kwargs: subtitles ? SUBTITLE_KWARGS[preset] : { pre_prompt: "", post_prompt: POST_PROMPT[preset] },
        }),
      },
    }),
    // videomme_process_results: score is 1.0 when the extracted letter equals the answer ignoring case.
    processResults(item, row) {
      const d = item.lmms!.doc as Record<string, string>;
      return {
        videomme_perception_score: {
          question_id: d.question_id,
          duration: d.duration,
          category: d.domain,
          sub_category: d.sub_category,
          task_category: d.task_type,
          pred_answer: row.parsed,
          answer: d.answer,
          score: pyFloat(row.parsed.toLowerCase() === d.answer.toLowerCase() ? 1 : 0),
          videoID: d.videoID,
        },
      };
    },
  };
}

function videommeBenchmark(subtitles: boolean): Benchmark {
  return {
    name: "videomme",
    ...(subtitles ? { variant: "subtitles" } : {}),
    title: subtitles ? "Video-MME (with subtitles)" : "Video-MME (without subtitles)",
    layout: subtitles ? LAYOUT_SUBS : LAYOUT,
    dimensions: ["duration", "domain", "sub_category", "task_type"],
    maxNewTokens: 16,
    async load(dataDir, o) {
      const preset = o?.preset ?? DEFAULT_PROMPT_PRESET;
      const found = publisherOrHf(dataDir, [ANNOTATIONS], HF_COPY, "videomme", subtitles ? LAYOUT_SUBS : LAYOUT);
      const problems: string[] = [];
      const items = collect(
        "file" in found ? await parquetRows(found.file) : await hfRows(found.hf),
        (r, index): BenchItem[] => {
          const videoId = str(r, "videoID");
          checked(r, unsafeId(videoId));
          const options = strList(r, "options");
          const question = str(r, "question");
          return [
            {
              id: str(r, "question_id"),
              videoId,
              videoPath: videoPathOf(dataDir, videoId),
              prompt: `${OPTION_PROMPT}\n${question}\n${options.join("\n")}\n${POST_PROMPT[preset]}`,
              answer: str(r, "answer"),
              categories: { duration: str(r, "duration"), domain: str(r, "domain"), sub_category: str(r, "sub_category"), task_type: str(r, "task_type") },
              extra: { question, options },
              lmms: { task: task(subtitles), docId: index, doc: r.value as Record<string, unknown>, target: str(r, "answer") },
            },
          ];
        },
        problems,
      );
      if (!subtitles) return { items, problems };
      // One subtitle selection per video (its file and the video's frame timing are the same for every question).
      const frameNum = SUBTITLE_KWARGS[preset].frame_num;
      const text = new Map<string, string | Error>();
      for (const it of items)
        if (!text.has(it.videoId))
          text.set(
            it.videoId,
            await videommeSubtitleText(join(dataDir, "subtitle", `${it.videoId}.srt`), join(dataDir, "data", `${it.videoId}.mp4`), frameNum).catch(
              (e: Error) => e,
            ),
          );
      const kept: BenchItem[] = [];
      for (const it of items) {
        const t = text.get(it.videoId)!;
        if (t instanceof Error) {
          problems.push(`${t.message.split("\n")[0]}: question ${it.id} not evaluated`);
          continue;
        }
        const { question, options } = it.extra as { question: string; options: string[] };
        kept.push({ ...it, prompt: videommeSubtitlePrompt(OPTION_PROMPT, question, options, t) });
      }
      return { items: kept, problems };
    },
    score: letterScore(extractVideoMme),
    headlines: [
      {
        headline: accuracy("Overall"),
        paper: subtitles
          ? { metric: "Overall (w/ subs)", hourllava3b: null, hourllava7b: null }
          : { metric: "Overall (w/o subs)", hourllava3b: 60.6, hourllava7b: 63.6 },
      },
      {
        headline: accuracy("Short", categoryIs("duration", "short")),
        paper: { metric: subtitles ? "Short (w/ subs)" : "Short (w/o subs)", hourllava3b: null, hourllava7b: null },
      },
      {
        headline: accuracy("Medium", categoryIs("duration", "medium")),
        paper: subtitles
          ? { metric: "Medium (w/ subs)", hourllava3b: null, hourllava7b: null }
          : { metric: "Medium (w/o subs)", hourllava3b: 59.0, hourllava7b: 63.8 },
      },
      {
        headline: accuracy("Long", categoryIs("duration", "long")),
        paper: subtitles
          ? { metric: "Long (w/ subs)", hourllava3b: null, hourllava7b: null }
          : { metric: "Long (w/o subs)", hourllava3b: 52.1, hourllava7b: 55.0 },
      },
    ],
    paperNote: subtitles
      ? "The paper figures carried here (arXiv 2506.05332 Table 2) are Video-MME without subtitles; none is set for this with-subtitles run. Subtitle lines are selected as lmms-eval's videomme_w_subtitle selects them for its frame_num sampled frames (llava_vid 768, default 32), whatever frames this model samples."
      : "Table 2 of arXiv 2506.05332 does not report Video-MME Short.",
    lmms: lmmsPort(subtitles),
  };
}

export const videomme = videommeBenchmark(false);
export const videommeSubtitles = videommeBenchmark(true);
