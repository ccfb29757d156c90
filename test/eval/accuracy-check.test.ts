// Accuracy is a test: the embedded model answers a fixed set of held-out procedural frames and videos, and may
// not fall below what its report records (models/hourllava-tiny/report/accuracy-check.json) by more than the
// recorded margin, overall and for each answer format. A pipeline regression anywhere between decoding and the
// prompt shows up here even while the model's answers are imperfect.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readGenerationConfig } from "../../src/io/generation-config.ts";
import { loadTokenizer } from "../../src/io/tokenizer.ts";
import { loadHourLlava } from "../../src/model/load/load.ts";
import { readAccuracyRecord, runAccuracyCheck } from "../../src/eval/accuracy-check.ts";

const MODEL = "models/hourllava-tiny";

test("the embedded model keeps its recorded held-out accuracy (within the margin)", async () => {
  const rec = readAccuracyRecord(join(MODEL, "report", "accuracy-check.json"));
  const { model } = loadHourLlava(MODEL);
  const now = await runAccuracyCheck(model, loadTokenizer(MODEL), readGenerationConfig(MODEL));
  const all = (r: typeof now) => r.frame.correct + r.video.correct;
  assert.equal(now.frame.total + now.video.total, rec.frame.total + rec.video.total, "the same questions were asked");
  assert.ok(all(now) >= all(rec) - rec.margin, `${all(now)} right, recorded ${all(rec)} (margin ${rec.margin})`);
  for (const k of ["multipleChoice", "openEnded"] as const)
    assert.ok(now[k].correct >= rec[k].correct - rec.margin, `${k}: ${now[k].correct} right, recorded ${rec[k].correct} (margin ${rec.margin})`);
});
