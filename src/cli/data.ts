// `hourllava data …`: validate, stats, group and shard VideoMarathon files. Thin: parsing and progress
// only; the work is in src/data/.
import type { Command } from "commander";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createProgress } from "../util/progress.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { readRecords } from "../data/readers.ts";
import { Validator, formatReject, formatSummary, DEFAULT_MAX_DURATION_S, type Reject } from "../data/validate.ts";
import { StatsAccumulator, renderMarkdownReport } from "../data/stats.ts";
import { writeStatsPlots } from "../data/plots.ts";
import { groupFile } from "../data/grouping.ts";
import { shardFile } from "../data/shard-records.ts";
import { intOption, numOption } from "./options.ts";

const MAX_PRINTED_REJECTS = 20;

/** Prints the first rejects to stderr and all of them to a JSONL file when asked; never drops one silently. */
function rejectSink(rejectsFile?: string, quiet = false) {
  let printed = 0;
  const out = rejectsFile ? createWriteStream(rejectsFile) : undefined;
  return {
    onReject(r: Reject) {
      out?.write(JSON.stringify(r) + "\n");
      if (!quiet && printed < MAX_PRINTED_REJECTS) process.stderr.write(`reject: ${formatReject(r)}\n`);
      printed++;
      if (!quiet && printed === MAX_PRINTED_REJECTS + 1)
        process.stderr.write(`reject: … more rejects not printed${rejectsFile ? ` (all in ${rejectsFile})` : " (use --rejects FILE for all)"}\n`);
    },
    async close() {
      if (out) await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
    },
  };
}

