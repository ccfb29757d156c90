// `hourllava eval <benchmark> --data <dir>`: a long-video benchmark with resumable results, a report and the
// paper's figures beside it. Thin: the work is in src/bench-eval.
import { join } from "node:path";
import type { Command } from "commander";
import { BENCHMARKS, benchmarkNamed } from "../bench-eval/benchmarks/index.ts";
import { writeEvalReport } from "../bench-eval/report.ts";
import { runBenchmark } from "../bench-eval/run.ts";
import { parseShard, type Shard } from "../bench-eval/select.ts";
import { open, withModelOptions, type CommonOpts } from "./model-options.ts";
import { encodeSettings, encodeThroughFarm, withQueueOptions } from "./encode-farm.ts";
import { intOption } from "./options.ts";
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
    .action(async (name: string, o: EvalOpts) => {
      const variants = [o.subtitles ? "subtitles" : "", o.interleaved ? "interleaved" : ""].filter(Boolean);
      if (variants.length > 1) throw new Error("--subtitles and --interleaved are for different benchmarks; give one");
      const bench = benchmarkNamed(name, variants[0]);
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
      });
      writeEvalReport(out, bench, run, {
        model: app.modelDir,
        command: `hourllava ${process.argv.slice(2).join(" ")}`,
        settings: runSettings,
        preset: o.promptPreset,
        limit: o.limit,
      });
      const heads = bench.headlines.map(({ headline }) => `${headline.label} ${headline.compute(run.rows).toFixed(1)}`).join(", ");
      const issues = [
        run.missing.length ? `${run.missing.length} videos missing` : "",
        run.failed.length ? `${run.failed.length} videos not encodable` : "",
        run.problems.length ? `${run.problems.length} annotation rows not used` : "",
      ].filter(Boolean);
      process.stdout.write(
        `${bench.name}: ${run.rows.length}/${run.selected} answered; ${heads}${issues.length ? `; ${issues.join(", ")}` : ""}; report in ${join(out, "report.md")}\n`,
      );
    });
}
