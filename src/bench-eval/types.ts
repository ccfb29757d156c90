// What every benchmark module provides: its questions read from the publisher's files, the prompt lmms-eval
// sends, the rule that scores an answer, its categories, and the paper's numbers beside which it is reported.
import type { PromptPreset } from "./lmms-eval.ts";
import type { PyFloat } from "./py-compat.ts";

/** One question, as the harness runs it. */
export interface BenchItem {
  /** Unique within the benchmark: the publisher's question id where it has one. */
  id: string;
  /** The publisher's video id, and the video file relative to --data (checked to stay inside it). */
  videoId: string;
  videoPath: string;
  /** The user turn sent to the model, built as lmms-eval's task does. */
  prompt: string;
  /** The gold answer in the form the scorer compares ("B", "yes", "Sentence A: …"). */
  answer: string;
  /** Category values for the tables ({ duration: "short" }); a list when a question has several. */
  categories: Record<string, string | string[]>;
  /** What the scorer needs besides the answer (option letters, the question text, the task). */
  extra?: Record<string, unknown>;
  /** Where the question sits in lmms-eval's task, for the lmms-eval-shaped logs (lmms-logs.ts). */
  lmms?: LmmsDoc;
}

/** One doc of an lmms-eval task. */
export interface LmmsDoc {
  /** lmms-eval's task name (`videomme`, `videomme_w_subtitle`, `longvideobench_val_i`, `tempcompass_yes_no`…). */
  task: string;
  /** The doc's index in the task's split: its position in the publisher's annotation file (Video-MME: the parquet
   * row), equal to lmms-eval's doc_id where lmms-eval's copy of the dataset keeps the publisher's order. */
  docId: number;
  /** The annotation row as read; lmms-eval hashes its doc into `doc_hash`. */
  doc: Record<string, unknown>;
  /** doc_to_target, as lmms-eval writes it (`str()`). */
  target: string;
}

/** One entry of a task yaml's metric_list: lmms-eval's registered `mean`, or the task's own aggregation. */
export interface LmmsMetric {
  name: string;
  aggregate: "mean" | ((values: unknown[]) => number | PyFloat);
}

export interface LmmsTaskSpec {
  metrics: LmmsMetric[];
  /** The fields of the task yaml worth comparing (task, dataset, split, generation_kwargs, metric_list, the preset's
   * lmms_eval_specific_kwargs…); functions as the yaml names them (`!function utils.…`). */
  config: Record<string, unknown>;
  /** The yaml's cluster_key (clustered standard error), where it sets one. */
  clusterKey?: string;
}

/** What lmms-eval's task code does with an answer, for the logs: the tasks and their process_results. */
export interface LmmsEvalPort {
  /** The lmms-eval tasks this benchmark (variant) runs, by name, for the given prompt preset. */
  tasks(preset: PromptPreset): Record<string, LmmsTaskSpec>;
  /** The task's process_results for one answered question: metric name → the value lmms-eval logs and aggregates. */
  processResults(item: BenchItem, row: ResultRow): Record<string, unknown>;
}

/** How one prediction scored: `parsed` is what the rule read from it; `matched` false when no rule applied. */
export interface Scored {
  parsed: string;
  correct: boolean;
  matched: boolean;
}

export interface LoadResult {
  items: BenchItem[];
  /** Rows that could not be used, "file:line: why" (malformed, unsafe video id…): counted and listed. */
  problems: string[];
}

/** A result line of results.jsonl (no timings, so a resumed run writes the same file as an uninterrupted one). */
export interface ResultRow {
  id: string;
  video_id: string;
  answer: string;
  /** The model's answer stripped of surrounding whitespace, as lmms-eval's llava_vid returns it. */
  prediction: string;
  /** The answer as generated, only when stripping changed it. */
  raw_prediction?: string;
  parsed: string;
  matched: boolean;
  correct: boolean;
  categories: Record<string, string | string[]>;
  /** Never in results.jsonl; set in memory after the judge pass (judge.ts): the verdict for an answer that lmms-eval
   * sends to its LLM judge (from the verdict cache or asked now), `parsed` and `correct` then being the verdict's. */
  judge?: JudgeVerdict;
  /** Never in results.jsonl: an answer that needs lmms-eval's judge and has none (no --judge). It is left out of
   * every score and of the lmms-eval logs, and listed, rather than counted wrong. */
  unjudged?: true;
}

/** What the judge said about one answer. */
export interface JudgeVerdict {
  model: string;
  /** Each output asked for, in order (lmms-eval asks again while it cannot read one); the last one is the verdict. */
  outputs: string[];
}

/** A request lmms-eval's task code sends to its LLM judge for one answer. */
export interface JudgeRequest {
  /** The system message and the user prompt, byte-equal to lmms-eval's. */
  system: string;
  prompt: string;
  /** How often lmms-eval asks when it cannot read the output (1 + its maxtry). */
  tries: number;
  /** Whether lmms-eval can read a verdict from this output (else it asks again, up to `tries`). */
  readable(output: string): boolean;
}

/** lmms-eval's LLM-judged scoring of a benchmark: which answers it sends to its judge, and how it reads the verdict. */
export interface JudgePort {
  /** The judge request for this answer, or undefined when lmms-eval's rules score it without a judge. */
  request(item: BenchItem, row: ResultRow): JudgeRequest | undefined;
  /** The answer as scored with the judge's last output. */
  verdict(item: BenchItem, row: ResultRow, output: string): { parsed: string; correct: boolean };
}

/** A figure of the paper (Table 2) for one metric, for Hour-LLaVA-3B and -7B; null where the paper has none. */
export interface PaperFigure {
  metric: string;
  hourllava3b: number | null;
  hourllava7b: number | null;
}

export interface Headline {
  label: string;
  /** Percent, or NaN when nothing was answered. */
  compute(rows: readonly ResultRow[]): number;
}

export interface Benchmark {
  name: string;
  /** The lmms-eval prompt variant this object runs (`subtitles`: Video-MME with subtitles; `interleaved`:
   * LongVideoBench with interleaved subtitles); absent for the plain task. */
  variant?: string;
  title: string;
  /** Where the files go under --data, for help and for errors. */
  layout: string;
  /** `preset`: lmms-eval's prompt preset (lmms_eval_specific_kwargs), default llava_vid. */
  load(dataDir: string, o?: { preset?: PromptPreset }): Promise<LoadResult>;
  score(item: BenchItem, prediction: string): Scored;
  /** Category dimensions, in table order. */
  dimensions: string[];
  /** The benchmark's own summary numbers (overall, M-Avg, per duration group…), each beside the paper's. */
  headlines: { headline: Headline; paper: PaperFigure }[];
  /** lmms-eval's generation_kwargs.max_new_tokens for the task (llava_vid's 1024 where the task sets none). */
  maxNewTokens: number;
  /** Why a paper figure is missing or differs in definition (printed under the table). */
  paperNote?: string;
  /** lmms-eval's task code for the lmms-eval-shaped logs. */
  lmms: LmmsEvalPort;
  /** lmms-eval's LLM judge for the answers its rules do not score (TempCompass); absent where lmms-eval has none. */
  judge?: JudgePort;
}
