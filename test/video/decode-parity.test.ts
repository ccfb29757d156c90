import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeFrames } from "../../src/video/frames.ts";
import { loadPixelFixture } from "./pixel-fixture.ts";
import { makeTempDir } from "./clips.ts";

const fx = loadPixelFixture();
let dir = "";
let cleanup = () => {};
before(() => ({ dir, cleanup } = makeTempDir()));
after(() => cleanup());

test("decoded rgb24 frames equal PyAV's to_ndarray('rgb24') of the same clip", async () => {
  const clip = join(dir, "clip.mp4");
  writeFileSync(clip, fx.bytes("clip/mp4"));
  const picks = fx.meta.clip_frames;
  let k = 0;
  for await (const f of decodeFrames(clip, picks)) {
    const want = fx.bytes(`clip/frame${f.index}`);
    assert.deepEqual(fx.shape(`clip/frame${f.index}`), [f.height, f.width, 3]);
    // Bit-identical: the bundled ffmpeg's rgb24 conversion and PyAV's (Debian's libswscale) agree on this clip.
    let diffs = 0;
    for (let i = 0; i < want.length; i++) if (f.rgb[i] !== want[i]) diffs++;
    assert.equal(diffs, 0, `frame ${f.index}: ${diffs} of ${want.length} bytes differ from PyAV`);
    k++;
  }
  assert.equal(k, picks.length);
});
