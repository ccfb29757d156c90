// data.synth.frameShare: single frames of the training worlds shuffled in with their videos, so that a video
// stage keeps the frame reading an earlier stage learned.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseTrainConfig } from "../../src/train/config.ts";
import { FrameSource, MixedSource, SynthSource, synthSource } from "../../src/train/synth-source.ts";
import { sampleIndex } from "../../src/train/trainer.ts";

const S = 16;
const synth = { seed: 3, worlds: 4, minDurationS: 20, maxDurationS: 30, framesPerWorld: 6, qaPerSample: 4 };
const cfg = (extra: Record<string, unknown>) =>
  parseTrainConfig({ model: { from: "m" }, data: { synth: { kind: "video", ...synth, ...extra } }, steps: 1, out: "x" }, "test");

test("frameShare mixes that share of single frames of the same worlds into the video samples", () => {
  const c = cfg({ frameShare: 0.25 });
  const mixed = synthSource(c.data.synth, S);
  assert.ok(mixed instanceof MixedSource);
  const videos = new SynthSource(c.data.synth, c.data.synth.renderSize, S);
  const frames = new FrameSource({ ...c.data.synth, kind: "frame" }, S);
  assert.equal(mixed.videos.size, videos.size);
  assert.equal(mixed.frameCount, Math.round(videos.size / 3));
  assert.equal(mixed.size, videos.size + mixed.frameCount);
  // Videos first, unchanged; then frames spread over the frame records, each one frame of a training world.
  const worldSeeds = new Set(videos.records.map((r) => r.world.seed));
  for (let i = 0; i < mixed.size; i++) {
    const s = mixed.get(i);
    if (i < videos.size) {
      assert.equal(s.frames, videos.records[i].world.durationS);
      assert.deepEqual(s.turns, videos.get(i).turns);
    } else {
      const j = Math.floor(((i - videos.size) * frames.size) / mixed.frameCount);
      assert.ok(worldSeeds.has(frames.records[j].world.seed), "a frame of a world the videos come from");
      assert.equal(s.frames, 1);
      assert.equal(s.durationS, 1);
      assert.deepEqual(s.pixels, frames.get(j).pixels);
    }
  }
  // The run's shuffled order draws both kinds from the start.
  const firstKinds = Array.from({ length: 40 }, (_, k) => mixed.get(sampleIndex(0, mixed.size, k)).frames === 1);
  assert.ok(firstKinds.includes(true) && firstKinds.includes(false), "frames and videos interleave");
  // The tokenizer corpus holds the frame questions as well.
  const texts = [...mixed.texts()];
  assert.ok(texts.includes("What scene is shown?"));
  assert.equal(texts.length, [...videos.texts()].length + [...frames.texts()].length);
});

test("frameShare 0 (the default) keeps the plain video source", () => {
  assert.ok(synthSource(cfg({}).data.synth, S) instanceof SynthSource);
  assert.equal(cfg({}).data.synth.frameShare, 0);
});

test("frameShare outside (0, 0.9] or on frame data is refused with the field named", () => {
  assert.throws(() => cfg({ frameShare: 0.95 }), /data\.synth\.frameShare/);
  assert.throws(() => cfg({ frameShare: -0.1 }), /data\.synth\.frameShare/);
  assert.throws(() => cfg({ kind: "frame", frameShare: 0.5 }), /data\.synth\.frameShare: kind "frame" is all frames already/);
});
