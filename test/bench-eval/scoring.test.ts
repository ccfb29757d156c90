// Each benchmark's fixture read back (ids, gold answers, problems listed), then scored for fixed predictions
// against accuracies worked out by hand.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCHMARKS } from "../../src/bench-eval/benchmarks/index.ts";
import type { Benchmark, ResultRow } from "../../src/bench-eval/types.ts";
import { groupScores } from "../../src/bench-eval/tables.ts";
import { FIXTURES } from "./fixtures.ts";

let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "hl-bench-score-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** Loads the fixture, checks what was read, scores `preds` (by id) and returns the rows. */
async function scoreFixture(name: keyof typeof FIXTURES, preds: Record<string, string>): Promise<{ bench: Benchmark; rows: ResultRow[] }> {
  const dir = join(root, name);
  const fx = FIXTURES[name](dir);
  const bench = BENCHMARKS[name];
  const { items, problems } = await bench.load(dir);
  assert.deepEqual(
    items.map((i) => i.id),
    fx.ids,
  );
  assert.deepEqual(Object.fromEntries(items.map((i) => [i.id, i.answer])), fx.gold);
  assert.equal(problems.length, fx.problems, problems.join("\n"));
  const rows = items.map((it) => {
    const s = bench.score(it, preds[it.id]);
    return { id: it.id, video_id: it.videoId, answer: it.answer, prediction: preds[it.id], ...s, categories: it.categories };
  });
  return { bench, rows };
}

const headline = (bench: Benchmark, rows: ResultRow[], label: string) => bench.headlines.find((h) => h.headline.label === label)!.headline.compute(rows);

test("videomme: letter, 'The answer is (B)', option text and nothing parsable; overall and per duration", async () => {
  const { bench, rows } = await scoreFixture("videomme", {
    "001-1": "B",
    "001-2": "The answer is (B)",
    "002-1": "A. one",
    "002-2": "I do not know what happens in this video at all honestly",
    "003-1": "(A)",
  });
  assert.deepEqual(
    rows.map((r) => [r.parsed, r.correct]),
    [
      ["B", true],
      ["B", false],
      ["A", true],
      ["", false],
      ["A", true],
    ],
  );
  assert.equal(headline(bench, rows, "Overall"), 60);
  assert.equal(headline(bench, rows, "Short"), 50);
  assert.equal(headline(bench, rows, "Medium"), 0);
  assert.equal(headline(bench, rows, "Long"), 100);
  assert.deepEqual(
    groupScores(rows, "task_type").map((g) => [g.group, g.n, g.correct]),
    [
      ["Action Reasoning", 2, 1],
      ["Counting Problem", 2, 2],
      ["OCR Problems", 1, 0],
    ],
  );
});

test("lvbench: lmms-eval's extract_mcq_answer ('A or B' reads as A, its leading letter); a question counts in each of its types", async () => {
  const { bench, rows } = await scoreFixture("lvbench", { "1": "A", "2": "The answer is (C).", "3": "A or B" });
  assert.deepEqual(
    rows.map((r) => r.parsed),
    ["A", "C", "A"],
  );
  assert.equal(headline(bench, rows, "Overall").toFixed(4), (200 / 3).toFixed(4));
  assert.deepEqual(
    groupScores(rows, "question_type").map((g) => [g.group, g.n, g.correct]),
    [
      ["event understanding", 1, 1],
      ["key information retrieval", 1, 1],
      ["reasoning", 2, 1],
    ],
  );
});

test("longvideobench: options from candidates, correct_choice as a letter; an unparsable answer gets the seeded random letter", async () => {
  const { bench, rows } = await scoreFixture("longvideobench", { a_0: "B. a circle", a_1: "The best answer is C", b_0: "no idea" });
  // "no idea" → the FNV-1a hash of "b_0" picks B of A–C; the gold is A.
  assert.deepEqual(
    rows.map((r) => [r.parsed, r.matched, r.correct]),
    [
      ["B", true, true],
      ["C", true, true],
      ["B", false, false],
    ],
  );
  assert.equal(headline(bench, rows, "Overall").toFixed(4), (200 / 3).toFixed(4));
  assert.deepEqual(
    groupScores(rows, "duration_group").map((g) => [g.group, g.n, g.correct]),
    [
      ["15", 2, 2],
      ["60", 1, 0],
    ],
  );
});

test("mlvu: the answer text becomes its letter; M-Avg averages task types over all seven, as lmms-eval does", async () => {
  const { bench, rows } = await scoreFixture("mlvu", { "1_plotQA/0": "B) jump", "1_plotQA/1": "C", "4_count/0": "A" });
  assert.deepEqual(
    rows.map((r) => r.correct),
    [true, false, true],
  );
  // lmms-eval's mlvu_aggregate_results_dev (lmms_eval/tasks/mlvu/utils.py at 75571cfe) divides by its seven task
  // types, a type without questions scoring 0: (50 + 100 + 5 × 0) / 7. The question mean would be 66.7.
  assert.equal(headline(bench, rows, "M-Avg").toFixed(4), (150 / 7).toFixed(4));
  assert.equal(headline(bench, rows, "M-Avg (task types asked)"), 75); // (50 + 100) / 2
});

test("tempcompass: the hand-made rules of each task; an answer no rule reads is unmatched and wrong", async () => {
  const { bench, rows } = await scoreFixture("tempcompass", {
    "multi-choice/tcA/speed/0": "B",
    "multi-choice/tcA/direction/0": "B. right",
    "multi-choice/tcB/action/0": "run fast",
    "yes_no/tcA/speed/0": "Yes, it is.",
    "caption_matching/tcB/order/0": "Sentence B",
  });
  assert.deepEqual(
    rows.map((r) => [r.correct, r.matched]),
    [
      [true, true],
      [false, true],
      [false, false],
      [true, true],
      [true, true],
    ],
  );
  assert.equal(headline(bench, rows, "Multi-choice").toFixed(4), (100 / 3).toFixed(4));
  assert.equal(headline(bench, rows, "Yes/no"), 100);
  assert.equal(headline(bench, rows, "Caption matching"), 100);
});

test("a row whose video id climbs out of --data is refused with its location", async () => {
  const dir = join(root, "escape");
  FIXTURES.longvideobench(dir);
  const { problems } = await BENCHMARKS.longvideobench.load(dir);
  assert.ok(
    problems.some((p) => /lvb_val\.json \[3\]: video path "\.\.\/\.\.\/outside\.mp4" leaves --data/.test(p)),
    problems.join("\n"),
  );
  assert.ok(
    problems.some((p) => /\[4\]: correct_choice 7 is not an index of its 3 options/.test(p)),
    problems.join("\n"),
  );
});

test("a missing annotation file is an error naming the file and the layout", async () => {
  const dir = join(root, "empty");
  await assert.rejects(BENCHMARKS.lvbench.load(join(root, "nowhere")), /lvbench: --data .*nowhere is not a folder/);
  rmSync(dir, { recursive: true, force: true });
  FIXTURES.videomme(dir);
  rmSync(join(dir, "videomme"), { recursive: true });
  await assert.rejects(BENCHMARKS.videomme.load(dir), /videomme: expected the annotation file .*videomme\/test-00000-of-00001\.parquet \(layout: /);
});
