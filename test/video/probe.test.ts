import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { probeVideo, parseProbeOutput } from "../../src/video/probe.ts";
import { ffmpeg, truncatedClip, useTestsrcClip, y4mClip } from "./clips.ts";

const fx = useTestsrcClip();

test("probes a 4-s 25-fps 160x90 H.264 clip", async () => {
  const info = await probeVideo(fx.clip);
  assert.deepEqual(info, { durationS: 4, fps: 25, frameCount: 100, width: 160, height: 90, codec: "h264", frameCountSource: "estimate", streamSpec: "0:0" });
  const counted = await probeVideo(fx.clip, { countFrames: true });
  assert.equal(counted.frameCount, 100);
  assert.equal(counted.frameCountSource, "table");
});

test("NTSC rates come back as 30000/1001, not the printed 29.97", async () => {
  const p = join(fx.dir, "ntsc.mkv");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x36:rate=30000/1001:duration=2", "-c:v", "libx264", "-preset", "ultrafast", p]);
  const info = await probeVideo(p, { countFrames: true });
  assert.equal(info.fps, 30000 / 1001);
  assert.equal(info.frameCount, 60);
});

test("a raw H.264 stream (no container duration) gets its frames counted", async () => {
  const p = join(fx.dir, "raw.h264");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x36:rate=25:duration=2", "-c:v", "libx264", "-preset", "ultrafast", "-f", "h264", p]);
  const info = await probeVideo(p);
  assert.equal(info.frameCountSource, "counted");
  assert.equal(info.frameCount, 50);
  assert.equal(info.durationS, 2);
});

test("missing file", async () => {
  const p = join(fx.dir, "nope.mp4");
  await assert.rejects(probeVideo(p), { message: `${p}: no such file` });
});

test("a directory", async () => {
  const p = join(fx.dir, "folder.mp4");
  mkdirSync(p);
  await assert.rejects(probeVideo(p), { message: `${p}: is a directory, not a video file` });
});

test("a text file named .mp4", async () => {
  const p = join(fx.dir, "notes.mp4");
  writeFileSync(p, "hello, this is not a video\n");
  await assert.rejects(probeVideo(p), {
    message: `${p}: not a readable video; corrupt, truncated or not a video file (ffmpeg: moov atom not found; Invalid data found when processing input)`,
  });
});

test("an empty file", async () => {
  const p = join(fx.dir, "empty.mp4");
  writeFileSync(p, "");
  await assert.rejects(probeVideo(p), { message: `${p}: file is empty` });
});

test("audio only", async () => {
  const p = join(fx.dir, "tone.m4a");
  ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=1", p]);
  await assert.rejects(probeVideo(p), { message: `${p}: has no video stream (found: audio)` });
});

test("a truncated MP4", async () => {
  const p = join(fx.dir, "truncated.mp4");
  writeFileSync(p, readFileSync(fx.clip).subarray(0, 20000));
  await assert.rejects(probeVideo(p), {
    message: `${p}: not a readable video; corrupt, truncated or not a video file (ffmpeg: moov atom not found; Invalid data found when processing input)`,
  });
});

test("absurd resolution: wider than 8192", async () => {
  const p = y4mClip(fx.dir, 9000, 2);
  await assert.rejects(probeVideo(p), { message: `${p}: video resolution 9000x2 is out of range (each side must be 1..8192)` });
});

test("ffmpeg that cannot be run is one clear line", async () => {
  const saved = process.env.HOURLLAVA_FFMPEG;
  process.env.HOURLLAVA_FFMPEG = join(fx.dir, "no-ffmpeg-here");
  try {
    await assert.rejects(probeVideo(fx.clip), {
      message: `cannot run ffmpeg (${join(fx.dir, "no-ffmpeg-here")}): spawn ${join(fx.dir, "no-ffmpeg-here")} ENOENT`,
    });
  } finally {
    if (saved === undefined) delete process.env.HOURLLAVA_FFMPEG;
    else process.env.HOURLLAVA_FFMPEG = saved;
  }
});

// Reports ffmpeg prints for files that are hard to make on purpose.
const report = (duration: string, stream: string) =>
  `Input #0, matroska,webm, from 'x.mkv':\n  Duration: ${duration}, start: 0.000000, bitrate: 1 kb/s\n    Stream #0:0: ${stream}\n`;

test("parser: zero duration", () => {
  assert.throws(() => parseProbeOutput("x.mkv", report("00:00:00.00", "Video: h264 (High), yuv420p, 64x36, 25 fps, 25 tbr, 1k tbn")), {
    message: "x.mkv: video has zero duration",
  });
});

test("parser: zero-sized picture", () => {
  assert.throws(() => parseProbeOutput("x.mkv", report("00:00:01.00", "Video: h264 (High), yuv420p, 0x0, 25 fps, 25 tbr, 1k tbn")), {
    message: "x.mkv: video resolution 0x0 is out of range (each side must be 1..8192)",
  });
});

test("parser: codec tags are not read as sizes; 23.98 snaps to 24000/1001; cover art is skipped", () => {
  const text =
    "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'x.mp4':\n  Duration: 01:02:03.50, start: 0.000000, bitrate: 1 kb/s\n" +
    "    Stream #0:0(und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 128 kb/s (default)\n" +
    "    Stream #0:1: Video: mjpeg (Baseline), yuvj420p(pc), 600x600, 90k tbr, 90k tbn (attached pic)\n" +
    "    Stream #0:2(eng): Video: h264 (Main) (avc1 / 0x31637661), yuv420p(tv, bt709), 1920x1080 [SAR 1:1 DAR 16:9], 5000 kb/s, 23.98 fps, 23.98 tbr, 24k tbn, 47.95 tbc (default)\n";
  assert.deepEqual(parseProbeOutput("x.mp4", text), {
    durationS: 3723.5,
    fps: 24000 / 1001,
    width: 1920,
    height: 1080,
    codec: "h264",
    streamSpec: "0:2",
    container: "mov",
  });
});

test("parser: no fps falls back to tbr; none at all is an error", () => {
  assert.equal(parseProbeOutput("x.mkv", report("00:00:01.00", "Video: vp9, yuv420p, 64x36, 30k tbr, 1k tbn")).fps, 30000);
  assert.throws(() => parseProbeOutput("x.mkv", report("00:00:01.00", "Video: vp9, yuv420p, 64x36, 1k tbn")), {
    message: 'x.mkv: video frame rate is unknown ("vp9, yuv420p, 64x36, 1k tbn")',
  });
});

test("a silent wrong answer: a truncated mp4 keeps the header's duration beside the decodable one", async () => {
  const { whole, cut } = truncatedClip(join(fx.dir, "truncated"));
  const info = await probeVideo(cut, { countFrames: true });
  assert.ok(info.durationS < 12, `decodable ${info.durationS} s`);
  assert.equal(info.headerDurationS, 20);
  const full = await probeVideo(whole, { countFrames: true });
  assert.equal(full.durationS, 20);
  assert.equal(full.headerDurationS, undefined);
});
