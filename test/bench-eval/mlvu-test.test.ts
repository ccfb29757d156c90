// `hourllava eval mlvu --split test`: lmms-eval's `mlvu_test` (lmms_eval/tasks/mlvu/mlvu_test.yaml and utils.py at
// lmms-eval 75571cfe0fa36ca5ec2e6aa2bb268f9d38295af3). A hand-written MLVU-Test fixture in the publisher's layout
// (test-ground-truth/test_mcq_gt.json, video/<video>) and as the HF copy sy1998/MLVU_Test (test-*.parquet) gives the
// same items; the prompt is the doc's question alone (the yaml sets no lmms_eval_specific_kwargs, so
// mlvu_doc_to_text gets None); mlvu_aggregate_results_test's nine-type average is checked against a hand computation,
// and the logs carry the task's name, config and metric keys.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Answer } from "../../src/app/app.ts";
import { BENCHMARKS, benchmarkNamed } from "../../src/bench-eval/benchmarks/index.ts";
import { MLVU_TEST_TASK_TYPES, mlvuTest } from "../../src/bench-eval/benchmarks/mlvu-test.ts";
import { writeEvalReport } from "../../src/bench-eval/report.ts";
import { runBenchmark, scoredRows, type EvalApp } from "../../src/bench-eval/run.ts";
import type { BenchItem } from "../../src/bench-eval/types.ts";
import { writeParquet } from "../data/parquet-writer.ts";
import { runBinary } from "../app/tiny-model.ts";

let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "hl-mlvu-test-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

function file(path: string, data: string | Buffer = ""): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

const CANDS = ["run", "jump", "sit", "fly", "swim", "crawl"]; // MLVU-Test offers up to six options
const OPTS = "\n(A) run\n(B) jump\n(C) sit\n(D) fly\n(E) swim\n(F) crawl";
// [video, question_type, answer text, the answer letter, what the model answers]
const QS: [string, string, string, string, string][] = [
  ["movie_1.mp4", "plotQA", "jump", "B", "B"], // right
  ["movie_1.mp4", "plotQA", "fly", "D", "A"], // wrong
  ["sport_1.mp4", "sportsQA", "crawl", "F", "F"], // extract_mcq_answer reads A–D only: "" (wrong, as in lmms-eval)
  ["count_1.mp4", "count", "run", "A", "(A) run"], // right
  ["tut_1.mp4", "tutorialQA", "sit", "C", "C"], // right
];
const IDS = ["plotQA/0", "plotQA/1", "sportsQA/0", "count/0", "tutorialQA/0"];

/** The publisher's MLVU_Test snapshot, --data naming its parent: two rows lmms-eval's task could not take. */
function writePublisher(d: string): void {
  const rows: Record<string, unknown>[] = QS.map(([video, type, answer], i) => ({
    video,
    duration: 600,
    question: `Q${i}?`,
    candidates: CANDS,
    answer,
    question_type: type,
    question_id: `${type}_${i}`,
  }));
  rows.splice(2, 0, { video: "s.mp4", duration: 1, question: "Sum up", candidates: CANDS, answer: "run", question_type: "summary", question_id: "S_0" });
  rows.push({ video: "x.mp4", duration: 1, question: "Q?", candidates: CANDS, answer: "nope", question_type: "ego", question_id: "E_9" });
  file(join(d, "MLVU_Test", "test-ground-truth", "test_mcq_gt.json"), JSON.stringify(rows));
  for (const v of ["movie_1.mp4", "sport_1.mp4", "count_1.mp4"]) file(join(d, "MLVU_Test", "video", v));
  file(join(d, "MLVU_Test", "elsewhere", "tut_1.mp4")); // not under video/: found by name
}

/** sy1998/MLVU_Test's split: question with its options, answer letter; videos flat (lmms-eval's cache_dir mlvu_test). */
function writeHf(d: string): void {
  const rows = QS.map(([video, type, , letter], i) => ({
    video_name: video,
    question: `Q${i}?${OPTS}`,
    answer: letter,
    task_type: type,
    question_id: `q${i}`,
    duration: 600,
  }));
  const kinds = { video_name: "string", question: "string", answer: "string", task_type: "string", question_id: "string", duration: "double" } as const;
  file(
    join(d, "data", "test-00000-of-00001.parquet"),
    writeParquet(
      Object.entries(kinds).map(([name, kind]) => ({ name, kind, values: rows.map((r) => (r as Record<string, unknown>)[name]) })),
      2,
    ),
  );
  for (const [v] of QS) file(join(d, v));
}

