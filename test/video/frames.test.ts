import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeFrames, selectExpression, INLINE_FILTER_LIMIT, type DecodedFrame } from "../../src/video/frames.ts";
import { probeVideo } from "../../src/video/probe.ts";
import { ffmpeg, makeTempDir, rampClip, testsrcClip } from "./clips.ts";

let dir = "";
let cleanup = () => {};
let clip = "";
let ramp = "";
before(() => {
  ({ dir, cleanup } = makeTempDir());
  clip = testsrcClip(dir);
  ramp = rampClip(dir);
});
after(() => cleanup());

async function collect(it: AsyncIterable<DecodedFrame>): Promise<DecodedFrame[]> {
  const out: DecodedFrame[] = [];
  for await (const f of it) out.push(f);
  return out;
}

/** Names of this process's live ffmpeg children, from /proc (no dependency on ps). */
function ffmpegChildren(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    // "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'.
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(ppid) === process.pid && comm.includes("ffmpeg") && state !== "Z") out.push(`${pid} ${comm}`);
  }
  return out;
}

test("decodes chosen frames of a testsrc2 clip in order, with known bar colours", async () => {
  const frames = await collect(decodeFrames(clip, [0, 1, 50, 99]));
  assert.deepEqual(
    frames.map((f) => f.index),
    [0, 1, 50, 99],
  );
  assert.deepEqual(
    frames.map((f) => f.timeS),
    [0, 0.04, 2, 3.96],
  );
  assert.notDeepEqual(frames[0].rgb, frames[2].rgb);
  // testsrc2's first frame has six colour bars along its bottom rows (they scroll later on).
  const bars: [number, number[]][] = [
    [10, [255, 0, 0]],
    [40, [0, 255, 0]],
    [66, [255, 255, 0]],
    [94, [0, 0, 255]],
    [120, [255, 0, 255]],
    [150, [0, 255, 255]],
  ];
  for (const f of frames) {
    assert.equal(f.width, 160);
    assert.equal(f.height, 90);
    assert.equal(f.rgb.length, 160 * 90 * 3);
    if (f.index !== 0) continue;
    for (const [x, want] of bars) {
      const o = (85 * 160 + x) * 3;
      const got = [f.rgb[o], f.rgb[o + 1], f.rgb[o + 2]];
      for (let c = 0; c < 3; c++) assert.ok(Math.abs(got[c] - want[c]) <= 12, `frame ${f.index} x=${x}: ${got} vs ${want}`);
    }
  }
});

test("select picks exactly the requested frame numbers (luma ramp clip)", async () => {
  const all = await collect(
    decodeFrames(
      ramp,
      Array.from({ length: 100 }, (_, i) => i),
    ),
  );
  assert.equal(all.length, 100);
  const value = (f: DecodedFrame) => f.rgb[0];
  for (let i = 1; i < 100; i++) assert.ok(value(all[i]) > value(all[i - 1]), `frame ${i} is not brighter than frame ${i - 1}`);
  const picks = [0, 3, 4, 31, 32, 33, 64, 98, 99];
  const some = await collect(decodeFrames(ramp, picks));
  assert.deepEqual(
    some.map((f) => f.index),
    picks,
  );
  assert.deepEqual(
    some.map(value),
    picks.map((i) => value(all[i])),
  );
  assert.deepEqual(some[3].rgb, all[31].rgb);
});

test("width/height options scale in ffmpeg", async () => {
  const frames = await collect(decodeFrames(clip, [10, 20], { width: 32, height: 18 }));
  assert.deepEqual(
    frames.map((f) => [f.width, f.height, f.rgb.length]),
    [
      [32, 18, 32 * 18 * 3],
      [32, 18, 32 * 18 * 3],
    ],
  );
});

test("breaking out of the loop kills ffmpeg", async () => {
  const it = decodeFrames(
    clip,
    Array.from({ length: 100 }, (_, i) => i),
  );
  let seen = 0;
  let runningWhileReading = 0;
  for await (const f of it) {
    seen++;
    runningWhileReading = ffmpegChildren().length;
    if (f.index === 1) break;
  }
  assert.equal(seen, 2);
  assert.equal(runningWhileReading, 1, "ffmpeg should still be running while frames are read");
  assert.deepEqual(ffmpegChildren(), []);
});

test("thousands of indices go through a filter script", async () => {
  const p = join(dir, "many.mp4");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=16x16:rate=100:duration=50", "-c:v", "libx264", "-preset", "ultrafast", p]);
  const indices = Array.from({ length: 4900 }, (_, i) => i);
  assert.ok(`select=${selectExpression(indices)}`.length > INLINE_FILTER_LIMIT);
  let n = 0;
  let last = -1;
  for await (const f of decodeFrames(p, indices)) {
    assert.equal(f.index, last + 1);
    last = f.index;
    n++;
  }
  assert.equal(n, 4900);
});

test("selectExpression builds a search tree of eq() leaves", () => {
  assert.equal(selectExpression([3, 7]), "eq(n\\,3)+eq(n\\,7)");
  const idx = Array.from({ length: 20 }, (_, i) => i * 2);
  assert.ok(selectExpression(idx).startsWith("if(lt(n\\,20)\\,eq(n\\,0)+"));
});

test("bad index lists are refused before ffmpeg runs", async () => {
  await assert.rejects(collect(decodeFrames(clip, [5, 5])), { message: `${clip}: frame indices must be strictly increasing (5 then 5)` });
  await assert.rejects(collect(decodeFrames(clip, [0, 100])), { message: `${clip}: frame index 100 is out of range (the video has 100 frames)` });
  await assert.rejects(collect(decodeFrames(clip, [-1])), { message: `${clip}: frame index -1 is not a non-negative integer` });
  await assert.rejects(collect(decodeFrames(clip, [0], { width: 0 })), { message: "decodeFrames: width 0 must be an integer in 1..8192" });
});

test("a file cut short mid-stream reports which frame is missing", async () => {
  const mkv = join(dir, "whole.mkv");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=4", "-c:v", "mpeg4", "-q:v", "2", mkv]);
  const cut = join(dir, "cut.mkv");
  const bytes = readFileSync(mkv);
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const info = await probeVideo(cut);
  assert.equal(info.frameCount, 100); // the header still promises 4 s
  const err = await collect(decodeFrames(cut, [0, 90, 99], { info })).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.ok(err, "expected an error");
  assert.equal(
    err.message,
    `${cut}: the video ended after 1 of 3 requested frames; frame index 90 is past its last decodable frame (truncated file, or frame count 100 overestimated)`,
  );
});
