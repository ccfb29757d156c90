// features export: the official layout (vid_feat [T, 64, width] after pooling + duration), frames in plan
// order whatever the batch, nothing left but the finished file, and a rerun keeps what exists.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HourLlavaApp } from "../../src/app/app.ts";
import { exportFeatures } from "../../src/features/export.ts";
import { openSafetensors } from "../../src/io/safetensors.ts";
import { FrameBatches } from "../../src/video/frame-batches.ts";
import { planFrames } from "../../src/video/video-frames.ts";
import { runBinary } from "../app/tiny-model.ts";
import { clip } from "../bench-eval/fixtures.ts";

let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "hl-features-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

test("vid_feat holds the pooled SigLIP features of the feature-extraction frames, and the duration", async () => {
  const video = join(root, "v.mp4");
  clip(video, 4);
  const app = await HourLlavaApp.load(undefined, { cacheDir: join(root, "cache") });
  const out = join(root, "feat", "v.safetensors");
  mkdirSync(join(root, "feat"));
  const r = await exportFeatures(app.model, video, out, { batch: 3 });
  const plan = await planFrames(video, { strategy: "one-fps-min" });
  const T = plan.sample.indices.length;
  const width = app.model.config.vision.hidden_size;
  assert.deepEqual([r.frames, r.width, r.durationS], [T, width, plan.sample.durationS]);
  const f = openSafetensors(out);
  assert.deepEqual(f.info("vid_feat").shape, [T, 64, width]);
  assert.deepEqual([...f.read("duration")], [plan.sample.durationS]);
  const feat = f.read("vid_feat");
  f.close();
  // The last frame on its own gives the same pooled features as its place in the file (batching, order).
  const frames = new FrameBatches(video, plan, app.model.config.vision.image_size);
  const pixels = await frames.take(T - 1, 1);
  await frames.close();
  const { pooled } = await app.model.encodeFrames(pixels, 1, true);
  const last = feat.subarray((T - 1) * 64 * width);
  assert.equal(last.length, pooled!.length);
  let maxDiff = 0;
  for (let i = 0; i < last.length; i++) maxDiff = Math.max(maxDiff, Math.abs(last[i] - pooled![i]));
  assert.ok(maxDiff < 1e-4, `last frame differs by ${maxDiff}`);
  assert.deepEqual(readdirSync(join(root, "feat")), ["v.safetensors"]);
});

test("the command writes one file per video and keeps existing ones on a rerun", () => {
  const a = join(root, "a.mp4");
  clip(a, 2, 90);
  const out = join(root, "cli-out");
  const args = ["features", "export", a, "--out", out, "--cache-dir", join(root, "cache"), "--quiet"];
  let r = runBinary(args);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /a\.safetensors: \d+ frames × 64 × \d+, 2\.00 s\n$/);
  r = runBinary(args);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /a\.safetensors: exists, kept/);
  r = runBinary(["features", "export", "--out", out]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^hourllava: features export: give videos or --list videos\.txt\n$/);
});
