// `hourllava cache ls|rm|gc`: what the memory repository cache holds (finished and partial), and pruning it.
import type { Command } from "commander";
import { MemoryCache, defaultCacheDir, type PartialEntry } from "../cache/cache.ts";
import { describeOwner } from "../cache/lock.ts";
import { listLiveEntries, removeLiveEntry } from "../cache/live-store.ts";
import { durationOption, numOption, sizeOption } from "./options.ts";

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** A file name as text that cannot drive the terminal: control characters (ESC, CR, …) as \\xNN / \\uNNNN. */
export function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** "3 min", "5 h", "2 d". */
export function age(ms: number): string {
  const s = Math.max(0, ms / 1000);
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(head), ...rows.map(line)].join("\n") + "\n";
}

function partialState(p: PartialEntry): string {
  if (p.ownerState === "alive" || p.ownerState === "remote") return `encoding (${describeOwner(p.owner!)})`;
  return "interrupted (resumes on the next encode; cache gc removes it after 24 h)";
}

export function registerCacheCommands(program: Command): void {
  const cache = program.command("cache").description("inspect and prune the memory repository cache");
  const dirOpt = (c: Command) => c.option("--cache-dir <dir>", "cache folder", defaultCacheDir());
  dirOpt(cache.command("ls").description("list cached video memories and unfinished encodes")).action((o: { cacheDir: string }) => {
    const c = MemoryCache.open(o.cacheDir);
    const entries = c.list();
    const rows = entries.map((e) => [
      e.key.slice(0, 12),
      e.broken ? "-" : `${e.durationS.toFixed(0)} s`,
      e.broken ? "-" : String(e.frames),
      mib(e.bytes),
      e.lastUsed.toISOString().slice(0, 19),
      e.broken ? `BROKEN (${printable(e.broken)}): re-encoded on use; cache rm or gc removes it` : printable(e.video),
    ]);
    process.stdout.write(table(["key", "duration", "frames", "size", "last used", "video"], rows));
    process.stdout.write(`${entries.length} entries, ${mib(entries.reduce((s, e) => s + e.bytes, 0))} in ${printable(o.cacheDir)}\n`);
    const partials = c.partials();
    if (partials.length) {
      const now = Date.now();
      const prow = partials.map((p) => [p.key.slice(0, 12), String(p.frames), mib(p.bytes), age(now - p.modified.getTime()), partialState(p)]);
      process.stdout.write(`\npartial (unfinished) encodes:\n${table(["key", "frames", "size", "age", "state"], prow)}`);
    }
    const live = listLiveEntries(o.cacheDir);
    if (live.length) {
      const now = Date.now();
      const lrow = live.map((e) => [
        e.key.slice(0, 12),
        e.kept === e.frames ? String(e.frames) : `${e.kept} of ${e.frames}`,
        String(e.gaps),
        mib(e.bytes),
        age(now - e.modified.getTime()),
        e.recording ? `recording (${e.recording})` : "stopped (resumes with --live on the same source)",
        printable(e.source),
      ]);
      process.stdout.write(`\nlive memories (--live):\n${table(["key", "frames", "gaps", "size", "last frame", "state", "source"], lrow)}`);
    }
  });
  dirOpt(cache.command("rm <key>").description("remove one cached memory or live memory (a unique key prefix is enough)")).action(
    (key: string, o: { cacheDir: string }) => {
      const live = removeLiveEntry(o.cacheDir, key);
      if (live) return void process.stdout.write(`removed live memory ${printable(live)}\n`);
      for (const k of MemoryCache.open(o.cacheDir).remove(key)) process.stdout.write(`removed ${printable(k)}\n`);
    },
  );
  dirOpt(cache.command("gc").description("remove least recently used memories, and unfinished encodes nobody resumed"))
    .option("--max-bytes <size>", "keep the total under this size, e.g. 10GB, 512MiB or 1e9", sizeOption("max-bytes"))
    .option("--older-than <duration>", "remove memories unused for this long, e.g. 7d or 12h", durationOption("older-than"))
    .option("--stale-partial-hours <h>", "remove unfinished encodes untouched this long (no live encoder)", numOption("stale-partial-hours", { min: 0 }), 24)
    .action((o: { cacheDir: string; maxBytes?: number; olderThan?: number; stalePartialHours: number }) => {
      const olderThanDays = o.olderThan === undefined ? undefined : o.olderThan / 86400;
      const { entries, partials } = MemoryCache.open(o.cacheDir).gc({ maxBytes: o.maxBytes, olderThanDays, stalePartialHours: o.stalePartialHours });
      process.stdout.write(`removed ${entries.length} entries, ${mib(entries.reduce((s, e) => s + e.bytes, 0))}\n`);
      process.stdout.write(`removed ${partials.length} unfinished encodes, ${mib(partials.reduce((s, p) => s + p.bytes, 0))}\n`);
    });
}
