// ffmpeg reads only the file named: playlists are refused with one line, a relative name with a colon is a
// file (not a protocol), and every ffmpeg the video layer starts gets a file: URL and a file-only whitelist.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { loadImage } from "../../src/image/load-image.ts";
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

test("the named file is the file read: an image or video named like an ffmpeg pattern (p%d.png, v*.mp4) is read as itself", async () => {
  const dir = join(fx.dir, "patterns");
  mkdirSync(dir, { recursive: true });
  // p1.png is what ffmpeg's image2 demuxer would read for "p%d.png"; the named file is another image.
  writeFileSync(join(dir, "p1.png"), readFileSync("samples/demo.png"));
  const named = join(dir, "p%d.png");
  writeFileSync(named, solidPng(8, 6, [200, 10, 30]));
  const img = await loadImage(named);
  assert.deepEqual([img.width, img.height], [8, 6]);
  assert.deepEqual([...img.rgb.subarray(0, 3)], [200, 10, 30]);
  const video = join(dir, "clip%d[1].mp4");
  writeFileSync(video, readFileSync(fx.clip));
  assert.equal((await probeVideo(video)).frameCount, (await probeVideo(fx.clip)).frameCount);
});

/** A w × h PNG of one colour (uncompressed deflate blocks, so no encoder is needed). */
function solidPng(w: number, h: number, rgb: [number, number, number]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.concat(Array.from({ length: h }, () => Buffer.from([0, ...Array.from({ length: w }, () => rgb).flat()])));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}
