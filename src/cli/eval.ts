// `hourllava eval <benchmark> --data <dir>`: a long-video benchmark with resumable results, a report and the
// paper's figures beside it. Thin: the work is in src/bench-eval.
import { join } from "node:path";
import type { Command } from "commander";
import { BENCHMARKS, benchmarkNamed } from "../bench-eval/benchmarks/index.ts";
import { writeEvalReport } from "../bench-eval/report.ts";
import { JUDGE_DEFAULTS, JudgeClient } from "../bench-eval/judge.ts";
import { runBenchmark, scoredRows } from "../bench-eval/run.ts";
import { parseShard, type Shard } from "../bench-eval/select.ts";
import { open, withModelOptions, type CommonOpts } from "./model-options.ts";
import { encodeSettings, encodeThroughFarm, withQueueOptions } from "./encode-farm.ts";
import { intOption, numOption } from "./options.ts";
import { DEFAULT_PROMPT_PRESET, LMMS_EVAL_COMMIT, PROMPT_PRESETS, parsePromptPreset, type PromptPreset } from "../bench-eval/lmms-eval.ts";

interface EvalOpts extends CommonOpts {
  data: string;
  out?: string;
  limit?: number;
  shard?: Shard;
  redis?: string;
  queueName: string;
  promptPreset: PromptPreset;
  subtitles?: boolean;
  interleaved?: boolean;
  split?: "dev" | "test";
  judge?: string;
  judgeModel?: string;
  judgeKeyEnv?: string;
  judgeVideo?: string;
  judgeTimeout: number;
  judgeConcurrency: number;
}

/** --split: MLVU's dev split (lmms-eval's mlvu_dev, the default) or its test split (mlvu_test). */
function parseSplit(v: string): "dev" | "test" {
  if (v !== "dev" && v !== "test") throw new Error(`--split: expected dev | test, got "${v}"`);
  return v;
}

/** Why a benchmark has no judged part at lmms-eval 75571cfe (for --judge given to it). */
const NO_JUDGE: Record<string, string> = {
  mlvu: "lmms-eval 75571cfe has no open-ended MLVU task (mlvu_dev and mlvu_test are multiple choice), so nothing is judged",
};

