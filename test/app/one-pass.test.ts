// An encode decodes the whole video in one ffmpeg process, whatever the number of batches (before: one per
// batch, each decoding from frame 0, quadratic in the video's length).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HourLlavaApp } from "../../src/app/app.ts";
import { observeFfmpegSpawns } from "../../src/video/ffmpeg-spawn.ts";
import { ffmpeg } from "../video/clips.ts";
import { writeTinyModel } from "./tiny-model.ts";

let dir = "";
before(() => (dir = mkdtempSync(join(tmpdir(), "hl-one-pass-"))));
after(() => rmSync(dir, { recursive: true, force: true }));

test("remember() on a 200-second video in batches of 8 starts one decoding ffmpeg", async () => {
  const model = join(dir, "model");
  writeTinyModel(model);
  const video = join(dir, "long.mp4");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=32x32:rate=2:duration=200", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", video]);
  const app = await HourLlavaApp.load(model, { cacheDir: join(dir, "cache"), quiet: true, batch: 8 });
  const decodes: (readonly string[])[] = [];
  const stop = observeFfmpegSpawns((args) => {
    if (args.includes("rawvideo")) decodes.push(args);
  });
  try {
    const mem = await app.remember(video);
    assert.equal(mem.frames, 200); // 1 fps over 200 s: 25 batches of 8
  } finally {
    stop();
  }
  assert.equal(decodes.length, 1);
});