const same = (items: BenchItem[]) => items.map((it) => ({ id: it.id, videoId: it.videoId, prompt: it.prompt, answer: it.answer, categories: it.categories }));

test("--split test is the mlvu variant `test`, not a benchmark of its own; the other benchmarks refuse it", () => {
  assert.equal(benchmarkNamed("mlvu", "test"), mlvuTest);
  assert.equal(mlvuTest.name, "mlvu");
  assert.equal(mlvuTest.variant, "test");
  assert.equal(BENCHMARKS.mlvu.variant, undefined);
  assert.throws(() => benchmarkNamed("videomme", "test"), /^Error: --split test is for mlvu only, not videomme$/);
  assert.equal(mlvuTest.maxNewTokens, 16); // mlvu_test.yaml generation_kwargs.max_new_tokens
  // The paper reports no MLVU test figure: none is set.
  assert.deepEqual(
    mlvuTest.headlines.map((h) => [h.headline.label, h.paper.hourllava3b, h.paper.hourllava7b]),
    [
      ["M-Avg", null, null],
      ["M-Avg (task types asked)", null, null],
    ],
  );
  assert.match(mlvuTest.paperNote ?? "", /no MLVU test figure/);
});

test("the publisher's test_mcq_gt.json and sy1998/MLVU_Test give the same items; the prompt is lmms-eval's, byte for byte", async () => {
  const pub = join(root, "pub");
  const hf = join(root, "hf");
  writePublisher(pub);
  writeHf(hf);
  const a = await mlvuTest.load(pub);
  const b = await mlvuTest.load(hf);
  assert.deepEqual(
    a.items.map((it) => it.id),
    IDS,
  );
  assert.deepEqual(same(b.items), same(a.items));
  // mlvu_doc_to_text(doc, None): "" + doc["question"] + "" (mlvu_test.yaml has no lmms_eval_specific_kwargs).
  assert.equal(a.items[0].prompt, "Q0?\n(A) run\n(B) jump\n(C) sit\n(D) fly\n(E) swim\n(F) crawl");
  assert.equal(b.items[2].prompt, "Q2?\n(A) run\n(B) jump\n(C) sit\n(D) fly\n(E) swim\n(F) crawl");
  assert.deepEqual(
    a.items.map((it) => it.answer),
    QS.map((q) => q[3]),
  );
  assert.deepEqual(
    a.items.map((it) => it.videoPath),
    [
      "MLVU_Test/video/movie_1.mp4",
      "MLVU_Test/video/movie_1.mp4",
      "MLVU_Test/video/sport_1.mp4",
      "MLVU_Test/video/count_1.mp4",
      "MLVU_Test/elsewhere/tut_1.mp4",
    ],
  );
  assert.deepEqual(
    b.items.map((it) => it.videoPath),
    QS.map((q) => q[0]),
  );
  assert.deepEqual(
    a.items.map((it) => it.lmms?.docId),
    [0, 1, 2, 3, 4],
  );
  assert.deepEqual(
    b.items.map((it) => it.lmms?.task),
    Array(5).fill("mlvu_test"),
  );
  assert.equal(a.problems.length, 2);
  assert.match(a.problems[0], /\[2\]: question_type "summary" is none of mlvu_test's nine/);
  assert.match(a.problems[1], /\[6\]: the answer is none of the candidates/);
  assert.equal(b.problems.length, 0);
});

test("neither layout: one error naming both", async () => {
  const d = join(root, "empty");
  mkdirSync(d);
  await assert.rejects(
    () => mlvuTest.load(d),
    /^Error: mlvu --split test: expected the annotation file .*empty\/\{,data\/\}test-\*\.parquet \(the Hugging Face copy sy1998\/MLVU_Test.* or .*empty\/test-ground-truth\/test_mcq_gt\.json or .*empty\/MLVU_Test\/test-ground-truth\/test_mcq_gt\.json \(layout: /,
  );
});

/** An EvalApp answering each question as QS says, found by its "Q<i>?" line. */
const app: EvalApp = {
  async remember(video) {
    return { video, timings: { decodeS: 0, encodeS: 0 } } as never;
  },
  ask(_mem, question) {
    const i = Number(/Q(\d+)\?/.exec(question)![1]);
    return (async function* (): AsyncGenerator<string, Answer> {
      return { text: QS[i][4], timings: { memAugS: 0, prefillS: 0, generateS: 0 } } as unknown as Answer;
    })();
  },
};

test("scores, M-Avg over nine task types and the lmms-eval logs of mlvu_test", async () => {
  const data = join(root, "run-data");
  const out = join(root, "out");
  writePublisher(data);
  const run = await runBenchmark(app, mlvuTest, { dataDir: data, outDir: out, quiet: true, settings: { benchmark: "mlvu" } });
  writeEvalReport(out, mlvuTest, run, { model: "models/exp/hl-3b", command: "test", settings: { benchmark: "mlvu" } });
  const rows = new Map(run.rows.map((r) => [r.id, r]));
  assert.deepEqual(
    IDS.map((id) => [rows.get(id)!.parsed, rows.get(id)!.correct]),
    [
      ["B", true],
      ["A", false],
      ["", false],
      ["A", true],
      ["C", true],
    ],
  );
  // By hand, as mlvu_aggregate_results_test computes it: plotQA 100·1/2 = 50, sportsQA 0, count 100, tutorialQA 100,
  // the other five of the nine types 0 (no questions); (50 + 0 + 100 + 100) / 9.
  assert.equal(MLVU_TEST_TASK_TYPES.length, 9);
  const mAvg = 250 / 9;
  const [all, asked] = mlvuTest.headlines.map((h) => h.headline.compute(scoredRows(run.rows)));
  assert.ok(Math.abs(all - mAvg) < 1e-12, `${all}`);
  assert.equal(asked, 250 / 4);

  const res = JSON.parse(readFileSync(join(out, "lmms_eval_results.json"), "utf8")) as Record<string, Record<string, unknown>>;
  assert.deepEqual(Object.keys(res.results), ["mlvu_test"]);
  assert.deepEqual(res.results.mlvu_test, {
    alias: "mlvu_test",
    "mlvu_percetion_score,none": 27.77777777777778,
    "mlvu_percetion_score_stderr,none": "N/A",
    "mlvu_percetion_score_stderr_clt,none": "N/A",
    "mlvu_percetion_score_stderr_clustered,none": "N/A",
  });
  const cfg = res.configs.mlvu_test as Record<string, unknown>;
  assert.equal(cfg.task, "mlvu_test");
  assert.equal(cfg.dataset_path, "sy1998/MLVU_Test");
  assert.equal(cfg.test_split, "test");
  assert.equal(cfg.doc_to_visual, "!function utils.mlvu_doc_to_visual_test");
  assert.deepEqual(cfg.metric_list, [{ metric: "mlvu_percetion_score", aggregation: "!function utils.mlvu_aggregate_results_test", higher_is_better: true }]);
  assert.equal((cfg.generation_kwargs as Record<string, unknown>).max_new_tokens, 16);
  assert.ok(!("lmms_eval_specific_kwargs" in cfg), "the yaml sets none, so to_dict leaves it out");
  assert.deepEqual(res.higher_is_better, { mlvu_test: { mlvu_percetion_score: true } });
  assert.deepEqual(res["n-samples"], { mlvu_test: { original: 5, effective: 5 } });
  assert.equal((res.hourllava as Record<string, unknown>).variant, "test");

  const samples = readFileSync(join(out, "samples_mlvu_test.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    samples.map((s) => s.doc_id),
    [0, 1, 2, 3, 4],
  );
  assert.deepEqual(samples[2].mlvu_percetion_score, { question_id: `Q2?${OPTS}`, task_type: "sportsQA", pred_answer: "", answer: "F" });
  assert.equal(samples[0].input, `Q0?${OPTS}`);
  assert.equal(samples[0].target, "B");
});

test("the command line: --split test on mlvu only, dev | test", () => {
  let r = runBinary(["eval", "videomme", "--split", "test", "--data", root]);
  assert.equal(r.code, 1);
  assert.match(r.err, /--split is for mlvu only, not videomme/);
  r = runBinary(["eval", "mlvu", "--split", "train", "--data", root]);
  assert.equal(r.code, 1);
  assert.match(r.err, /--split: expected dev \| test, got "train"/);
});