export function registerDataCommands(program: Command): void {
  const data = program.command("data").description("VideoMarathon data: validate, statistics, multi-turn grouping, MDS shards");

  data
    .command("validate")
    .description("check records (JSON lines, JSON array or parquet) and summarise rejects by reason")
    .argument("<files...>")
    .option("--strict", "stop with an error at the first bad record")
    .option("--max-duration <seconds>", "largest allowed video duration", numOption("max-duration", { min: 0, exclusiveMin: true }), DEFAULT_MAX_DURATION_S)
    .option("--rejects <file>", "write every reject as a JSON line")
    .option("--quiet", "no progress")
    .action(async (files: string[], o: { strict?: boolean; maxDuration: number; rejects?: string; quiet?: boolean }) => {
      const sink = rejectSink(o.rejects, false);
      const v = new Validator({ strict: o.strict, maxDurationS: o.maxDuration, onReject: sink.onReject });
      for (const f of files) {
        const p = createProgress({ label: `validate ${f}`, unit: "records", quiet: o.quiet });
        for await (const item of readRecords(f, { onColumns: (_m, _c, s) => process.stderr.write(`${f}: ${s}\n`) })) {
          v.check(item);
          p.tick();
        }
        p.done();
      }
      await sink.close();
      const s = v.summary();
      console.log(formatSummary(s));
      if (s.rejected > 0) process.exitCode = 1;
    });

  data
    .command("stats")
    .description("statistics of valid records: markdown report, SVG and PNG charts")
    .argument("<files...>")
    .requiredOption("--out <dir>", "output folder")
    .option("--max-duration <seconds>", "largest allowed video duration", numOption("max-duration", { min: 0, exclusiveMin: true }), DEFAULT_MAX_DURATION_S)
    .option("--no-png", "write SVG only")
    .option("--quiet", "no progress")
    .action(async (files: string[], o: { out: string; maxDuration: number; png: boolean; quiet?: boolean }) => {
      const sink = rejectSink(undefined, o.quiet);
      const v = new Validator({ maxDurationS: o.maxDuration, onReject: sink.onReject });
      const acc = new StatsAccumulator();
      for (const f of files) {
        const p = createProgress({ label: `stats ${f}`, unit: "records", quiet: o.quiet });
        for await (const item of readRecords(f)) {
          const r = v.check(item);
          if (r) acc.add(r);
          p.tick();
        }
        p.done();
      }
      const stats = acc.finish();
      mkdirSync(o.out, { recursive: true });
      writeFileAtomic(join(o.out, "stats.md"), renderMarkdownReport(stats) + `\n\nValidation: ${formatSummary(v.summary()).replace(/\n/g, "\n\n")}\n`);
      writeFileAtomic(join(o.out, "stats.json"), JSON.stringify(stats, null, 2));
      const written = writeStatsPlots(stats, o.out, { png: o.png });
      console.log(`${stats.qa} QA pairs, ${stats.videos} videos; wrote stats.md, stats.json and ${written.length} chart files to ${o.out}`);
      if (v.summary().rejected) {
        console.log(formatSummary(v.summary()));
        process.exitCode = 1; // as validate: rejected records are an error, even though the valid ones were counted
      }
    });

  data
    .command("group")
    .description("group up to 5 QA pairs of one video into multi-turn conversation samples (JSON lines)")
    .argument("<file>")
    .requiredOption("--out <file>", "output .jsonl")
    .option("--seed <n>", "shuffle seed", intOption("seed", 0, 2 ** 32 - 1), 0)
    .option("--max-per-sample <n>", "QA pairs per sample", intOption("max-per-sample", 1), 5)
    .option(
      "--form <form>",
      'first turn: "rendered" (<image> + time instruction + question) or "official" (bare question; the official loader adds the rest)',
      "rendered",
    )
    .option("--max-duration <seconds>", "largest allowed video duration", numOption("max-duration", { min: 0, exclusiveMin: true }), DEFAULT_MAX_DURATION_S)
    .option("--quiet", "no progress")
    .action(async (file: string, o: { out: string; seed: number; maxPerSample: number; form: string; maxDuration: number; quiet?: boolean }) => {
      if (o.form !== "rendered" && o.form !== "official") throw new Error(`--form: expected "rendered" or "official", got "${o.form}"`);
      const sink = rejectSink(undefined, o.quiet);
      const p = createProgress({ label: `group ${file}`, unit: "records", quiet: o.quiet });
      const r = await groupFile(file, o.out, {
        seed: o.seed,
        maxPerSample: o.maxPerSample,
        form: o.form,
        maxDurationS: o.maxDuration,
        onReject: sink.onReject,
        onRecord: () => p.tick(),
      });
      p.done();
      console.log(
        `${r.qa} QA pairs of ${r.videos} videos → ${r.samples} samples in ${o.out}${r.passedThrough ? `; ${r.passedThrough} conversation records copied through` : ""}${r.rejected ? `; ${r.rejected} records rejected` : ""}`,
      );
    });

  data
    .command("shard")
    .description("write conversation records as MosaicML MDS shards (columns video: str, text: json)")
    .argument("<file>")
    .requiredOption("--out <dir>", "output folder (index.json + shard.NNNNN.mds)")
    .option("--size-limit <bytes>", 'shard size limit, e.g. 67108864 or "1000000kb"', "67108864")
    .option("--root <dir>", "folder the feature paths start from (official --root_path)", "")
    .option("--source <name>", "value of the added `source` field (default: the input file stem)")
    .option("--max-duration <seconds>", "largest allowed video duration", numOption("max-duration", { min: 0, exclusiveMin: true }), DEFAULT_MAX_DURATION_S)
    .option("--quiet", "no progress")
    .action(async (file: string, o: { out: string; sizeLimit: string; root: string; source?: string; maxDuration: number; quiet?: boolean }) => {
      const sink = rejectSink(undefined, o.quiet);
      const p = createProgress({ label: `shard ${file}`, unit: "records", quiet: o.quiet });
      const r = await shardFile(file, o.out, {
        sizeLimit: o.sizeLimit,
        root: o.root,
        source: o.source,
        maxDurationS: o.maxDuration,
        onReject: sink.onReject,
        onRecord: () => p.tick(),
      });
      p.done();
      console.log(`${r.samples} samples in ${r.shards} shard(s), ${r.bytes} bytes, in ${o.out}${r.rejected ? `; ${r.rejected} records rejected` : ""}`);
    });
}
