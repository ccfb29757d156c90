// The pieces under the eval run: answer rules on each kind of answer, the results log after a kill mid-write,
// --shard / --limit selection, and the path checks that keep video ids inside --data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { extractLvbench, extractVideoMme, ruleTempCompassCaption, ruleTempCompassYesNo } from "../../src/bench-eval/answer-parse.ts";
import { ResultsLog } from "../../src/bench-eval/results-log.ts";
import { parseShard, selectItems } from "../../src/bench-eval/select.ts";
import { unsafeId, unsafeRelPath, videoFile } from "../../src/bench-eval/data-files.ts";
import type { BenchItem, ResultRow } from "../../src/bench-eval/types.ts";

test("answer rules: a letter alone, 'The answer is (B)', option text, nothing parsable", () => {
  const cases: [string, string, string][] = [
    // answer, videomme/mlvu rule, lvbench rule: all three are lmms-eval's extract_mcq_answer over A–D since
    // lmms-eval #1274 (more cases in lmms-eval-fidelity.test.ts)
    ["C", "C", "C"],
    ["The answer is (B)", "B", "B"],
    ["B. two", "B", "B"],
    ["(D) four", "D", "D"],
    ["two", "", ""],
    ["nothing I can say about this video helps me choose any of them", "", ""],
    ["Answer: b", "A", "A"], // the capital A of "Answer" starts the text; a lower-case "b" is never read
    ["A or B", "A", "A"],
    ["The answer is E", "", ""],
  ];
  for (const [s, vm, lv] of cases) {
    assert.equal(extractVideoMme(s), vm, `videomme rule on ${JSON.stringify(s)}`);
    assert.equal(extractLvbench(s), lv, `lvbench rule on ${JSON.stringify(s)}`);
  }
  assert.equal(ruleTempCompassYesNo("No, it is not"), "no");
  assert.equal(ruleTempCompassYesNo("It is yes"), "");
  const q = "Which caption?\nSentence A: up\nSentence B: down";
  assert.deepEqual(ruleTempCompassCaption("down", q, "Sentence B: down"), { parsed: "down", correct: true });
  assert.deepEqual(ruleTempCompassCaption("A.", q, "Sentence B: down"), { parsed: "A", correct: false });
  assert.equal(ruleTempCompassCaption("the second one", q, "Sentence B: down"), undefined);
});

const row = (id: string): ResultRow => ({ id, video_id: "v", answer: "A", prediction: "A", parsed: "A", matched: true, correct: true, categories: {} });

test("a results log cut mid-line by a kill loses only that line; a damaged earlier line is an error naming it", () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-bench-log-"));
  try {
    const p = join(dir, "results.jsonl");
    const log = ResultsLog.open(p);
    log.append(row("q1"));
    log.append(row("q2"));
    writeFileSync(p, readFileSync(p, "utf8") + '{"id":"q3","vid', { flag: "w" });
    const again = ResultsLog.open(p);
    assert.deepEqual(
      again.rows.map((r) => r.id),
      ["q1", "q2"],
    );
    assert.ok(again.has("q2") && !again.has("q3"));
    assert.ok(readFileSync(p, "utf8").endsWith("}\n"), "the partial line was cut off");
    writeFileSync(p, "nope\n" + readFileSync(p, "utf8"));
    assert.throws(() => ResultsLog.open(p), new RegExp(`${p.replace(/[.]/g, "\\.")}:1: not a result line`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--shard keeps whole videos, --limit the first questions of the shard", () => {
  const item = (id: string, v: string) => ({ id, videoId: v, videoPath: `${v}.mp4`, prompt: "", answer: "A", categories: {} }) as BenchItem;
  const items = [item("1", "a"), item("2", "b"), item("3", "a"), item("4", "c"), item("5", "b")];
  const ids = (o: Parameters<typeof selectItems>[1]) => selectItems(items, o).map((i) => i.id);
  assert.deepEqual(ids({ shard: parseShard("0/2") }), ["1", "3", "4"]);
  assert.deepEqual(ids({ shard: parseShard("1/2") }), ["2", "5"]);
  assert.deepEqual(ids({ shard: parseShard("0/2"), limit: 2 }), ["1", "3"]);
  assert.deepEqual(ids({ limit: 1 }), ["1"]);
  assert.throws(() => parseShard("2/2"), /--shard: expected i\/n with 0 ≤ i < n/);
  assert.throws(() => parseShard("1"), /--shard/);
});

test("video ids and paths cannot leave --data", () => {
  assert.match(unsafeId("../x") ?? "", /path separator/);
  assert.match(unsafeId("..") ?? "", /names no file/);
  assert.equal(unsafeId("abc-123_x.y"), undefined);
  assert.match(unsafeRelPath("../a.mp4") ?? "", /leaves --data/);
  assert.match(unsafeRelPath("a/../../b.mp4") ?? "", /leaves --data/);
  assert.match(unsafeRelPath("/etc/passwd") ?? "", /not relative/);
  assert.equal(unsafeRelPath("sub/../a.mp4"), undefined);
  assert.equal(videoFile("/data/bench", "videos/a.mp4"), "/data/bench/videos/a.mp4");
  assert.throws(() => videoFile("/data/bench", "../x.mp4"), /leaves --data/);
});
