// Files whose packets are not their frames, or whose nominal rate is not their rate: a stream-copy cut (mp4
// edit list), a VFR mp4 with B-frames, a VFR webm. Each plans the right frame count and duration, and every
// planned frame decodes (before, the plan ran past the last decodable frame and failed late in the encode).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { decodeFrames } from "../../src/video/frames.ts";
import { planFrames } from "../../src/video/video-frames.ts";
import { ffmpeg, makeTempDir } from "./clips.ts";

let dir = "";
let cleanup = () => {};
before(() => ({ dir, cleanup } = makeTempDir()));
after(() => cleanup());

// 10 s at 25 fps, then 25 s at 10 fps: 500 frames over 35 s.
const VFR = ["-f", "lavfi", "-i", "testsrc2=size=64x36:rate=25:duration=20", "-vf", "setpts='if(lt(N,250),N/25,10+(N-250)/10)/TB'", "-vsync", "vfr"];

async function decodesAll(path: string, indices: number[]): Promise<number> {
  let n = 0;
  for await (const _f of decodeFrames(path, indices)) n++;
  return n;
}

test("a stream-copy cut (edit list) plans its decodable frames and its own duration", async () => {
  const src = join(dir, "src.mp4");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x36:rate=25:duration=20", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-g", "50", src]);
  const cut = join(dir, "cut.mp4");
  ffmpeg(["-ss", "3.3", "-i", src, "-c", "copy", cut]);
  const plan = await planFrames(cut);
  assert.equal(plan.info.frameCount, 417); // 16.68 s × 25; the file holds 450 packets (from the keyframe at 2 s)
  assert.equal(plan.sample.durationS, 16.68);
  assert.equal(await decodesAll(cut, plan.sample.indices), plan.sample.indices.length);
});

test("a VFR mp4 with B-frames: every planned frame decodes, duration from timestamps", async () => {
  const p = join(dir, "vfr.mp4");
  ffmpeg([...VFR, "-pix_fmt", "yuv420p", "-c:v", "libx264", "-bf", "2", p]);
  const plan = await planFrames(p);
  assert.equal(plan.sample.indices.at(-1), plan.info.frameCount - 1);
  assert.ok(Math.abs(plan.sample.durationS - 35) < 0.3, `duration ${plan.sample.durationS}`);
  assert.equal(await decodesAll(p, plan.sample.indices), plan.sample.indices.length);
});

test("a VFR webm reports its duration from timestamps, not frames over the nominal rate", async () => {
  const p = join(dir, "vfr.webm");
  ffmpeg([...VFR, "-c:v", "libvpx", "-b:v", "200k", p]);
  const plan = await planFrames(p);
  assert.ok(Math.abs(plan.sample.durationS - 35) < 0.3, `duration ${plan.sample.durationS}`); // was 19.96 (499 / 25)
  assert.equal(plan.sample.indices.length, 128); // floor(35 s) < 128: the 128-frame minimum
  assert.equal(await decodesAll(p, plan.sample.indices), 128);
});
