import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HourLlavaApp } from "../../src/app/app.ts";
import { ffmpeg } from "../video/clips.ts";
import { writeTinyModel } from "./tiny-model.ts";

let dir = "";
let video = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "hl-model-id-"));
  video = join(dir, "v.mp4");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=32x32:rate=1:duration=6", "-pix_fmt", "yuv420p", video]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function remember(model: string, cacheDir: string) {
  const app = await HourLlavaApp.load(model, { cacheDir, quiet: true });
  const mem = await app.remember(video);
  return { id: await app.modelId(), hit: mem.cache.hit, key: mem.cache.key };
}

test("a model with new weight values but the same layout and config misses the cache", async () => {
  const model = join(dir, "model");
  const cache = join(dir, "cache");
  writeTinyModel(model);
  const first = await remember(model, cache);
  assert.equal(first.hit, false);
  const again = await remember(model, cache);
  assert.equal(again.hit, true);
  assert.equal(again.id, first.id);
  // A "fine-tune": same tensor names, shapes and file size, one projector value changed.
  writeTinyModel(model, {}, (w) => {
    const name = [...w.keys()].find((n) => n.includes("mm_projector"))!;
    w.get(name)!.data[0] += 0.5;
  });
  const tuned = await remember(model, cache);
  assert.notEqual(tuned.id, first.id);
  assert.notEqual(tuned.key, first.key);
  assert.equal(tuned.hit, false);
});
