// What planning and decoding an encode cost on a long 720p file, side by side in one run (prints one JSON object):
//  - plain ffmpeg decode (`ffmpeg -i FILE -f null -`), the floor for anything that needs every frame decoded;
//  - the frame count, old (decoded-count.ts: a second full decode) and new (mp4-table-count.ts: the moov's tables),
//    and the whole probe with counting as `ask` runs it;
//  - the sampling decode of the 1-fps plan: the sampler's ffmpeg alone (its output to /dev/null), the same through
//    Node (decodeFrames, frames consumed), and with SigLIP preprocessing at 384 (what an encode's decode step does,
//    without the vision tower) on the main thread and in --workers worker threads (default: as an encode would, at
//    least 1).
// Each row is the fastest of --repeat rounds (wall clock; other processes on the machine count, so say what ran);
// Node rows also give the main thread's busy seconds (event-loop utilisation), the time an encode's vision tower,
// which runs there, waits for.
// Measured here (10 min, 1280x720, 30 fps, libx264 veryfast, 600 sampled frames; 2 cores, a training process on one,
// load average 2-5; fastest of 2): plain ffmpeg 29.2 s; count by decoding 24.6 s, from the tables 0.013 s (probe and
// count as ask runs them 0.036 s); the sampler's ffmpeg alone 29.4 s, through Node 29.0 s (main thread busy 0.8 s);
// with preprocessing on the main thread 36.9 s (busy 24.1 s), in 1 worker 38.1 s (main thread busy 3.0 s).
// Usage: node --import tsx bench/video/count-decode.ts [--file clip.mp4] [--minutes 10] [--size 1280x720] [--fps 30]
//        [--preset veryfast] [--repeat 1] [--workers N]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { generateClip } from "./clip.ts";
import { countDecodedFrames } from "../../src/video/decoded-count.ts";
import { passthroughArgs, runFfmpeg } from "../../src/video/ffmpeg-run.ts";
import { ffmpegPath } from "../../src/video/ffmpeg-path.ts";
import { decodeFrames, selectExpression } from "../../src/video/frames.ts";
import { mp4TableCount } from "../../src/video/mp4-table-count.ts";
import { defaultPreprocessWorkers } from "../../src/video/preprocess-pool.ts";
import { probeVideo } from "../../src/video/probe.ts";
import { planFrames, preprocessedFrames } from "../../src/video/video-frames.ts";

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? process.argv[i + 1] : d;
};
const minutes = Number(arg("minutes", "10"));
const size = arg("size", "1280x720");
const fps = Number(arg("fps", "30"));
const preset = arg("preset", "veryfast");
const repeat = Number(arg("repeat", "1"));
const workers = Number(arg("workers", String(Math.max(1, defaultPreprocessWorkers()))));

/** Wall seconds, and how long the main thread (where the vision tower runs in an encode) was busy meanwhile. */
async function timed<T>(fn: () => Promise<T>): Promise<{ s: number; main_thread_busy_s: number; value: T }> {
  const t0 = performance.now();
  const elu = performance.eventLoopUtilization();
  const value = await fn();
  const busy = performance.eventLoopUtilization(elu).active / 1000;
  return { s: +((performance.now() - t0) / 1000).toFixed(3), main_thread_busy_s: +busy.toFixed(2), value };
}

function ffmpegToNull(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath(), args, { stdio: "ignore" });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${args.join(" ")}`))));
  });
}

const dir = mkdtempSync(join(tmpdir(), "hl-bench-count-"));
try {
  let clip = arg("file", "");
  let generateS: number | null = null;
  if (!clip) {
    clip = join(dir, "clip.mp4");
    generateS = +generateClip(clip, size, fps, minutes * 60, preset).toFixed(2);
  }
  const passthrough = await passthroughArgs(); // the once-per-process capability check, outside the timings
  const plan = await planFrames(clip);
  const { info } = plan;
  const indices = plan.sample.indices;
  const load = { before: loadavg().map((x) => +x.toFixed(2)) };
  const rows: Record<string, { s: number; [k: string]: unknown }[]> = {};
  const keep = (name: string, r: { s: number; [k: string]: unknown }) => (rows[name] ??= []).push(r);
  for (let round = 0; round < repeat; round++) {
    const plain = await timed(() => runFfmpeg(["-hide_banner", "-nostdin", "-nostats", "-i", clip, "-f", "null", "-"]));
    const decodedFrames = [...plain.value.stderr.matchAll(/frame=\s*(\d+)/g)].at(-1)?.[1];
    keep("plain_ffmpeg_decode", { s: plain.s, frames: Number(decodedFrames) });
    const sampler = [
      ...["-hide_banner", "-nostdin", "-v", "error", "-noautorotate", "-i", clip, "-map", info.streamSpec],
      ...["-vf", `select=${selectExpression(indices)}`, ...passthrough, "-an", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
    ];
    keep("sampling_ffmpeg_alone", { s: (await timed(() => ffmpegToNull(sampler))).s, frames: indices.length });
    const dec = await timed(async () => {
      let n = 0;
      for await (const _f of decodeFrames(clip, indices, { info })) n++;
      return n;
    });
    keep("sampling_decode", { s: dec.s, main_thread_busy_s: dec.main_thread_busy_s, frames: dec.value });
    for (const [name, n] of [
      ["sampling_decode_preprocess_384_inline", 0],
      ["sampling_decode_preprocess_384_workers", workers],
    ] as const) {
      const pre = await timed(async () => {
        let k = 0;
        for await (const _f of preprocessedFrames(clip, plan, { size: 384, workers: n })) k++;
        return k;
      });
      keep(name, { s: pre.s, main_thread_busy_s: pre.main_thread_busy_s, frames: pre.value, workers: n });
    }
    const old = await timed(() => countDecodedFrames(clip, info.streamSpec));
    keep("count_old_decoded", { s: old.s, frames: old.value.frames });
    const table = await timed(() => mp4TableCount(clip));
    keep("count_new_tables", { s: table.s, ...table.value });
    const timings = { probeS: 0, countS: 0 };
    const probe = await timed(() => probeVideo(clip, { countFrames: true, timings }));
    keep("probe_and_count_as_ask", { s: probe.s, frames: probe.value.frameCount, source: probe.value.frameCountSource });
  }
  const best = Object.fromEntries(Object.entries(rows).map(([k, rs]) => [k, rs.reduce((a, b) => (b.s < a.s ? b : a))]));
  const plainS = best.plain_ffmpeg_decode.s;
  console.log(
    JSON.stringify(
      {
        bench: "video-count-decode",
        clip: {
          file: arg("file", "") || `generated: testsrc2, libx264 ${preset}`,
          minutes: +(info.durationS / 60).toFixed(2),
          size: `${info.width}x${info.height}`,
          fps: +info.fps.toFixed(3),
          codec: info.codec,
          frames: info.frameCount,
          generate_s: generateS,
        },
        machine: { cpus: cpus().length, loadavg: { ...load, after: loadavg().map((x) => +x.toFixed(2)) } },
        sampled_frames: indices.length,
        repeat,
        rows: best,
        ratios: {
          count_old_over_new: +(best.count_old_decoded.s / best.count_new_tables.s).toFixed(0),
          sampling_decode_over_plain: +(best.sampling_decode.s / plainS).toFixed(3),
          sampling_decode_preprocess_inline_over_plain: +(best.sampling_decode_preprocess_384_inline.s / plainS).toFixed(3),
          sampling_decode_preprocess_workers_over_plain: +(best.sampling_decode_preprocess_384_workers.s / plainS).toFixed(3),
        },
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
