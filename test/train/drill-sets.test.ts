// The language stage's drills: each kind's shape, and the signs that coded drills ask about.
import { test } from "node:test";
import assert from "node:assert/strict";
import { drillSet, SIGNS } from "../../src/train/drill-sets.ts";

test("coded drills never write the right option in the question, only its sign; lexicon drills teach the signs", () => {
  const signs = [...SIGNS.values()];
  assert.equal(new Set(signs).size, signs.length, "one sign per word");
  for (const s of signs) assert.match(s, /^[a-z]{3}$/);
  for (const [user, answer] of drillSet("coded", 200, 3)) {
    const lines = user.value.split("\n");
    const sign = /^The sign is ([a-z]{3})\. Which option does it stand for\?$/.exec(lines[0])?.[1];
    assert.ok(sign, lines[0]);
    const options = lines.slice(1, 5).map((l) => l.slice(3));
    const right = options["ABCD".indexOf(answer.value)];
    assert.equal(SIGNS.get(right), sign);
    assert.ok(!lines[0].includes(right), "the right option's words are not in the question");
    assert.equal(lines[5], "Answer with the option's letter.");
  }
  const letters = drillSet("coded", 400, 4).map(([, a]) => a.value);
  for (const l of "ABCD") assert.ok(letters.filter((x) => x === l).length > 60, `letter ${l} is drawn evenly`);
  for (const [user, answer] of drillSet("lexicon", 50, 5)) {
    const sign = /^What does the sign ([a-z]{3}) stand for\?$/.exec(user.value)?.[1];
    assert.equal(SIGNS.get(answer.value), sign);
  }
});

test("coded-far drills put 1–8 sentences naming no option word between the sign and the question", () => {
  const words = [...SIGNS.keys()].filter((w) => w.length > 2);
  const gaps = new Set<number>();
  for (const [user, answer] of drillSet("coded-far", 200, 6)) {
    const lines = user.value.split("\n");
    const m = /^The sign is ([a-z]{3})\.((?: [^.]+\.(?:\d\d [^.]+\.)?)+) Which option does it stand for\?$/.exec(lines[0]);
    assert.ok(m, lines[0]);
    const gap = m[2];
    gaps.add(gap.split(/(?<=[a-z]\.)(?= )/).length);
    for (const w of words) assert.ok(!new RegExp(`\\b${w}\\b`).test(gap), `the gap names ${w}: ${gap}`);
    const options = lines.slice(1, 5).map((l) => l.slice(3));
    assert.equal(SIGNS.get(options["ABCD".indexOf(answer.value)]), m[1]);
  }
  assert.ok(Math.min(...gaps) === 1 && Math.max(...gaps) === 8, `gap sentences ${[...gaps].sort()}`);
});
