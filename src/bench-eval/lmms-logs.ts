// lmms-eval-shaped outputs beside our report, so a run can be compared line by line with an lmms-eval run of the
// same task (lmms-eval 75571cfe0fa36ca5ec2e6aa2bb268f9d38295af3):
//  - lmms_eval_results.json: the aggregated results in the layout of lmms_eval/evaluator.py's results_dict
//    (results keyed by task, "<metric>,none" and its "_stderr" / "_stderr_clt" / "_stderr_clustered" keys as
//    lmms_eval/evaluator_utils.py consolidate_results names them; group_subtasks, configs, versions, n-shot,
//    higher_is_better, n-samples, config), then task_hashes and the general config tracker's fields as
//    lmms_eval/loggers/evaluation_tracker.py save_results_aggregated adds them;
//  - samples_<task>.jsonl: one line per answered doc in doc_id order, as save_results_samples writes --log_samples at
//    that commit: doc_id, target (str), filtered_resps (resps dropped when equal, as there: llava_vid returns the
//    stripped text, which is also what is scored), token_counts, doc_hash, the task's process_results fields, and
//    input (the prompt; `doc` and `arguments` are popped there before writing).
// Answers that need lmms-eval's LLM judge and have no verdict (no --judge) are left out of both (so no metric counts
// them wrong) and listed under hourllava.unjudged; judged ones carry the verdict fields lmms-eval's process_results
// writes (TempCompass: rating, chatgpt_response / chatgpt-answer, chatgpt-reasoning).
// Both are rebuilt whole from results.jsonl at the end of every invocation and written atomically, so a resumed run
// ends with the same files as an uninterrupted one. Fields that cannot be the same across a resume (date, start and
// end times) are left out.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.ts";
import { LMMS_EVAL_COMMIT, type PromptPreset } from "./lmms-eval.ts";
import { PyFloat, npStdDdof1, pyFloat, pyJsonDumps, pySum } from "./py-compat.ts";
import type { BenchItem, Benchmark, LmmsTaskSpec, ResultRow } from "./types.ts";

export const LMMS_RESULTS_FILE = "lmms_eval_results.json";
export const samplesFile = (task: string) => `samples_${task}.jsonl`;

export interface LmmsLogInput {
  bench: Benchmark;
  /** The selected questions (after --shard and --limit) and the answered ones among them. */
  items: readonly BenchItem[];
  rows: readonly ResultRow[];
  /** Every doc each task has in the annotation files (n-samples' "original"). */
  docsPerTask: Record<string, number>;
  model: string;
  preset: PromptPreset;
  limit?: number;
  settings: Record<string, unknown>;
  /** The judge that scored the judged answers (null or absent: none). */
  judge?: { url: string | null; model: string | null } | null;
}