/** The judge from --judge/--judge-model/--judge-key-env/--judge-video, checked before any work starts. */
function judgeFrom(o: EvalOpts, benchName: string, judged: boolean): JudgeClient | undefined {
  if (!o.judge) {
    const stray = (["judgeModel", "judgeKeyEnv", "judgeVideo"] as const).find((k) => o[k] !== undefined);
    if (stray) throw new Error(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --judge <url>`);
    return undefined;
  }
  if (!judged)
    throw new Error(
      `--judge: ${benchName} has no LLM-judged part in lmms-eval ${LMMS_EVAL_COMMIT.slice(0, 8)}${NO_JUDGE[benchName] ? ` (${NO_JUDGE[benchName]})` : ""}; only tempcompass has one`,
    );
  return new JudgeClient({
    url: o.judge,
    model: o.judgeModel ?? "",
    keyEnv: o.judgeKeyEnv,
    video: o.judgeVideo,
    timeoutS: o.judgeTimeout,
    concurrency: o.judgeConcurrency,
  });
}

export function registerEvalCommands(program: Command): void {
  const names = Object.keys(BENCHMARKS).join(" | ");
  withQueueOptions(withModelOptions(program.command("eval <benchmark>").description(`long-video benchmark: ${names}`)))
    .requiredOption("--data <dir>", "the benchmark's folder, laid out as its publisher ships it (the error says which file goes where)")
    .option("--out <dir>", "results.jsonl (resumable), results.json, report.md, charts and lmms-eval-shaped logs (default runs/eval-<benchmark>[-<variant>])")
    .option("--limit <n>", "the first N questions (of the shard)", intOption("limit", 1))
    .option("--shard <i/n>", "every n-th video starting at the i-th (0-based), for runs split over machines", parseShard)
    .option("--max-tokens <n>", "longest answer (default: lmms-eval's for the task)", intOption("max-tokens", 1))
    .option(
      "--prompt-preset <name>",
      `lmms-eval's prompt preset: ${PROMPT_PRESETS.join(" | ")} (only Video-MME's differs)`,
      parsePromptPreset,
      DEFAULT_PROMPT_PRESET,
    )
    .option("--subtitles", "videomme: with subtitles (subtitle/<videoID>.srt), as lmms-eval's videomme_w_subtitle")
    .option("--interleaved", "longvideobench: subtitles interleaved (subtitles/<subtitle_path>), as lmms-eval's longvideobench_val_i")
    .option(
      "--split <name>",
      "mlvu: dev (default; lmms-eval's mlvu_dev) | test (lmms-eval's mlvu_test: test-ground-truth/test_mcq_gt.json, nine task types)",
      parseSplit,
    )
    .option(
      "--judge <url>",
      "tempcompass: an OpenAI-compatible endpoint (…/v1: OpenAI, vLLM, hourllava serve) as lmms-eval's LLM judge, for captioning and the answers its rules cannot read; without it those are listed as unjudged and left out of the scores",
    )
    .option("--judge-model <name>", "the judge's model name (lmms-eval's is gpt-3.5-turbo-1106)")
    .option("--judge-key-env <var>", "the environment variable holding the judge's API key (the key is never taken on the command line)")
    .option(
      "--judge-video <url>",
      "a video_url sent with every judge prompt, lmms-eval's system message left out: only for a judge that answers only about a video (not needed with hourllava serve, which answers lmms-eval's text-only request with its system message)",
    )
    .option(
      "--judge-timeout <s>",
      "seconds a judge request may take before it is retried",
      numOption("judge-timeout", { min: 0, exclusiveMin: true }),
      JUDGE_DEFAULTS.timeoutS,
    )
    .option("--judge-concurrency <n>", "judge prompts in flight at once", intOption("judge-concurrency", 1, 64), JUDGE_DEFAULTS.concurrency)
    .action(async (name: string, o: EvalOpts) => {
      if (o.split !== undefined && name !== "mlvu") throw new Error(`--split is for mlvu only, not ${name}`);
      const variants = [o.subtitles ? "subtitles" : "", o.interleaved ? "interleaved" : "", o.split === "test" ? "test" : ""].filter(Boolean);
      if (variants.length > 1) throw new Error("--subtitles, --interleaved and --split test are for different benchmarks; give one");
      const bench = benchmarkNamed(name, variants[0]);
      const judge = judgeFrom(o, name, bench.judge !== undefined);
      const out = o.out ?? join("runs", `eval-${name}${bench.variant ? `-${bench.variant}` : ""}`);
      const app = await open(o);
      const settings = encodeSettings(o, await app.modelId());
      const runSettings = {
        benchmark: name,
        ...settings,
        quant: o.quant ?? null,
        max_tokens: o.maxTokens ?? bench.maxNewTokens,
        prompt_preset: o.promptPreset,
        variant: bench.variant ?? null,
        lmms_eval_commit: LMMS_EVAL_COMMIT,
        shard: o.shard ? `${o.shard.index}/${o.shard.count}` : null,
      };
      const run = await runBenchmark(app, bench, {
        dataDir: o.data,
        outDir: out,
        limit: o.limit,
        shard: o.shard,
        ask: { maxNewTokens: o.maxTokens },
        preset: o.promptPreset,
        quiet: o.quiet,
        settings: runSettings,
        prepareVideos: o.redis ? (videos) => encodeThroughFarm(videos, settings, o) : undefined,
        judge,
      });
      writeEvalReport(out, bench, run, {
        model: app.modelDir,
        command: `hourllava ${process.argv.slice(2).join(" ")}`,
        settings: runSettings,
        preset: o.promptPreset,
        limit: o.limit,
      });
      const scored = scoredRows(run.rows);
      const fmt = (x: number) => (Number.isNaN(x) ? "n/a" : x.toFixed(1)); // nothing scored (e.g. all waiting for a judge)
      const heads = bench.headlines.map(({ headline }) => `${headline.label} ${fmt(headline.compute(scored))}`).join(", ");
      const issues = [
        run.judge ? `${run.rows.filter((r) => r.judge).length} judged by ${run.judge.model}` : "",
        run.unjudged.length ? `${run.unjudged.length} left unjudged (no --judge; not scored)` : "",
        run.missing.length ? `${run.missing.length} videos missing` : "",
        run.failed.length ? `${run.failed.length} videos not encodable` : "",
        run.problems.length ? `${run.problems.length} annotation rows not used` : "",
      ].filter(Boolean);
      process.stdout.write(
        `${bench.name}: ${run.rows.length}/${run.selected} answered; ${heads}${issues.length ? `; ${issues.join(", ")}` : ""}; report in ${join(out, "report.md")}\n`,
      );
    });
}
