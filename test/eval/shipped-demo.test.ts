// The embedded default model must still answer the README sample's questions that its report says it answers
// right. The list is read from the report (models/hourllava-tiny/report/demo.json, written by
// `hourllava report --demo samples/demo.mp4`), so the report and the shipped weights cannot drift apart.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HourLlavaApp } from "../../src/app/app.ts";
import { answerDemo, readDemoQuestions, type DemoAnswer } from "../../src/eval/demo-eval.ts";

const REPORT = "models/hourllava-tiny/report/demo.json";

test("the shipped model answers right every README-sample question its report lists as right", async () => {
  const report = JSON.parse(readFileSync(REPORT, "utf8")) as { video: string; questions: string; answers: DemoAnswer[] };
  const listed = report.answers.filter((a) => a.correct);
  const demo = readDemoQuestions(report.questions);
  assert.deepEqual(
    report.answers.map((a) => a.question),
    demo.questions.map((q) => q.question),
    "the report was made from the current samples/demo.json",
  );
  const cacheDir = mkdtempSync(join(tmpdir(), "hl-demo-"));
  try {
    const now = await answerDemo(await HourLlavaApp.load("models/hourllava-tiny", { cacheDir }), report.video, demo);
    for (const a of listed) {
      const got = now.find((r) => r.question === a.question)!;
      assert.ok(got.correct, `"${a.question}": the report says "${a.pred}" (right), the model now says "${got.pred}"`);
    }
    assert.ok(now.filter((r) => r.correct).length >= listed.length);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test("demo questions with a bad shape are refused with the field named", () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-demo-bad-"));
  try {
    const p = join(dir, "demo.json");
    writeFileSync(p, JSON.stringify({ seed: 1, durationS: 10, questions: [{ task: "t", question: "", answer: "x" }] }));
    assert.throws(() => readDemoQuestions(p), /demo\.json: questions\.0\.question/);
    assert.throws(() => readDemoQuestions(join(dir, "missing.json")), /missing\.json: cannot read the demo questions/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
