// The held-out report on a tiny random model: every variant answers every question, scoring and chance follow
// their definitions, and the markdown/plots are written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { trainByteLevelBpe } from "../../src/io/bpe-trainer.ts";
import { tokenizerFromJson } from "../../src/io/tokenizer.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { HourLlava } from "../../src/model/arch/hourllava.ts";
import { initWeights } from "../../src/model/load/init.ts";
import { MapWeights, WeightStore } from "../../src/model/arch/weights.ts";
import { chanceOf, evaluateSynth, VARIANTS } from "../../src/eval/synth-eval.ts";
import type { EvalItem } from "../../src/eval/synth-eval.ts";
import { VARIANT_LABEL, writeReport } from "../../src/eval/report.ts";
import { normaliseAnswer } from "../../src/synth/questions.ts";
import { microConfig } from "../helpers/micro-config.ts";

const CFG = microConfig();

test("synthetic held-out evaluation: three variants, exact scoring, chance, report files", async () => {
  const config = parseHourLlavaConfig(CFG, "cfg");
  const model = new HourLlava(config, new WeightStore(new MapWeights(initWeights(config, 2))), new Runtime({ threads: 1 }));
  const tok = tokenizerFromJson(trainByteLevelBpe("what colour shape red blue green circle square A B C D yes no 0123456789", { vocabSize: 400 }));
  const items = await evaluateSynth(model, tok, {
    seed: 0,
    worlds: 1,
    longWorlds: 1,
    minDurationS: 60,
    maxDurationS: 60,
    longMinS: 200,
    longMaxS: 200,
    renderSize: 32,
    maxNewTokens: 3,
    perWorld: 8,
    frameWorlds: 1,
  });
  assert.equal(items.length, 24);
  assert.deepEqual([...new Set(items.map((i) => i.bucket))].sort(), ["frame", "in_range", "longer"]);
  assert.deepEqual([...new Set(items.map((i) => i.durationS))].sort(), [1, 200, 60]);
  // A single frame has no "64 uniform frames" variant; the other two answer every frame question.
  for (const it of items.filter((i) => i.bucket === "frame")) {
    assert.equal(it.q.span.end, 1, it.q.template);
    assert.deepEqual(Object.keys(it.pred).sort(), ["hourllava", "no_memaug"]);
  }
  // Scoring, checked from the outside: a prediction equal to the answer counts; an empty one never does.
  for (const it of items)
    for (const v of VARIANTS) {
      const p = it.pred[v];
      if (p === undefined) continue;
      if (p.trim() !== "" && normaliseAnswer(p) === normaliseAnswer(it.q.answer)) assert.equal(it.correct[v], true, `${v}: "${p}"`);
      if (p.trim() === "") assert.equal(it.correct[v], false, `${v}: empty prediction`);
    }
  const chance = chanceOf(items);
  const mc = items.find((i) => i.q.format === "mc")!;
  assert.equal(chance(mc), 1 / mc.q.options!.length);
  // Open-ended chance = share of the most common answer of that task.
  const open = items.find((i) => i.q.format === "open")!;
  const same = items.filter((i) => i.q.format === "open" && i.q.task === open.q.task && i.bucket === open.bucket).map((i) => normaliseAnswer(i.q.answer));
  const majority = Math.max(...same.map((a) => same.filter((b) => b === a).length));
  assert.equal(chance(open), majority / same.length);

  const dir = mkdtempSync(join(tmpdir(), "hl-report-"));
  try {
    const md = writeReport(dir, items, { model: "micro", command: "test", seconds: 1, trainRange: [60, 60], longRange: [200, 200] });
    assert.match(md, /\| all \| \d+ \|/);
    assert.match(md, /\(a\) Hour-LLaVA: memory \+ MemAug/);
    assert.match(md, /## Single frames[\s\S]*\| all \| 8 \| [\d.]+ \| [\d.]+ \| – \|/);
    for (const f of ["report.md", "accuracy-frame.png", "accuracy-in_range.png", "accuracy-longer.svg", "items.jsonl"]) assert.ok(existsSync(join(dir, f)), f);
    assert.equal(readFileSync(join(dir, "items.jsonl"), "utf8").trim().split("\n").length, items.length);
    // 64 frames of a single frame does not apply: the frame chart has no bars or legend for it, the video ones do.
    assert.ok(!readFileSync(join(dir, "accuracy-frame.svg"), "utf8").includes(VARIANT_LABEL.frames64));
    assert.ok(readFileSync(join(dir, "accuracy-in_range.svg"), "utf8").includes(VARIANT_LABEL.frames64));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("chance for open-ended answers is the majority share within a task and bucket", () => {
  const mk = (task: string, answer: string, bucket = "in_range"): EvalItem =>
    ({ bucket, q: { task, answer, format: "open" }, correct: {}, pred: {} }) as unknown as EvalItem;
  const items = [mk("t", "red"), mk("t", "red"), mk("t", "blue"), mk("u", "3"), mk("t", "blue", "longer"), mk("t", "blue", "longer"), mk("t", "red", "frame")];
  const c = chanceOf(items);
  assert.equal(c(items[2]), 2 / 3);
  assert.equal(c(items[3]), 1);
  // The longer bucket's answers neither move the in-range chance nor borrow from it.
  assert.equal(c(items[4]), 1);
  assert.equal(c(items[6]), 1);
});
