// Image files through ffmpeg: PNG bit-exact, JPEG close, video files not taken for images, one-line errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isImageFile, loadImage, parsePpm } from "../../src/image/load-image.ts";
import { ffmpegPath } from "../../src/video/ffmpeg-path.ts";
import { synthImage } from "../video/synth-image.ts";

const PNG = "test/fixtures/parity/image_tiny.png"; // written by Pillow in make_image_fixture.py
const dir = mkdtempSync(join(tmpdir(), "hl-image-"));

test("a PNG decodes to Pillow's pixels exactly", async () => {
  const img = await loadImage(PNG);
  assert.equal(img.width, 100);
  assert.equal(img.height, 56);
  assert.deepEqual(img.rgb, synthImage(100, 56, 11));
});

test("a JPEG decodes to its size and close to the source pixels", async () => {
  const jpg = join(dir, "photo.jpg");
  const r = spawnSync(ffmpegPath(), ["-v", "error", "-y", "-i", PNG, "-q:v", "2", jpg]);
  assert.equal(r.status, 0, r.stderr?.toString());
  const img = await loadImage(jpg);
  assert.deepEqual([img.width, img.height], [100, 56]);
  const src = synthImage(100, 56, 11);
  let sum = 0;
  for (let i = 0; i < src.length; i++) sum += Math.abs(src[i] - img.rgb[i]);
  assert.ok(sum / src.length < 20, `mean abs difference ${sum / src.length}`); // noise pattern, lossy codec
  assert.ok(isImageFile(jpg));
});

test("images are told from videos by their bytes, else by extension", () => {
  assert.equal(isImageFile(PNG), true);
  assert.equal(isImageFile("samples/demo.mp4"), false);
  assert.equal(isImageFile("samples/demo.png"), true);
  const named = join(dir, "frame.dat");
  writeFileSync(named, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  assert.equal(isImageFile(named), true, "PNG bytes under another name");
  assert.equal(isImageFile(join(dir, "missing.JPG")), true, "a missing file by its extension");
  assert.equal(isImageFile(join(dir, "missing.mp4")), false);
});

test("bad image inputs get one-line errors", async () => {
  await assert.rejects(loadImage(join(dir, "nope.png")), /nope\.png: no such file$/);
  const sub = join(dir, "folder.png");
  mkdirSync(sub);
  await assert.rejects(loadImage(sub), /folder\.png: is a directory, not an image file$/);
  const empty = join(dir, "empty.png");
  writeFileSync(empty, "");
  await assert.rejects(loadImage(empty), /empty\.png: file is empty$/);
  const bad = join(dir, "bad.png");
  writeFileSync(bad, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]));
  await assert.rejects(
    loadImage(bad),
    (e: Error) => /bad\.png: not a readable image; corrupt, truncated or not an image file \(ffmpeg: .+\)$/.test(e.message) && !e.message.includes("\n"),
  );
  assert.throws(() => parsePpm(Buffer.from("P5 2 2 255\n....")), /8-bit PPM/);
  assert.throws(() => parsePpm(Buffer.from("P6 2 2 255\nabc")), /truncated/);
});
