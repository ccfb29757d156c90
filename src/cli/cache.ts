// `hourllava cache ls|rm|gc`: what the memory repository cache holds, and pruning it.
import type { Command } from "commander";
import { MemoryCache, defaultCacheDir } from "../memory/cache.ts";
import { durationOption, sizeOption } from "./options.ts";

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

export function registerCacheCommands(program: Command): void {
  const cache = program.command("cache").description("inspect and prune the memory repository cache");
  const dirOpt = (c: Command) => c.option("--cache-dir <dir>", "cache folder", defaultCacheDir());
  dirOpt(cache.command("ls").description("list cached video memories")).action((o: { cacheDir: string }) => {
    const entries = MemoryCache.open(o.cacheDir).list();
    const rows = entries.map((e) => [
      e.key.slice(0, 12),
      `${e.durationS.toFixed(0)} s`,
      String(e.frames),
      mib(e.bytes),
      e.lastUsed.toISOString().slice(0, 19),
      e.video,
    ]);
    const head = ["key", "duration", "frames", "size", "last used", "video"];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join("  ")
        .trimEnd();
    process.stdout.write([line(head), ...rows.map(line)].join("\n") + "\n");
    process.stdout.write(`${entries.length} entries, ${mib(entries.reduce((s, e) => s + e.bytes, 0))} in ${o.cacheDir}\n`);
  });
  dirOpt(cache.command("rm <key>").description("remove one cached memory (a unique key prefix is enough)")).action((key: string, o: { cacheDir: string }) => {
    for (const k of MemoryCache.open(o.cacheDir).remove(key)) process.stdout.write(`removed ${k}\n`);
  });
  dirOpt(cache.command("gc").description("remove least recently used memories"))
    .option("--max-bytes <size>", "keep the total under this size, e.g. 10GB, 512MiB or 1e9", sizeOption("max-bytes"))
    .option("--older-than <duration>", "remove memories unused for this long, e.g. 7d or 12h", durationOption("older-than"))
    .action((o: { cacheDir: string; maxBytes?: number; olderThan?: number }) => {
      if (o.maxBytes === undefined && o.olderThan === undefined) throw new Error("cache gc needs --max-bytes or --older-than");
      const olderThanDays = o.olderThan === undefined ? undefined : o.olderThan / 86400;
      const removed = MemoryCache.open(o.cacheDir).gc({ maxBytes: o.maxBytes, olderThanDays });
      process.stdout.write(`removed ${removed.length} entries, ${mib(removed.reduce((s, e) => s + e.bytes, 0))}\n`);
    });
}
