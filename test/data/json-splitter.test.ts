import { test } from "node:test";
import assert from "node:assert/strict";
import { JsonArraySplitter } from "../../src/data/json-splitter.ts";

const TRICKY = `[ {"a": "x, y ] }", "b": [1, {"c": "\\"quoted\\" and \\\\ back"}]},
  "plain string with [brackets] and {braces}",
  123.5e2 , true,null,
  {"u": "é 😀 \\u00e9", "esc": "\\\\\\"", "nested": {"d": [[], {}]}},
  []
]  `;

function splitAll(text: string, cuts: number[]): unknown[] {
  const s = new JsonArraySplitter("t");
  const out: string[] = [];
  let prev = 0;
  for (const c of [...cuts, text.length]) {
    out.push(...s.push(text.slice(prev, c)));
    prev = c;
  }
  s.end();
  return out.map((x) => JSON.parse(x));
}

test("splitter: every single chunk boundary gives the elements JSON.parse gives", () => {
  const want = JSON.parse(TRICKY);
  assert.equal(want.length, 7);
  for (let cut = 0; cut <= TRICKY.length; cut++) assert.deepEqual(splitAll(TRICKY, [cut]), want, `cut at ${cut}`);
});

test("splitter: one character per chunk, and two cuts around every escape", () => {
  const want = JSON.parse(TRICKY);
  assert.deepEqual(
    splitAll(
      TRICKY,
      Array.from({ length: TRICKY.length }, (_, i) => i),
    ),
    want,
  );
  for (let i = 0; i < TRICKY.length; i++) {
    if (TRICKY[i] !== "\\") continue;
    assert.deepEqual(splitAll(TRICKY, [i, i + 1]), want, `cuts at ${i}, ${i + 1}`);
  }
});

test("splitter: empty array and counts", () => {
  const s = new JsonArraySplitter();
  assert.deepEqual(s.push(" [ \n ] "), []);
  s.end();
  const s2 = new JsonArraySplitter();
  assert.equal(s2.push('[{"a":1},{"b":2}]').length, 2);
  assert.equal(s2.elements, 2);
});

test("splitter: malformed input gets one clear error", () => {
  const run = (text: string) => () => {
    const s = new JsonArraySplitter("f.json");
    s.push(text);
    s.end();
  };
  assert.throws(run('{"a": 1}'), { message: `f.json: not a valid JSON array at character 0: expected '[' to open a JSON array, found "{"` });
  assert.throws(run("[1, 2, ]"), { message: "f.json: not a valid JSON array at character 7: trailing comma before ']'" });
  assert.throws(run("[1,,2]"), { message: "f.json: not a valid JSON array at character 3: empty element between commas" });
  assert.throws(run("[1] x"), { message: `f.json: not a valid JSON array at character 4: unexpected "x" after the closing ']'` });
  assert.throws(run('[{"a": "b'), { message: "f.json: unexpected end of input inside a string after 0 complete element(s); the JSON array is not closed" });
  assert.throws(run('[{"a": 1}, {"b": 2}'), { message: "f.json: unexpected end of input after 1 complete element(s); the JSON array is not closed" });
  assert.throws(run(""), { message: "f.json: empty input, expected a JSON array" });
});
