import { test, before, after } from "node:test";
import { takeAll } from "../helpers/take-all.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { FrameBatches } from "../../src/video/frame-batches.ts";
import { observeFfmpegSpawns } from "../../src/video/ffmpeg-spawn.ts";
import { decodeFrames } from "../../src/video/frames.ts";
import { passthroughArgs } from "../../src/video/ffmpeg-run.ts";
import { preprocessFrame } from "../../src/video/preprocess.ts";
import { planFrames, type FramePlan } from "../../src/video/video-frames.ts";
import { ffmpeg, makeTempDir } from "./clips.ts";

const SIZE = 16;
let cleanup = () => {};
let clip = "";
let plan: FramePlan;
before(async () => {
  const t = makeTempDir();
  cleanup = t.cleanup;
  // 200 s at 5 fps: 1000 frames, of which the 1-fps rule picks 200 (13 batches of 16).
  clip = join(t.dir, "long.mp4");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x36:rate=5:duration=200", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", clip]);
  plan = await planFrames(clip);
  await passthroughArgs(); // a once-per-process capability check of the ffmpeg build, not part of a decode
});
after(() => cleanup());

/** The old path: one ffmpeg per batch, each selecting its frames from the start of the video. */
async function perBatchDecode(start: number, count: number): Promise<Float32Array> {
  const per = 3 * SIZE * SIZE;
  const out = new Float32Array(count * per);
  let i = 0;
  for await (const f of decodeFrames(clip, plan.sample.indices.slice(start, start + count), { info: plan.info }))
    out.set(preprocessFrame(f.rgb, f.width, f.height, SIZE), per * i++);
  assert.equal(i, count);
  return out;
}

async function countSpawns<T>(fn: () => Promise<T>): Promise<{ value: T; spawns: number }> {
  let spawns = 0;
  const stop = observeFfmpegSpawns(() => spawns++);
  try {
    return { value: await fn(), spawns };
  } finally {
    stop();
  }
}

test("all batches of a 200-frame plan come from one ffmpeg process, equal to per-batch decoding", async () => {
  const T = plan.sample.indices.length;
  assert.equal(T, 200);
  const batches = new FrameBatches(clip, plan, SIZE);
  const { value: got, spawns } = await countSpawns(() => takeAll(batches, T));
  assert.equal(spawns, 1);
  // Frames equal the old per-batch path bit for bit (a few batches across the video, to keep the test short).
  for (const b of [0, 6, 12]) assert.deepEqual(got[b], await perBatchDecode(16 * b, Math.min(16, T - 16 * b)));
});

test("a resumed encode (first batch at frame 64) starts one pass there and yields the same frames", async () => {
  const batches = new FrameBatches(clip, plan, SIZE);
  const { value, spawns } = await countSpawns(async () => {
    try {
      return [await batches.take(64, 16), await batches.take(80, 16)];
    } finally {
      await batches.close();
    }
  });
  assert.equal(spawns, 1);
  assert.deepEqual(value[1], await perBatchDecode(80, 16));
});

test("take rejects a batch outside the plan", async () => {
  const batches = new FrameBatches(clip, plan, SIZE);
  await assert.rejects(batches.take(195, 16), /outside the plan of 200 frames/);
});
