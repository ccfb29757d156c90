// ffmpeg reads only the file named: playlists are refused with one line, a relative name with a colon is a
// file (not a protocol), and every ffmpeg the video layer starts gets a file: URL and a file-only whitelist.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { observeFfmpegSpawns } from "../../src/video/ffmpeg-spawn.ts";
import { planFrames } from "../../src/video/video-frames.ts";
import { decodeFrames } from "../../src/video/frames.ts";
import { probeVideo } from "../../src/video/probe.ts";
import { useTestsrcClip } from "./clips.ts";

const fx = useTestsrcClip();

test("an HLS playlist named .mp4 that points at another local file is refused, naming what it is", async () => {
  const p = join(fx.dir, "innocent.mp4");
  writeFileSync(p, `#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\n${fx.clip}\n#EXT-X-ENDLIST\n`);
  await assert.rejects(probeVideo(p), { message: `${p}: is an M3U/HLS playlist, not a video file; only a local video file is read` });
});

test("an ffconcat script named .mp4 is refused", async () => {
  const p = join(fx.dir, "concat.mp4");
  writeFileSync(p, `ffconcat version 1.0\nfile '${fx.clip}'\n`);
  await assert.rejects(probeVideo(p), /is an ffmpeg concat script, not a video file/);
});

test("a relative name with a colon is read as a file, with a file-only protocol whitelist", async () => {
  // "talk:1.mp4" in the working folder: ffmpeg alone takes "talk" for a protocol name and fails.
  const named = join(fx.dir, "talk:1.mp4");
  writeFileSync(named, readFileSync(fx.clip));
  const cwd = process.cwd();
  process.chdir(fx.dir);
  const rel = "talk:1.mp4";
  const seen: (readonly string[])[] = [];
  const stop = observeFfmpegSpawns((a) => seen.push(a));
  try {
    const plan = await planFrames(rel, { strategy: "streaming", minFrames: 2 });
    let n = 0;
    for await (const _f of decodeFrames(rel, plan.sample.indices, { info: plan.info })) n++;
    assert.equal(n, 4);
  } finally {
    stop();
    process.chdir(cwd);
  }
  const inputs = seen.filter((a) => a.includes("-i") && !a.includes("lavfi"));
  assert.ok(inputs.length >= 2);
  for (const a of inputs) {
    assert.equal(a[a.indexOf("-i") + 1], `file:${named}`);
    assert.equal(a[a.indexOf("-protocol_whitelist") + 1], "file");
  }
});
