// The pure pieces the browser build decodes with, checked against ffmpeg/ffprobe on real files: the mp4 sample
// table (frame count, rate, where each sample lies) and the YUV→RGB conversion the page uses instead of a canvas.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { mp4VideoInfo } from "../../src/video/mp4-info.ts";
import { mp4VideoSamples } from "../../src/video/mp4-samples.ts";
import { probeVideo } from "../../src/video/probe.ts";
import { yuv420ToRgb } from "../../src/video/yuv-rgb.ts";
import { ffmpegPath } from "../../src/video/ffmpeg-path.ts";
import { useTestsrcClip, y4mClip } from "./clips.ts";

const fx = useTestsrcClip();

function decodeRaw(path: string, pixFmt: string): Buffer {
  const r = spawnSync(ffmpegPath(), ["-v", "error", "-i", path, "-f", "rawvideo", "-pix_fmt", pixFmt, "pipe:1"], { maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  return r.stdout;
}

test("the mp4 sample table gives ffprobe's frame count, rate and size", async () => {
  for (const path of [fx.clip, "samples/demo.mp4"]) {
    const p = await probeVideo(path, { countFrames: true });
    const m = mp4VideoInfo(readFileSync(path), path);
    assert.deepEqual([m.frameCount, m.fps, m.width, m.height], [p.frameCount, p.fps, p.width, p.height], path);
  }
});

test("every H.264 sample is located inside the file, key frames marked, codec string from avcC", () => {
  const bytes = readFileSync(fx.clip);
  const t = mp4VideoSamples(bytes, "testsrc.mp4");
  assert.equal(t.samples.length, 100);
  assert.match(t.codec, /^avc1\.[0-9a-f]{6}$/);
  assert.equal(t.samples[0].key, true);
  assert.ok(t.samples.some((s) => !s.key));
  for (const s of t.samples) assert.ok(s.offset > 0 && s.offset + s.size <= bytes.length);
  // An H.264 sample in mp4 is length-prefixed NAL units: the first prefix fits inside the sample.
  for (const s of t.samples) assert.ok(bytes.readUInt32BE(s.offset) + 4 <= s.size);
});

test("a file that is not mp4/mov gets an error that says what the browser reads", () => {
  const y4m = y4mClip(fx.dir, 8, 8);
  assert.throws(() => mp4VideoInfo(readFileSync(y4m), "clip.y4m"), /clip\.y4m: not an mp4\/mov file.*mp4 and mov/);
});

test("4:2:0 → RGB is ffmpeg's rgb24 within 2 levels", () => {
  const w = 160;
  const h = 90;
  const yuv = decodeRaw(fx.clip, "yuv420p");
  const rgb = decodeRaw(fx.clip, "rgb24");
  const per = w * h * 1.5;
  let max = 0;
  for (let f = 0; f < 10; f++) {
    const data = new Uint8Array(yuv.buffer, yuv.byteOffset + f * per, per);
    const ours = yuv420ToRgb({
      width: w,
      height: h,
      data,
      y: { offset: 0, stride: w },
      u: { offset: w * h, stride: w / 2 },
      v: { offset: w * h * 1.25, stride: w / 2 },
    });
    const ref = rgb.subarray(f * w * h * 3, (f + 1) * w * h * 3);
    for (let i = 0; i < ours.length; i++) max = Math.max(max, Math.abs(ours[i] - ref[i]));
  }
  assert.ok(max <= 2, `max difference ${max} levels`);
});
