// VideoMarathon data pipeline benchmark: generate N synthetic QA rows (default 3.3M, the dataset's
// size), then time load+validate+stats, grouping, MDS shard write and read, each phase in its own
// process so its peak RSS is its own. Prints one JSON object.
//   node --import tsx bench/data/run.ts [--qa N] [--keep DIR]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSyntheticJsonl } from "./generate.ts";
import { readRecords } from "../../src/data/readers.ts";
import { Validator } from "../../src/data/validate.ts";
import { StatsAccumulator } from "../../src/data/stats.ts";
import { groupFile } from "../../src/data/grouping.ts";
import { shardFile } from "../../src/data/shard-records.ts";
import { MdsReader } from "../../src/data/mds.ts";

const MB = 1024 * 1024;
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const secondsSince = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

async function phase(name: string, file: string, out: string): Promise<Record<string, number>> {
  const t0 = process.hrtime.bigint();
  if (name === "stats") {
    const v = new Validator();
    const acc = new StatsAccumulator();
    for await (const it of readRecords(file)) {
      const r = v.check(it);
      if (r) acc.add(r);
    }
    const s = acc.finish();
    const sec = secondsSince(t0);
    return {
      records: v.summary().total,
      rejected: v.summary().rejected,
      videos: s.videos,
      seconds: sec,
      records_per_s: v.summary().total / sec,
      mb_per_s: statSync(file).size / MB / sec,
      peak_rss_mb: peakRssMb(),
    };
  }
  if (name === "group") {
    const r = await groupFile(file, out, { seed: 0 });
    const sec = secondsSince(t0);
    return { qa: r.qa, samples: r.samples, seconds: sec, qa_per_s: r.qa / sec, peak_rss_mb: peakRssMb() };
  }
  if (name === "shard-write") {
    const r = await shardFile(file, out, { sizeLimit: 1 << 26 });
    const sec = secondsSince(t0);
    return {
      samples: r.samples,
      shards: r.shards,
      bytes: r.bytes,
      seconds: sec,
      mb_per_s: r.bytes / MB / sec,
      samples_per_s: r.samples / sec,
      peak_rss_mb: peakRssMb(),
    };
  }
  if (name === "shard-read") {
    const reader = new MdsReader(file);
    let n = 0;
    for (const _ of reader.iterate()) n++;
    const sec = secondsSince(t0);
    const bytes = reader.index.shards.reduce((a, s) => a + s.raw_data.bytes, 0);
    // random access: 20K gets at pseudo-random indices
    const t1 = process.hrtime.bigint();
    const gets = Math.min(20000, reader.length);
    let x = 12345;
    for (let i = 0; i < gets; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      reader.get(x % reader.length);
    }
    const getSec = secondsSince(t1);
    reader.close();
    return { samples: n, seconds: sec, mb_per_s: bytes / MB / sec, samples_per_s: n / sec, random_gets_per_s: gets / getSec, peak_rss_mb: peakRssMb() };
  }
  throw new Error(`unknown phase ${name}`);
}

async function main() {
  const ph = arg("phase");
  if (ph) {
    console.log(JSON.stringify(await phase(ph, arg("file")!, arg("out") ?? "")));
    return;
  }
  const qa = Number(arg("qa") ?? 3_300_000);
  if (!(Number.isInteger(qa) && qa > 0)) throw new Error(`--qa: expected a positive integer, got ${arg("qa")}`);
  const work = arg("keep") ?? mkdtempSync(join(tmpdir(), "hl-data-bench-"));
  mkdirSync(work, { recursive: true });
  const self = fileURLToPath(import.meta.url);
  const child = (name: string, file: string, out = "") => {
    process.stderr.write(`bench: ${name}…\n`);
    const r = spawnSync(process.execPath, ["--import", "tsx", self, "--phase", name, "--file", file, "--out", out], { encoding: "utf8", maxBuffer: 1 << 20 });
    if (r.status !== 0) throw new Error(`phase ${name} failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split("\n").pop()!);
  };
  try {
    const file = join(work, "qa.jsonl");
    process.stderr.write(`bench: generating ${qa} QA rows…\n`);
    const t0 = process.hrtime.bigint();
    const bytes = await writeSyntheticJsonl(file, qa);
    const gen = { seconds: secondsSince(t0), mb: bytes / MB };
    const stats = child("stats", file);
    const group = child("group", file, join(work, "grouped.jsonl"));
    const shardWrite = child("shard-write", join(work, "grouped.jsonl"), join(work, "mds"));
    const shardRead = child("shard-read", join(work, "mds"));
    console.log(
      JSON.stringify({
        qa,
        input_mb: +gen.mb.toFixed(1),
        generate_s: +gen.seconds.toFixed(1),
        load_validate_stats: stats,
        group,
        shard_write: shardWrite,
        shard_read: shardRead,
        cpus: 2,
        node: process.version,
      }),
    );
  } finally {
    if (!arg("keep")) rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error((e as Error).message);
  process.exit(1);
});
