// Option drills: real multiple-choice turns with the right option's text named in the question.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildFrameRecords } from "../../src/synth/frame-dataset.ts";
import { buildSynthDataset } from "../../src/synth/dataset.ts";
import { optionDrills, parseMcTurn } from "../../src/synth/option-drill.ts";
import { turnsOf } from "../../src/train/synth-source.ts";

const MC = "What scene is shown?\nA. yellow desert\nB. gray city\nC. purple cave\nD. green forest\nAnswer with the option's letter.";

test("an MC turn parses into stem, options and the answer's text; anything else is null", () => {
  assert.deepEqual(parseMcTurn(MC, "C"), {
    stem: "What scene is shown?",
    options: ["A. yellow desert", "B. gray city", "C. purple cave", "D. green forest"],
    answerText: "purple cave",
  });
  assert.equal(parseMcTurn("What scene is shown?", "purple cave"), null);
  assert.equal(parseMcTurn(MC, "E"), null);
  assert.equal(parseMcTurn(MC.replace("B. gray", "X. gray"), "C"), null);
});

test("drills keep the options and the letter, name the answer's text, and drop open-ended exchanges", () => {
  const turns = [
    { from: "human" as const, value: "How many objects are on screen?" },
    { from: "gpt" as const, value: "3" },
    { from: "human" as const, value: MC },
    { from: "gpt" as const, value: "C" },
  ];
  assert.deepEqual(optionDrills(turns), [
    { from: "human", value: "Which option is purple cave?\nA. yellow desert\nB. gray city\nC. purple cave\nD. green forest\nAnswer with the option's letter." },
    { from: "gpt", value: "C" },
  ]);
  assert.deepEqual(optionDrills(turns.slice(0, 2)), []);
});

test("every MC question of the frame and video datasets becomes a drill whose named option is the right letter", () => {
  const frames = buildFrameRecords({ seed: 5, worlds: 3, minDurationS: 60, maxDurationS: 90, framesPerWorld: 2, qaPerSample: 64 });
  const videos = buildSynthDataset({ seed: 5, trainWorlds: 2, evalWorlds: 0, minDurationS: 60, maxDurationS: 90, qaPerSample: 64 }).train;
  let drills = 0;
  for (const r of [...frames, ...videos]) {
    const turns = turnsOf(r.conversations);
    const mcCount = r.qa.filter((q) => q.format === "mc").length;
    const d = optionDrills(turns);
    assert.equal(d.length, 2 * mcCount, r.id);
    for (let i = 0; i < d.length; i += 2) {
      const named = /^Which option is (.*)\?\n/.exec(d[i].value)![1];
      assert.ok(d[i].value.includes(`\n${d[i + 1].value}. ${named}\n`), d[i].value);
      drills++;
    }
  }
  assert.ok(drills > 40, `${drills} drills`);
});