const hashString = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** lmms_eval/utils.py sanitize_model_name: the last two path parts, runs of "<>:/|\?*[] replaced by "__". */
export function sanitizeModelName(name: string): string {
  const parts = name.split("/");
  const lastTwo = parts.length > 1 ? parts.slice(-2).join("/") : parts[0];
  return lastTwo.replace(/["<>:/|\\?*[\]]+/g, "__");
}

type Sample = Record<string, unknown> & { doc_id: number };

/** The per-doc lines of each task, in doc_id order. */
export function lmmsSamples(input: LmmsLogInput): Map<string, Sample[]> {
  const byId = new Map(input.items.map((it) => [it.id, it]));
  const out = new Map<string, Sample[]>();
  for (const row of input.rows) {
    const item = byId.get(row.id);
    if (!item?.lmms || row.unjudged) continue;
    const { task, docId, doc, target } = item.lmms;
    const sample: Sample = {
      doc_id: docId,
      target,
      filtered_resps: row.prediction,
      token_counts: [null], // llava_vid's generate_until returns plain strings, so no per-request counts
      doc_hash: hashString(pyJsonDumps(doc, 2)),
      ...input.bench.lmms.processResults(item, row),
      input: item.prompt,
    };
    out.set(task, [...(out.get(task) ?? []), sample]);
  }
  for (const list of out.values()) list.sort((a, b) => a.doc_id - b.doc_id);
  return out;
}

const isNumeric = (x: unknown): x is number | boolean => typeof x === "number" || typeof x === "boolean";
const num = (x: unknown) => (typeof x === "boolean" ? (x ? 1 : 0) : x instanceof PyFloat ? x.value : (x as number));

/** lmms-eval's registered `mean` (sum / len) and mean_stderr (sample stddev / sqrt(n)) in api/metrics.py. */
function mean(values: unknown[]): PyFloat {
  return pyFloat(pySum(values.map(num)) / values.length);
}
function meanStderr(values: unknown[]): PyFloat {
  const xs = values.map(num);
  const mu = pySum(xs) / xs.length;
  return pyFloat(Math.sqrt(pySum(xs.map((x) => (x - mu) * (x - mu))) / (xs.length - 1)) / Math.sqrt(xs.length));
}

/** api/metrics.py clustered_stderr (arXiv 2411.00640, eq. 4), with Python's sum. */
function clusteredStderr(scores: number[], ids: unknown[]): number {
  const n = scores.length;
  const sBar = pySum(scores) / n;
  const seClt2 = pySum(scores.map((s) => (s - sBar) * (s - sBar))) / (n - 1) / n;
  const clusters = new Map<unknown, number[]>();
  scores.forEach((s, i) => clusters.set(ids[i], [...(clusters.get(ids[i]) ?? []), s]));
  let cross = 0;
  for (const cs of clusters.values()) {
    const d = cs.map((s) => s - sBar);
    const sum = pySum(d);
    cross += sum * sum - pySum(d.map((x) => x * x));
  }
  cross /= n * n;
  return Math.sqrt(seClt2 + cross);
}

/** One task's entry of `results`, keyed as consolidate_results keys it (its `samples` count is popped there too). */
export function taskResults(task: string, spec: LmmsTaskSpec, samples: readonly Sample[]): Record<string, unknown> {
  const metricValues = new Map<string, unknown[]>();
  for (const s of samples)
    for (const [k, v] of Object.entries(s)) {
      if (["doc_id", "target", "filtered_resps", "token_counts", "doc_hash", "input"].includes(k)) continue;
      metricValues.set(k, [...(metricValues.get(k) ?? []), v]);
    }
  const entry: Record<string, unknown> = { alias: task };
  for (const [metric, values] of metricValues) {
    const m = spec.metrics.find((x) => x.name === metric);
    if (!m) {
      // A process_results key with no aggregation (LongVideoBench's `submission`): agg_metrics is a
      // defaultdict(list), so lmms-eval reports it as [] with an [] stderr.
      entry[`${metric},none`] = [];
      entry[`${metric}_stderr,none`] = [];
      continue;
    }
    entry[`${metric},none`] = m.aggregate === "mean" ? mean(values) : m.aggregate(values);
    // stderr_for_metric: only `mean` (mean_stderr) among these tasks' aggregations has one; custom ones get "N/A".
    entry[`${metric}_stderr,none`] = m.aggregate === "mean" && values.length > 1 ? meanStderr(values) : "N/A";
    // calculate_clt_aggregate_metric: numbers, or dicts carrying the score key ("score"); the cluster key's value.
    const scores: number[] = [];
    const ids: unknown[] = [];
    for (const v of values) {
      if (isNumeric(v)) {
        scores.push(num(v));
        ids.push(null);
      } else if (v && typeof v === "object" && "score" in v) {
        const d = v as Record<string, unknown>;
        scores.push(num(d.score));
        ids.push(spec.clusterKey ? (d[spec.clusterKey] ?? null) : null);
      }
    }
    const n = scores.length;
    entry[`${metric}_stderr_clt,none`] = n > 1 ? pyFloat(npStdDdof1(scores) / Math.sqrt(n)) : "N/A";
    const valid = ids.filter((c) => c !== null);
    entry[`${metric}_stderr_clustered,none`] = valid.length && new Set(valid).size > 1 && n > 1 ? pyFloat(clusteredStderr(scores, ids)) : "N/A";
  }
  return entry;
}

const sortedObj = <T>(o: Record<string, T>): Record<string, T> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The results JSON and the samples lines of a run. */
export function lmmsEvalLogs(input: LmmsLogInput): { results: Record<string, unknown>; samples: Map<string, Sample[]>; tasks: string[] } {
  const specs = input.bench.lmms.tasks(input.preset);
  const tasks = Object.keys(specs).filter((t) => (input.docsPerTask[t] ?? 0) > 0);
  const samples = lmmsSamples(input);
  const selected = new Map<string, number>();
  for (const it of input.items) if (it.lmms) selected.set(it.lmms.task, (selected.get(it.lmms.task) ?? 0) + 1);
  const per = <T>(f: (t: string) => T) => Object.fromEntries(tasks.map((t) => [t, f(t)]));
  const results = {
    results: sortedObj(per((t) => taskResults(t, specs[t], samples.get(t) ?? []))),
    group_subtasks: Object.fromEntries([...tasks].reverse().map((t) => [t, []])),
    configs: sortedObj(per((t) => specs[t].config)),
    // ConfigurableTask's VERSION: the yaml's metadata is a list (or absent) in these tasks, so "Yaml".
    versions: sortedObj(per(() => "Yaml")),
    "n-shot": sortedObj(per(() => 0)),
    higher_is_better: sortedObj(per((t) => Object.fromEntries(specs[t].metrics.map((m) => [m.name, true])))),
    "n-samples": per((t) => ({ original: input.docsPerTask[t], effective: selected.get(t) ?? 0 })),
    config: {
      model: "hourllava",
      model_args: `pretrained=${input.model}`,
      batch_size: 1,
      batch_sizes: [],
      limit: input.limit ?? null,
      bootstrap_iters: 100000,
    },
    // The lmms-eval code this port follows (lmms-eval writes its checkout's `git describe --always` here).
    git_hash: LMMS_EVAL_COMMIT,
    lmms_eval_version: `hourllava-port@${LMMS_EVAL_COMMIT.slice(0, 8)}`,
    task_hashes: per((t) => hashString((samples.get(t) ?? []).map((s, i) => `sample_${i}${s.doc_hash as string}`).join(""))),
    model_source: "hourllava",
    model_name: input.model,
    model_name_sanitized: sanitizeModelName(input.model),
    system_instruction: null,
    system_instruction_sha: null,
    fewshot_as_multiturn: false,
    chat_template: null,
    chat_template_sha: null,
    lmms_eval_commit: LMMS_EVAL_COMMIT,
    hourllava: {
      benchmark: input.bench.name,
      variant: input.bench.variant ?? null,
      prompt_preset: input.preset,
      settings: input.settings,
      samples_files: Object.fromEntries(tasks.map((t) => [t, samplesFile(t)])),
      // The LLM judge (lmms-eval's is gpt-3.5-turbo-1106), and per task the answers left out for want of one.
      judge: input.judge?.model ? { url: input.judge.url, model: input.judge.model } : null,
      unjudged: Object.fromEntries(tasks.map((t) => [t, unjudgedIds(input, t)]).filter(([, ids]) => ids.length > 0)),
    },
  };
  return { results, samples, tasks };
}

function unjudgedIds(input: LmmsLogInput, task: string): string[] {
  const byId = new Map(input.items.map((it) => [it.id, it]));
  return input.rows.filter((r) => r.unjudged && byId.get(r.id)?.lmms?.task === task).map((r) => r.id);
}

/** Writes lmms_eval_results.json and samples_<task>.jsonl into outDir (atomically); returns the file names. */
export function writeLmmsEvalLogs(outDir: string, input: LmmsLogInput): string[] {
  const { results, samples, tasks } = lmmsEvalLogs(input);
  const files = [LMMS_RESULTS_FILE];
  writeFileAtomic(join(outDir, LMMS_RESULTS_FILE), pyJsonDumps(results, 2));
  for (const task of tasks) {
    const lines = (samples.get(task) ?? []).map((s) => pyJsonDumps(s) + "\n").join("");
    writeFileAtomic(join(outDir, samplesFile(task)), lines);
    files.push(samplesFile(task));
  }
  return files;
}

/** Gives each item its doc_id: its position among the loaded items of its task (annotation order). */
export function numberDocs(items: readonly BenchItem[]): void {
  const next = new Map<string, number>();
  for (const it of items)
    if (it.lmms) {
      it.lmms.docId = next.get(it.lmms.task) ?? 0;
      next.set(it.lmms.task, it.lmms.docId + 1);
    }
}

/** A task config's comparable fields, in TaskConfig's field order; absent ones left out as to_dict leaves None. */
export function taskConfig(c: {
  task: string;
  dataset_path: string;
  dataset_name?: string;
  test_split: string;
  doc_to_visual: string;
  doc_to_text: string;
  doc_to_target: string;
  process_results: string;
  metric_list: { metric: string; aggregation: string }[];
  /** Absent where the yaml sets none: TaskConfig then generates greedily until the few-shot delimiter. */
  generation_kwargs?: Record<string, unknown>;
  cluster_key?: string;
  /** Absent where the yaml sets none (mlvu_test): to_dict leaves the None out. */
  lmms_eval_specific_kwargs?: Record<string, unknown>;
}): Record<string, unknown> {
  const gen: Record<string, unknown> = c.generation_kwargs ? { ...c.generation_kwargs } : { until: ["\n\n"], do_sample: false };
  // TaskConfig.__post_init__: temperature becomes a float, and `until` defaults to the few-shot delimiter.
  if ("temperature" in gen) gen.temperature = pyFloat(gen.temperature as number);
  if (!("until" in gen)) gen.until = ["\n\n"];
  return {
    task: c.task,
    dataset_path: c.dataset_path,
    ...(c.dataset_name ? { dataset_name: c.dataset_name } : {}),
    test_split: c.test_split,
    doc_to_visual: c.doc_to_visual,
    doc_to_text: c.doc_to_text,
    doc_to_target: c.doc_to_target,
    process_results: c.process_results,
    metric_list: c.metric_list.map((m) => ({ ...m, higher_is_better: true })),
    output_type: "generate_until",
    generation_kwargs: gen,
    repeats: 1,
    ...(c.cluster_key ? { cluster_key: c.cluster_key } : {}),
    score_key: "score",
    ...(c.lmms_eval_specific_kwargs ? { lmms_eval_specific_kwargs: c.lmms_eval_specific_kwargs } : {}),
  };
}
