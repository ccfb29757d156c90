// Preprocessing in worker threads (preprocess-pool.ts) yields the frames the main thread computes, bit for bit and in
// order, from one ffmpeg pass; errors (a worker's, ffmpeg's) reach the caller as without workers; stopping early
// ends ffmpeg and the workers.
import { takeAll } from "../helpers/take-all.ts";
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FrameBatches } from "../../src/video/frame-batches.ts";
import { observeFfmpegSpawns } from "../../src/video/ffmpeg-spawn.ts";
import { passthroughArgs } from "../../src/video/ffmpeg-run.ts";
import { PreprocessPool } from "../../src/video/preprocess-pool.ts";
import { preprocessFrame } from "../../src/video/preprocess.ts";
import { planFrames, preprocessedFrames, type FramePlan } from "../../src/video/video-frames.ts";
import { ffmpeg, makeTempDir } from "./clips.ts";

const SIZE = 24;
let dir = "";
let cleanup = () => {};
let clip = "";
let plan: FramePlan;
before(async () => {
  ({ dir, cleanup } = makeTempDir());
  // 60 s at 5 fps: 300 frames, of which the 1-fps rule picks 128 (8 batches of 16).
  clip = join(dir, "clip.mp4");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=96x54:rate=5:duration=60", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", clip]);
  plan = await planFrames(clip);
  await passthroughArgs();
});
after(() => cleanup());

test("with 2 workers every batch equals the main thread's, from one ffmpeg process", async () => {
  const T = plan.sample.indices.length;
  assert.equal(T, 128);
  const inline = await takeAll(new FrameBatches(clip, plan, SIZE, { workers: 0 }), T);
  let spawns = 0;
  const stop = observeFfmpegSpawns(() => spawns++);
  let pooled: Float32Array[];
  try {
    pooled = await takeAll(new FrameBatches(clip, plan, SIZE, { workers: 2 }), T);
  } finally {
    stop();
  }
  assert.equal(spawns, 1);
  assert.equal(pooled.length, inline.length);
  for (let b = 0; b < inline.length; b++) assert.deepEqual(pooled[b], inline[b], `batch ${b}`);
});

test("frames come in order with their indices and times, and progress ticks once each", async () => {
  let ticks = 0;
  const got: number[] = [];
  for await (const f of preprocessedFrames(clip, plan, {
    size: SIZE,
    workers: 3,
    progress: { tick: (n = 1) => void (ticks += n), done: () => {}, count: 0 },
  })) {
    got.push(f.index);
    assert.equal(f.timeS, f.index / plan.info.fps);
    assert.equal(f.pixels.length, 3 * SIZE * SIZE);
  }
  assert.deepEqual(got, plan.sample.indices);
  assert.equal(ticks, plan.sample.indices.length);
});

test("stopping after a few frames ends ffmpeg and the workers at once", async () => {
  const t0 = performance.now();
  let n = 0;
  for await (const _f of preprocessedFrames(clip, plan, { size: SIZE, workers: 2 })) if (++n === 3) break;
  assert.equal(n, 3);
  assert.ok(performance.now() - t0 < 20_000);
});

test("a worker's error is the caller's error", async () => {
  await assert.rejects(async () => {
    for await (const _f of preprocessedFrames(clip, plan, { size: 0, workers: 1 }));
  }, /preprocessFrame: size 0 must be a positive integer/);
});

test("a truncated video: the frames that decode come first, then the same error as without workers", async () => {
  const b = readFileSync(join(dir, "clip.mp4"));
  const cut = join(dir, "cut.mp4");
  ffmpeg(["-i", clip, "-c", "copy", "-movflags", "+faststart", join(dir, "front.mp4")]);
  writeFileSync(cut, readFileSync(join(dir, "front.mp4")).subarray(0, Math.floor(b.length * 0.5)));
  const errors: string[] = [];
  const counts: number[] = [];
  for (const workers of [0, 2]) {
    let n = 0;
    try {
      for await (const _f of preprocessedFrames(cut, plan, { size: SIZE, workers })) n++;
    } catch (e) {
      errors.push((e as Error).message);
    }
    counts.push(n);
  }
  assert.equal(errors.length, 2);
  assert.match(errors[0], /the video ended after \d+ of 128 requested frames/);
  assert.deepEqual([counts[1], errors[1]], [counts[0], errors[0]]);
});

test("the pool: a frame's buffer moves to the worker; results equal preprocessFrame's", async () => {
  const pool = new PreprocessPool(2);
  try {
    const rgb = new Uint8Array(40 * 30 * 3).map((_, i) => (i * 37) & 255);
    const want = preprocessFrame(rgb, 40, 30, 16);
    const copy = rgb.slice();
    const got = await pool.run(copy, 40, 30, 16);
    assert.equal(copy.byteLength, 0); // transferred, not copied
    assert.deepEqual(got, want);
  } finally {
    await pool.close();
  }
  await assert.rejects(pool.run(new Uint8Array(3), 1, 1, 4), /closed/);
});
