// drillsPerSample: every video-stage sample gets that many text drills after its own questions, the same ones
// each time the sample is drawn (resume stays exact), and the source's size is unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WithDrills } from "../../src/train/drill-source.ts";
import type { SampleSource } from "../../src/train/synth-source.ts";
import type { TrainSample } from "../../src/train/sample.ts";
import { MC_INSTRUCTION } from "../../src/synth/questions.ts";

const inner: SampleSource = {
  size: 3,
  get: (i): TrainSample => ({
    pixels: new Float32Array(0),
    frames: 1,
    durationS: 1,
    turns: [
      { from: "human", value: `q${i}` },
      { from: "gpt", value: `a${i}` },
    ],
  }),
  texts: () => [],
};

test("each sample keeps its own turns first, then N drills that are the same on every draw", () => {
  const s = new WithDrills(inner, 3, 5);
  assert.equal(s.size, 3);
  const a = s.get(1);
  assert.equal(a.turns.length, 2 + 3 * 2);
  assert.deepEqual(a.turns.slice(0, 2), inner.get(1).turns);
  const text = (t: (typeof a.turns)[number]) => ("value" in t ? t.value : t.content);
  for (let k = 2; k < a.turns.length; k += 2) {
    assert.ok(text(a.turns[k]).endsWith(MC_INSTRUCTION), text(a.turns[k]));
    assert.match(text(a.turns[k + 1]), /^[ABCD]$/);
  }
  assert.deepEqual(s.get(1).turns, a.turns);
  assert.notDeepEqual(s.get(2).turns.slice(2), a.turns.slice(2));
  assert.throws(() => new WithDrills(inner, 0, 1), /drillsPerSample must be a positive integer/);
});

test("drillKinds picks the kinds drawn from: coded drills name only a sign", () => {
  const s = new WithDrills(inner, 4, 5, ["coded", "lexicon"]);
  const turns = s.get(0).turns.slice(2);
  const text = (t: (typeof turns)[number]) => ("value" in t ? t.value : t.content);
  for (let k = 0; k < turns.length; k += 2) assert.match(text(turns[k]), /^(The sign is [a-z]{3}\. Which option|What does the sign [a-z]{3} stand for\?)/);
});
