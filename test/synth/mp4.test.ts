import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateWorld } from "../../src/synth/world.ts";
import { writeWorldMp4 } from "../../src/synth/mp4.ts";
import { probeVideo } from "../../src/video/probe.ts";
import { ffmpegPath } from "../../src/video/ffmpeg-path.ts";
import { OBJECT_RGB } from "../../src/synth/palette.ts";
import { visibleAt } from "../../src/synth/state.ts";

const dir = mkdtempSync(join(tmpdir(), "synth-mp4-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("a 20-s world at 64x64 becomes a 20-s, 20-frame H.264 mp4 with progress reported", async () => {
  const w = generateWorld({ seed: 3, durationS: 20 });
  const path = join(dir, "w.mp4");
  const seen: number[] = [];
  await writeWorldMp4(w, path, {
    width: 64,
    height: 64,
    onProgress: (done, total) => {
      assert.equal(total, 20);
      seen.push(done);
    },
  });
  assert.deepEqual(
    seen,
    Array.from({ length: 20 }, (_, i) => i + 1),
  );
  const info = await probeVideo(path, { countFrames: true });
  assert.equal(info.durationS, 20);
  assert.equal(info.frameCount, 20);
  assert.equal(info.fps, 1);
  assert.equal(info.codec, "h264");
  assert.equal([info.width, info.height].join("x"), "64x64");
  assert.deepEqual(readdirSync(dir), ["w.mp4"]); // no temp file left behind

  // Decoded pixels keep the object colours (within the lossy codec's error).
  const t = [...Array(20).keys()].find((s) => visibleAt(w, s).length > 0)!;
  const v = visibleAt(w, t)[0];
  const dec = spawnSync(
    ffmpegPath(),
    ["-v", "error", "-i", path, "-vf", `select=eq(n\\,${t})`, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"],
    { maxBuffer: 1 << 20 },
  );
  assert.equal(dec.status, 0, String(dec.stderr));
  const i = (Math.floor(v.pos.y * 64) * 64 + Math.floor(v.pos.x * 64)) * 3;
  const want = OBJECT_RGB[v.object.colour];
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(dec.stdout[i + c] - want[c]) <= 40, `${v.object.name}: ${[...dec.stdout.subarray(i, i + 3)]} vs ${want}`);
});

test("fps > 1 repeats each second: same duration, fps× frames", async () => {
  const path = join(dir, "w2.mp4");
  await writeWorldMp4(generateWorld({ seed: 4, durationS: 12 }), path, { width: 32, height: 32, fps: 3 });
  const info = await probeVideo(path, { countFrames: true });
  assert.equal(info.durationS, 12);
  assert.equal(info.frameCount, 36);
  assert.equal(info.fps, 3);
});

test("bad options are refused before anything is written", async () => {
  const w = generateWorld({ seed: 1, durationS: 10 });
  const path = join(dir, "bad.mp4");
  await assert.rejects(writeWorldMp4(w, path, { width: 63, height: 64 }), {
    message: "writeWorldMp4: width and height must be even for yuv420p H.264, got 63x64",
  });
  await assert.rejects(writeWorldMp4(w, path, { width: 64, height: 64, fps: 0 }), { message: "writeWorldMp4: fps must be an integer in [1, 60], got 0" });
  await assert.rejects(writeWorldMp4(w, join(dir, "missing", "x.mp4"), { width: 32, height: 32 }), /x\.mp4: ffmpeg failed to encode the world video/);
  assert.ok(!readdirSync(dir).some((f) => f.includes("bad") || f.endsWith(".tmp")));
});
