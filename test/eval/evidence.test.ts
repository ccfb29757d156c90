// Which questions only the full memory can answer: a brief event between the frames temporal forgetting keeps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { droppedEvidenceQuestions, evidenceOf, evidenceFrames } from "../../src/eval/evidence.ts";
import { temporalIndices } from "../../src/model/arch/forgetting.ts";
import { generateWorld } from "../../src/synth/world.ts";
import { generateQuestions } from "../../src/synth/questions.ts";
import type { SynthQuestion } from "../../src/synth/questions.ts";

const T = 100; // forgetting keeps 25 frames: 0, 4, 8, … 99 (linspace over 0..99), plus the last
const kept = new Set(temporalIndices(T));
const world = generateWorld({ seed: 7, durationS: T });
const q = (template: string, start: number, end = start + 1) => ({ template, span: { start, end } }) as SynthQuestion;
const firstKept = [...kept].sort((a, b) => a - b)[1];
const between = [...Array(T).keys()].find((t) => !kept.has(t))!;

test("a flash's second is dropped unless forgetting keeps that frame; lasting content always counts as kept", () => {
  assert.equal(evidenceOf(q("flash-time", firstKept), world, T), "kept");
  assert.equal(evidenceOf(q("flash-time", between), world, T), "dropped");
  assert.equal(evidenceOf(q("scene-change-time", between), world, T), "dropped");
  // "What scene is shown at t?" names one second, but the scene lasts: a kept frame nearby holds it too.
  assert.equal(evidenceOf(q("scene-at", between), world, T), "kept");
});

test("a flash count is complete only when every flash falls on a kept frame", () => {
  const flashes = world.events.filter((e) => e.kind === "flash").map((e) => e.start);
  assert.ok(flashes.length > 0, "seed 7 has flashes");
  const count = q("count-flash", 0, T);
  assert.deepEqual(evidenceFrames(count, world), flashes);
  assert.equal(evidenceOf(count, world, T), flashes.every((t) => kept.has(t)) ? "kept" : "dropped");
});

test("held-out worlds do ask such questions: about 3 in 4 brief-event questions miss the kept frames", () => {
  let brief = 0;
  let dropped = 0;
  for (let i = 0; i < 20; i++) {
    const w = generateWorld({ seed: 900 + i, durationS: 120 });
    for (const x of generateQuestions(w, { seed: 900 + i, perTask: 1, formats: ["open"] })) {
      if (!["flash-time", "first-appear-time", "scene-change-time", "count-flash"].includes(x.template)) continue;
      brief++;
      if (evidenceOf(x, w, 120) === "dropped") dropped++;
    }
  }
  assert.ok(brief >= 20, `brief questions: ${brief}`);
  // Forgetting keeps 1 frame in 4: a 1-second event lands on a kept frame about a quarter of the time.
  assert.ok(dropped / brief > 0.5 && dropped / brief < 0.95, `${dropped}/${brief}`);
});

test("more seeds' brief questions: only dropped-evidence ones, none asked twice, several per world", () => {
  const w = generateWorld({ seed: 4242, durationS: 150 });
  const gen = (seed: number) => generateQuestions(w, { seed, perTask: 1, formats: ["open", "mc"] });
  const asked = gen(4242);
  const more = droppedEvidenceQuestions(w, 150, asked, gen, 8, 4242);
  assert.ok(more.length >= 4, `${more.length} extra questions`);
  const texts = new Set(asked.map((x) => x.question));
  for (const x of more) {
    assert.equal(evidenceOf(x, w, 150), "dropped", x.question);
    assert.ok(!texts.has(x.question), `asked twice: ${x.question}`);
    texts.add(x.question);
  }
  assert.deepEqual(droppedEvidenceQuestions(w, 150, asked, gen, 0, 4242), []);
});
