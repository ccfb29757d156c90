// `hourllava eval` end to end with the embedded tiny model on each benchmark's fixture: every answerable
// question answered once, each result scored as the benchmark's rule scores its prediction, the summary equal
// to the rows, missing videos and bad rows listed, report and charts written; bad input is one clear error.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCHMARKS } from "../../src/bench-eval/benchmarks/index.ts";
import { groupScores } from "../../src/bench-eval/tables.ts";
import type { ResultRow } from "../../src/bench-eval/types.ts";
import { runBinary } from "../app/tiny-model.ts";
import { FIXTURES } from "./fixtures.ts";

let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "hl-bench-cli-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

const readRows = (out: string) =>
  readFileSync(join(out, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as ResultRow);

for (const name of Object.keys(FIXTURES) as (keyof typeof FIXTURES)[]) {
  test(`eval ${name} on its fixture with the tiny model`, async () => {
    const data = join(root, name);
    const out = join(root, `out-${name}`);
    const fx = FIXTURES[name](data);
    const r = runBinary(["eval", name, "--data", data, "--out", out, "--cache-dir", join(root, "cache"), "--max-frames", "4", "--quiet"]);
    assert.equal(r.code, 0, r.err);
    const bench = BENCHMARKS[name];
    const items = new Map((await bench.load(data)).items.map((it) => [it.id, it]));
    const rows = readRows(out);
    const answered = fx.ids.slice(0, fx.ids.length - fx.missingQuestions);
    // Questions are answered video by video, so the file's order is by video.
    assert.deepEqual(rows.map((x) => x.id).sort(), [...answered].sort());
    for (const row of rows) {
      const s = bench.score(items.get(row.id)!, row.prediction);
      assert.deepEqual([row.parsed, row.correct, row.answer], [s.parsed, s.correct, fx.gold[row.id]], row.id);
    }
    const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    // Without --judge, answers lmms-eval would send to its LLM judge (TempCompass) are left out of the scores.
    const scored = rows.filter((r) => !bench.judge?.request(items.get(r.id)!, r));
    const first = bench.headlines[0].headline.compute(scored);
    assert.equal(res.headlines[0].ours, Number.isNaN(first) ? null : Math.round(first * 100) / 100);
    assert.equal(res.unjudged.count, rows.length - scored.length);
    assert.equal(res.questions.answered, answered.length);
    assert.equal(res.annotation_problems.length, fx.problems);
    assert.equal(
      res.missing_videos.reduce((s: number, m: { questions: number }) => s + m.questions, 0),
      fx.missingQuestions,
    );
    const md = readFileSync(join(out, "report.md"), "utf8");
    assert.match(md, /\| metric \| this run \| paper metric \| Hour-LLaVA-3B \| Hour-LLaVA-7B \|/);
    // A chart per dimension that has scored answers (the tiny model's TempCompass answers may all wait for a judge).
    for (const d of bench.dimensions.filter((d) => groupScores(scored, d).length > 0)) {
      assert.ok(
        readFileSync(join(out, `accuracy-${d}.png`))
          .subarray(1, 4)
          .toString() === "PNG",
        `accuracy-${d}.png`,
      );
      assert.match(readFileSync(join(out, `accuracy-${d}.svg`), "utf8"), /^<svg /);
    }
    assert.match(r.out, new RegExp(`^${name}: ${answered.length}/${answered.length + fx.missingQuestions} answered`));
  });
}

test("the paper's Table 2 figures stand beside Video-MME's", () => {
  const md = readFileSync(join(root, "out-videomme", "report.md"), "utf8");
  assert.match(md, /\| Overall \| [\d.]+ \| Overall \(w\/o subs\) \| 60\.6 \| 63\.6 \|/);
  assert.match(md, /\| Long \| [\d.]+ \| Long \(w\/o subs\) \| 52\.1 \| 55\.0 \|/);
  assert.match(md, /vmGone: no file .*data\/vmGone\.mp4 \(1 questions\)/);
});

test("bad input: unknown benchmark, missing annotation file, settings changed under an existing --out", () => {
  let r = runBinary(["eval", "nope", "--data", root]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^hourllava: unknown benchmark "nope"; expected videomme \| lvbench/);
  r = runBinary(["eval", "lvbench", "--data", join(root, "videomme"), "--out", join(root, "o2"), "--cache-dir", join(root, "cache")]);
  assert.equal(r.code, 1);
  assert.match(
    r.err,
    /^hourllava: lvbench: expected the annotation file .*videomme\/video_info\.meta\.jsonl or .*videomme\/data\/video_info\.meta\.jsonl \(layout: video_info\.meta\.jsonl \(or data\/video_info\.meta\.jsonl\) and the videos as <key>\.mp4 or video2dataset shards anywhere under --data\)\n$/,
  );
  r = runBinary([
    "eval",
    "lvbench",
    "--data",
    join(root, "lvbench"),
    "--out",
    join(root, "out-lvbench"),
    "--cache-dir",
    join(root, "cache"),
    "--max-frames",
    "3",
  ]);
  assert.equal(r.code, 1);
  assert.match(r.err, /were made with other settings \(maxFrames: 4 → 3\); use another --out/);
  assert.ok(!existsSync(join(root, "o2", "results.jsonl")));
});
