// Quantize once, measured on the official-shape 3B: a random-weight bf16 folder (bench/scale/make-folder.ts) loaded
// twice with --quant q4 through the library. The first load converts (bf16 → q4) and keeps the copy in the cache;
// the second reads the copy. Prints JSON; run it under ../shared/tools/watch-rss.sh (the folder is 7.4 GB on disk).
// (The folder is loaded by path: the stand-in hub of the tests holds files in memory, too much for 7.4 GB.)
//   node --import tsx bench/hub/quantize-once.ts [--dir /tmp/hl-official-3b] [--size 3b]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HourLlavaApp } from "../../src/app/app.ts";
import { makeOfficialFolder } from "../scale/make-folder.ts";

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? process.argv[i + 1] : d;
};
const size = arg("size", "3b") as "3b" | "7b";
const folder = arg("dir", join(tmpdir(), `hl-official-${size}`));
const work = mkdtempSync(join(tmpdir(), "hl-qonce-bench-"));
const seconds = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(1));
try {
  const t = performance.now();
  makeOfficialFolder(size, folder);
  const makeS = seconds(t);
  const opts = { quant: "q4" as const, cacheDir: work, quiet: true, threads: 2 };
  /** Seconds to load (with --quant) and to build the answer path's sessions. */
  const timedLoad = async () => {
    const t0 = performance.now();
    const app = await HourLlavaApp.load(folder, opts);
    const loadS = seconds(t0);
    const t1 = performance.now();
    await app.warmUp();
    return { loadS, sessionsS: seconds(t1) };
  };
  const first = await timedLoad();
  const second = await timedLoad();
  console.log(
    JSON.stringify({
      size,
      folder_make_s: makeS,
      load_q4_first_s: first.loadS,
      sessions_first_s: first.sessionsS,
      load_q4_second_s: second.loadS,
      sessions_second_s: second.sessionsS,
      rss_gb: Number((process.memoryUsage().rss / 2 ** 30).toFixed(2)),
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
