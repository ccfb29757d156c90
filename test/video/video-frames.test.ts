import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { planFrames, preprocessedFrames } from "../../src/video/video-frames.ts";
import { decodeFrames } from "../../src/video/frames.ts";
import { preprocessFrame } from "../../src/video/preprocess.ts";
import { createProgress } from "../../src/util/progress.ts";
import { makeTempDir, testsrcClip } from "./clips.ts";

let cleanup = () => {};
let clip = "";
before(() => {
  const t = makeTempDir();
  cleanup = t.cleanup;
  clip = testsrcClip(t.dir);
});
after(() => cleanup());

test("planFrames: a 100-frame clip keeps every frame under the one-fps-min rule; streaming steps by 25", async () => {
  const plan = await planFrames(clip);
  assert.equal(plan.info.frameCountSource, "table"); // mp4: the sample tables, which prove what decodes (see mp4-table-count.ts)
  assert.deepEqual(
    plan.sample.indices,
    Array.from({ length: 100 }, (_, i) => i),
  );
  const streaming = await planFrames(clip, { strategy: "streaming", minFrames: 2 });
  assert.deepEqual(streaming.sample.indices, [0, 25, 50, 75]);
  assert.deepEqual(streaming.sample.timesS, [0, 1, 2, 3]);
});

test("preprocessedFrames yields SigLIP tensors of the decoded frames and ticks progress", async () => {
  const plan = await planFrames(clip, { strategy: "streaming", minFrames: 2 });
  const lines: string[] = [];
  const progress = createProgress({ label: "frames", total: 4, unit: "frames", stream: { write: (s: string) => lines.push(s) } });
  const got = [];
  for await (const f of preprocessedFrames(clip, plan, { size: 32, progress })) got.push(f);
  progress.done();
  assert.deepEqual(
    got.map((f) => f.index),
    [0, 25, 50, 75],
  );
  assert.equal(progress.count, 4);
  assert.equal(lines.length, 4); // 25%, 50%, 75%, done
  const direct = [];
  for await (const f of decodeFrames(clip, [50])) direct.push(preprocessFrame(f.rgb, f.width, f.height, 32));
  assert.equal(got[2].pixels.length, 3 * 32 * 32);
  assert.deepEqual(got[2].pixels, direct[0]);
  for (const v of got[2].pixels) assert.ok(v >= -1 && v <= 1);
});
