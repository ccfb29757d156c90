// Stage 1's data: every sample is one frame (a one-frame video the memory repeats to 128 frames) with
// questions whose answers can be read off that frame's pixels.
import { test } from "node:test";
import assert from "node:assert/strict";
import { trainByteLevelBpe } from "../../src/io/bpe-trainer.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { tokenizerFromJson } from "../../src/io/tokenizer.ts";
import { MIN_FRAMES } from "../../src/model/arch/memory.ts";
import { renderWorldFrames } from "../../src/synth/model-frames.ts";
import { OBJECT_RGB, SCENE_LOOK } from "../../src/synth/palette.ts";
import { renderFrame } from "../../src/synth/render.ts";
import { COLOURS, REGIONS, SCENES } from "../../src/synth/vocab.ts";
import type { Colour, SceneName } from "../../src/synth/vocab.ts";
import { generateWorld } from "../../src/synth/world.ts";
import { parseTrainConfig } from "../../src/train/config.ts";
import { prepareSample } from "../../src/train/sample.ts";
import { FrameSource } from "../../src/train/synth-source.ts";
import { microConfig } from "../helpers/micro-config.ts";

const R = 64;
const cfg = parseTrainConfig({ stage: 1, model: { from: "base" }, data: { synth: { seed: 5, worlds: 6, framesPerWorld: 4 } }, steps: 1, out: "x" }, "test");
const S = 16;
const source = new FrameSource(cfg.data.synth, S);

/** Pixel counts of each object colour in a rendered frame, overall and per 3×3 region. */
function colourPixels(rgb: Uint8Array) {
  const total = new Map<string, number>();
  const byRegion = new Map<string, number>();
  for (let y = 0; y < R; y++)
    for (let x = 0; x < R; x++) {
      const i = (y * R + x) * 3;
      const c = COLOURS.find((k) => OBJECT_RGB[k].every((v, j) => v === rgb[i + j]));
      if (!c) continue;
      total.set(c, (total.get(c) ?? 0) + 1);
      const region = REGIONS[Math.floor((3 * y) / R) * 3 + Math.floor((3 * x) / R)];
      byRegion.set(`${c}@${region}`, (byRegion.get(`${c}@${region}`) ?? 0) + 1);
    }
  return { total, byRegion };
}

const colourOf = (text: string): Colour => {
  const c = COLOURS.find((k) => new RegExp(`\\b${k}\\b`).test(text));
  assert.ok(c, `no colour in "${text}"`);
  return c;
};

test("stage 1 (kind frame) samples are single frames, repeated to the memory's minimum frame count", () => {
  assert.equal(cfg.data.synth.kind, "frame");
  assert.ok(source.size >= 6 * 4, `${source.size} records`);
  const tok = tokenizerFromJson(trainByteLevelBpe(source.texts(), { vocabSize: 300 }));
  const model = parseHourLlavaConfig(microConfig({ vocab_size: 300 }), "micro");
  for (const i of [0, 7, source.size - 1]) {
    const s = source.get(i);
    const r = source.records[i];
    assert.equal(s.frames, 1);
    assert.equal(s.durationS, 1);
    assert.equal(s.pixels.length, 3 * S * S);
    // The frame is second t of its world, as the whole world's rendering shows it.
    const all = renderWorldFrames(r.world.seed, r.world.durationS, R, S);
    assert.deepEqual(s.pixels, all.subarray(r.t * 3 * S * S, (r.t + 1) * 3 * S * S));
    const prep = prepareSample(model, tok, s, "uniform", 0);
    assert.deepEqual(prep.feeds.frame_index.dims, [MIN_FRAMES]);
    assert.ok([...(prep.feeds.frame_index.data as BigInt64Array)].every((x) => x === 0n));
    assert.ok(s.turns.length >= 2 && s.turns.length <= 10 && s.turns.every((t, k) => "from" in t && t.from === (k % 2 ? "gpt" : "human")));
  }
});

test("stage 1 answers can be read off the frame's pixels", () => {
  const checked = new Map<string, number>();
  for (const r of source.records) {
    const rgb = renderFrame(generateWorld(r.world), r.t, { width: R, height: R });
    const { total, byRegion } = colourPixels(rgb);
    r.qa.forEach((q, k) => {
      const question = r.conversations[2 * k].value;
      const answer = q.answerText;
      const ctx = `${r.id}: ${question} → ${answer}`;
      switch (q.template) {
        case "frame-scene": {
          const look = SCENE_LOOK[answer as SceneName];
          assert.ok(SCENES.includes(answer as SceneName), ctx);
          let bg = 0;
          for (let i = 0; i < rgb.length; i += 3) if ([look.base, look.alt].some((c) => c[0] === rgb[i] && c[1] === rgb[i + 1] && c[2] === rgb[i + 2])) bg++;
          assert.ok(bg > 0.3 * R * R, ctx);
          break;
        }
        case "frame-count":
          assert.ok(total.size <= Number(answer) && (total.size === 0) === (answer === "0"), `${ctx} (colours ${[...total.keys()]})`);
          break;
        case "frame-only-object":
          assert.deepEqual([...total.keys()], [colourOf(answer)], ctx);
          break;
        case "frame-colour":
          assert.ok(total.has(answer), ctx);
          break;
        case "frame-shape":
          assert.ok(total.has(colourOf(question.split("\n")[0])), ctx);
          break;
        case "frame-region":
          assert.ok((byRegion.get(`${colourOf(question)}@${answer}`) ?? 0) > 0, ctx);
          break;
        case "frame-exists":
          if (q.format === "mc" || answer === "yes") assert.ok(total.has(colourOf(q.format === "mc" ? answer : question)), ctx);
          break;
      }
      checked.set(q.template, (checked.get(q.template) ?? 0) + 1);
    });
  }
  for (const t of ["frame-scene", "frame-count", "frame-colour", "frame-shape", "frame-region", "frame-exists", "frame-size"])
    assert.ok((checked.get(t) ?? 0) > 0, `no ${t} question in ${source.size} records`);
});
