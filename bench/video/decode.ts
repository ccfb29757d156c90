// Decode cost against video length, side by side: the whole 1-fps plan of generated 10, 30 and 60-minute clips
// decoded (a) in one ffmpeg pass (FrameBatches, what an encode does now) and (b) with one ffmpeg per batch
// selecting its frames from the start (the old way, quadratic). Prints one JSON object; per-minute costs show
// whether each path is linear. Small frames keep generation quick; decode cost per frame does not matter here.
// Usage: node --import tsx bench/video/decode.ts [--minutes 10,30,60] [--fps 5] [--size 64x36] [--batch 16] [--old-up-to 30]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateClip } from "./clip.ts";
import { observeFfmpegSpawns } from "../../src/video/ffmpeg-spawn.ts";
import { decodeFrames } from "../../src/video/frames.ts";
import { FrameBatches } from "../../src/video/frame-batches.ts";
import { passthroughArgs } from "../../src/video/ffmpeg-run.ts";
import { planFrames, type FramePlan } from "../../src/video/video-frames.ts";

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? process.argv[i + 1] : d;
};
const minutesList = arg("minutes", "10,30,60").split(",").map(Number);
const fps = Number(arg("fps", "5"));
const size = arg("size", "64x36");
const batch = Number(arg("batch", "16"));
// The old path takes ~8 min on a 60-minute clip (2 cores): by default it runs up to 30 minutes.
const oldUpTo = Number(arg("old-up-to", "30"));
const PIXELS = 16; // preprocess to a tiny square: this measures decoding, not SigLIP resizing

async function timed(fn: () => Promise<void>): Promise<{ s: number; ffmpeg_processes: number }> {
  let n = 0;
  const stop = observeFfmpegSpawns(() => n++);
  const t0 = performance.now();
  try {
    await fn();
  } finally {
    stop();
  }
  return { s: +((performance.now() - t0) / 1000).toFixed(2), ffmpeg_processes: n };
}

async function onePass(clip: string, plan: FramePlan): Promise<void> {
  const frames = new FrameBatches(clip, plan, PIXELS);
  const T = plan.sample.indices.length;
  try {
    for (let s = 0; s < T; s += batch) await frames.take(s, Math.min(batch, T - s));
  } finally {
    await frames.close();
  }
}

async function perBatch(clip: string, plan: FramePlan): Promise<void> {
  const idx = plan.sample.indices;
  for (let s = 0; s < idx.length; s += batch) for await (const _f of decodeFrames(clip, idx.slice(s, s + batch), { info: plan.info }));
}

await passthroughArgs(); // the once-per-process ffmpeg capability check, outside the timings
const dir = mkdtempSync(join(tmpdir(), "hl-bench-decode-"));
try {
  const rows = [];
  for (const minutes of minutesList) {
    const clip = join(dir, `clip-${minutes}.mp4`);
    const generateS = +generateClip(clip, size, fps, minutes * 60).toFixed(2);
    const tp = performance.now();
    const plan = await planFrames(clip); // probe + exact frame count (an mp4 is decoded once to count, see probe.ts)
    const planS = +((performance.now() - tp) / 1000).toFixed(2);
    const one = await timed(() => onePass(clip, plan));
    const old = minutes <= oldUpTo ? await timed(() => perBatch(clip, plan)) : undefined;
    rows.push({
      minutes,
      frames_decoded: plan.sample.indices.length,
      generate_s: generateS,
      plan_s: planS,
      one_pass: { ...one, s_per_minute: +(one.s / minutes).toFixed(3) },
      per_batch_old: old ? { ...old, s_per_minute: +(old.s / minutes).toFixed(3) } : "skipped (--old-up-to)",
      speedup: old ? +(old.s / one.s).toFixed(1) : null,
    });
  }
  console.log(JSON.stringify({ bench: "video-decode", clip: { size, fps, codec: "h264 ultrafast" }, batch, rows }, null, 2));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
