// The lmms-eval-shaped logs every eval run writes beside its report (lmms-eval 75571cfe: evaluator.py results_dict,
// evaluator_utils.py consolidate_results, loggers/evaluation_tracker.py save_results_samples): each fixture run's
// lmms_eval_results.json and samples_<task>.jsonl parse, carry lmms-eval's task and metric names and the scores its
// aggregations give (the expected numbers were produced by running those lmms-eval functions on the same answers);
// a run that dies and is started again ends with the same files and no sample twice.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Answer } from "../../src/app/app.ts";
import { BENCHMARKS } from "../../src/bench-eval/benchmarks/index.ts";
import { LMMS_EVAL_COMMIT } from "../../src/bench-eval/lmms-eval.ts";
import { sanitizeModelName } from "../../src/bench-eval/lmms-logs.ts";
import { PyFloat, npLinspaceInt, npStdDdof1, pyFloatRepr, pyJsonDumps, pyRound, pySetOrder, pySum } from "../../src/bench-eval/py-compat.ts";
import { writeEvalReport } from "../../src/bench-eval/report.ts";
import { runBenchmark, type EvalApp } from "../../src/bench-eval/run.ts";
import { FIXTURES } from "./fixtures.ts";

let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "hl-bench-lmmslogs-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

/** An EvalApp that answers every question with `text` (and can fail at the n-th question, as a killed run stops). */
function fixedApp(text: string, failAt?: number): EvalApp {
  let asked = 0;
  return {
    async remember(video) {
      return { video, timings: { decodeS: 0, encodeS: 0 } } as never;
    },
    ask() {
      return (async function* (): AsyncGenerator<string, Answer> {
        if (failAt !== undefined && ++asked >= failAt) throw new Error("killed");
        return { text, timings: { memAugS: 0, prefillS: 0, generateS: 0 } } as unknown as Answer;
      })();
    },
  };
}

const MODEL = "models/exp/hl-3b";

async function runFixture(name: keyof typeof FIXTURES, out: string, app: EvalApp = fixedApp("B")) {
  const data = join(root, `data-${name}`);
  FIXTURES[name](data);
  const bench = BENCHMARKS[name];
  const run = await runBenchmark(app, bench, { dataDir: data, outDir: out, quiet: true, settings: { benchmark: name } });
  writeEvalReport(out, bench, run, { model: MODEL, command: "test", settings: { benchmark: name } });
  return run;
}

const lines = (p: string) =>
  readFileSync(p, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

// Answer "B" to everything. Expected aggregates as lmms-eval's own functions compute them on these answers:
// videomme_aggregate_results, mean / mean_stderr, longvideobench_aggregate_results, mlvu_aggregate_results_dev,
// tempcompass_aggregate_rating; np.std(ddof=1)/sqrt(n) and clustered_stderr for the standard errors.
const EXPECTED: Record<keyof typeof FIXTURES, { task: string; results: Record<string, unknown>; docIds: number[] }[]> = {
  videomme: [
    {
      task: "videomme",
      // 001-1 (B) right; 001-2, 002-1, 002-2 wrong; vmGone's question has no video.
      results: {
        alias: "videomme",
        "videomme_perception_score,none": 25,
        "videomme_perception_score_stderr,none": "N/A",
        "videomme_perception_score_stderr_clt,none": 0.25,
        "videomme_perception_score_stderr_clustered,none": 0.21650635094610965,
      },
      docIds: [0, 1, 2, 3],
    },
  ],
  lvbench: [
    {
      task: "lvbench",
      results: {
        alias: "lvbench",
        "lvbench_score,none": 0.3333333333333333,
        "lvbench_score_stderr,none": 0.33333333333333337,
        "lvbench_score_stderr_clt,none": 0.33333333333333337,
        "lvbench_score_stderr_clustered,none": "N/A",
      },
      docIds: [0, 1, 2],
    },
  ],
  longvideobench: [
    {
      task: "longvideobench_val_v",
      // Each answer counts in its duration group and its category; rounded to 5 decimals; a fraction.
      results: {
        alias: "longvideobench_val_v",
        "lvb_acc,none": 0.33333,
        "lvb_acc_stderr,none": "N/A",
        "lvb_acc_stderr_clt,none": "N/A",
        "lvb_acc_stderr_clustered,none": "N/A",
        "submission,none": [],
        "submission_stderr,none": [],
      },
      docIds: [0, 1, 2],
    },
  ],
  mlvu: [
    {
      task: "mlvu_dev",
      // plotQA 50, count 0, five types not asked count 0: 50 / 7. The metric name keeps the yaml's spelling.
      results: {
        alias: "mlvu_dev",
        "mlvu_percetion_score,none": 7.142857142857143,
        "mlvu_percetion_score_stderr,none": "N/A",
        "mlvu_percetion_score_stderr_clt,none": "N/A",
        "mlvu_percetion_score_stderr_clustered,none": "N/A",
      },
      docIds: [0, 1, 2],
    },
  ],
  tempcompass: [
    {
      task: "tempcompass_caption_matching",
      results: {
        alias: "tempcompass_caption_matching",
        "avg_accuracy,none": 100,
        "avg_accuracy_stderr,none": "N/A",
        "avg_accuracy_stderr_clt,none": "N/A",
        "avg_accuracy_stderr_clustered,none": "N/A",
        "order_accuracy,none": 100,
        "order_accuracy_stderr,none": "N/A",
        "order_accuracy_stderr_clt,none": "N/A",
        "order_accuracy_stderr_clustered,none": "N/A",
      },
      docIds: [0],
    },
    {
      task: "tempcompass_multi_choice",
      // (1 / 3) × 100, in that order: 33.33333333333333, not 100 × 1 / 3.
      results: {
        alias: "tempcompass_multi_choice",
        "avg_accuracy,none": 33.33333333333333,
        "avg_accuracy_stderr,none": "N/A",
        "avg_accuracy_stderr_clt,none": "N/A",
        "avg_accuracy_stderr_clustered,none": "N/A",
        "speed_accuracy,none": 100,
        "speed_accuracy_stderr,none": "N/A",
        "speed_accuracy_stderr_clt,none": "N/A",
        "speed_accuracy_stderr_clustered,none": "N/A",
        "direction_accuracy,none": 0,
        "direction_accuracy_stderr,none": "N/A",
        "direction_accuracy_stderr_clt,none": "N/A",
        "direction_accuracy_stderr_clustered,none": "N/A",
        "action_accuracy,none": 0,
        "action_accuracy_stderr,none": "N/A",
        "action_accuracy_stderr_clt,none": "N/A",
        "action_accuracy_stderr_clustered,none": "N/A",
      },
      docIds: [0, 1, 2],
    },
    {
      task: "tempcompass_yes_no",
      // "B" is neither yes nor no: no rule reads it, so lmms-eval would ask its judge; with no --judge it is left out
      // (listed under hourllava.unjudged), not counted wrong, so the task has no scored doc.
      results: { alias: "tempcompass_yes_no" },
      docIds: [],
    },
  ],
};

for (const name of Object.keys(FIXTURES) as (keyof typeof FIXTURES)[]) {
  test(`${name}: lmms_eval_results.json and samples_<task>.jsonl as lmms-eval writes them`, async () => {
    const out = join(root, `out-${name}`);
    const run = await runFixture(name, out);
    const res = JSON.parse(readFileSync(join(out, "lmms_eval_results.json"), "utf8"));
    const tasks = EXPECTED[name].map((e) => e.task);
    assert.deepEqual(Object.keys(res.results), tasks); // sorted by task name, as prepare_print_tasks sorts
    assert.deepEqual(Object.keys(res).slice(0, 8), ["results", "group_subtasks", "configs", "versions", "n-shot", "higher_is_better", "n-samples", "config"]);
    assert.equal(res.git_hash, LMMS_EVAL_COMMIT);
    assert.equal(res.lmms_eval_commit, LMMS_EVAL_COMMIT);
    assert.equal(res.model_name, MODEL);
    assert.equal(res.model_name_sanitized, "exp__hl-3b");
    const items = new Map(run.items.map((it) => [it.id, it]));
    for (const e of EXPECTED[name]) {
      assert.deepEqual(res.results[e.task], e.results, e.task);
      assert.equal(res.versions[e.task], "Yaml");
      assert.equal(res["n-shot"][e.task], 0);
      assert.equal(res.configs[e.task].task, e.task);
      for (const m of res.configs[e.task].metric_list) assert.equal(res.higher_is_better[e.task][m.metric], true);
      const samples = lines(join(out, `samples_${e.task}.jsonl`));
      assert.deepEqual(
        samples.map((s) => s.doc_id),
        e.docIds,
      );
      assert.equal(res["n-samples"][e.task].effective, run.items.filter((it) => it.lmms?.task === e.task).length);
      // Every aggregated metric comes from process_results fields of the samples (TempCompass: per dimension).
      const fields = new Set(samples.flatMap((s) => Object.keys(s)));
      for (const k of Object.keys(e.results).filter((k) => k.endsWith(",none") && !k.includes("_stderr"))) assert.ok(fields.has(k.slice(0, -5)), k);
      for (const s of samples) {
        const keys = Object.keys(s);
        // save_results_samples: resps is dropped (equal to filtered_resps), doc and arguments are popped, input last.
        assert.deepEqual(keys.slice(0, 5), ["doc_id", "target", "filtered_resps", "token_counts", "doc_hash"]);
        assert.equal(keys[keys.length - 1], "input");
        assert.ok(!("doc" in s) && !("arguments" in s) && !("resps" in s));
        assert.equal(s.filtered_resps, "B");
        assert.deepEqual(s.token_counts, [null]);
        assert.match(s.doc_hash as string, /^[0-9a-f]{64}$/);
        const row = run.rows.find((r) => items.get(r.id)?.lmms?.task === e.task && items.get(r.id)?.lmms?.docId === s.doc_id)!;
        const it = items.get(row.id)!;
        assert.equal(s.input, it.prompt);
        assert.equal(s.target, it.lmms!.target);
      }
    }
  });
}

test("the per-doc score fields are lmms-eval's process_results, Python-formatted (1.0, not 1)", () => {
  const vm = readFileSync(join(root, "out-videomme", "samples_videomme.jsonl"), "utf8").split("\n")[0];
  assert.match(vm, /^\{"doc_id": 0, "target": "B", "filtered_resps": "B", "token_counts": \[null\], "doc_hash": "[0-9a-f]{64}", /);
  assert.match(
    vm,
    /"videomme_perception_score": \{"question_id": "001-1", "duration": "short", "category": "Knowledge", "sub_category": "Humanity & History", "task_category": "Counting Problem", "pred_answer": "B", "answer": "B", "score": 1\.0, "videoID": "vmA"\}, "input": "Select the best answer/,
  );
  const lvb = lines(join(root, "out-longvideobench", "samples_longvideobench_val_v.jsonl"));
  assert.deepEqual(lvb[1].lvb_acc, { id: "a_1", duration_group: 15, question_category: "E2O", answer: "C", parsed_pred: "B" });
  assert.deepEqual(lvb[1].submission, { a_1: "B" });
  assert.equal(lvb[1].target, "2"); // str(correct_choice)
  // TempCompass: a rule-read answer's record; the yes/no answer no rule reads waits for a judge (judge.test.ts).
  const tc = lines(join(root, "out-tempcompass", "samples_tempcompass_multi_choice.jsonl"))[0];
  assert.deepEqual(tc.speed_accuracy, {
    video_id: "tcA",
    question: "How fast?\nA. slow\nB. fast",
    "gt-answer": "B. fast",
    "video-llm-prediction": "B",
    match_success: true,
    rating: 1,
    dim: "speed",
  });
  assert.equal(readFileSync(join(root, "out-tempcompass", "samples_tempcompass_yes_no.jsonl"), "utf8"), "");
  assert.deepEqual(JSON.parse(readFileSync(join(root, "out-tempcompass", "lmms_eval_results.json"), "utf8")).hourllava.unjudged, {
    tempcompass_yes_no: ["yes_no/tcA/speed/0"],
  });
  assert.deepEqual(
    lines(join(root, "out-lvbench", "samples_lvbench.jsonl")).map((s) => s.lvbench_score),
    [false, false, true],
  );
  const res = readFileSync(join(root, "out-videomme", "lmms_eval_results.json"), "utf8");
  assert.match(res, /\n {6}"videomme_perception_score,none": 25\.0,\n/);
  assert.match(res, /"temperature": 0\.0,/);
});

test("our results.json and report name the lmms-eval task and the files", () => {
  const res = JSON.parse(readFileSync(join(root, "out-tempcompass", "results.json"), "utf8"));
  assert.deepEqual(res.lmms_eval_tasks, ["tempcompass_multi_choice", "tempcompass_yes_no", "tempcompass_caption_matching"]);
  assert.deepEqual(res.lmms_eval_files, [
    "lmms_eval_results.json",
    "samples_tempcompass_multi_choice.jsonl",
    "samples_tempcompass_yes_no.jsonl",
    "samples_tempcompass_caption_matching.jsonl",
  ]);
  assert.equal(res.variant, null);
  assert.match(readFileSync(join(root, "out-videomme", "report.md"), "utf8"), /lmms-eval task `videomme` \(lmms-eval 75571cfe, preset llava_vid\)/);
});

test("a run that dies mid-way and is started again ends with the same lmms-eval logs, no sample twice", async () => {
  await runFixture("videomme", join(root, "whole"));
  const out = join(root, "died");
  await assert.rejects(runFixture("videomme", out, fixedApp("B", 3)), /killed/);
  appendFileSync(join(out, "results.jsonl"), '{"id":"002-2","vid'); // a line cut short by the kill
  await runFixture("videomme", out);
  for (const f of ["lmms_eval_results.json", "samples_videomme.jsonl", "results.jsonl"])
    assert.equal(readFileSync(join(out, f), "utf8"), readFileSync(join(root, "whole", f), "utf8"), f);
  // Started once more with nothing left to answer: the files are rebuilt, not appended to.
  await runFixture("videomme", out);
  assert.equal(lines(join(out, "samples_videomme.jsonl")).length, 4);
  assert.equal(readFileSync(join(out, "samples_videomme.jsonl"), "utf8"), readFileSync(join(root, "whole", "samples_videomme.jsonl"), "utf8"));
});

test("Python and NumPy behaviours the logs and prompts depend on (values from CPython 3.12 and NumPy 2)", () => {
  // json.dumps: float repr, separators, escapes.
  assert.equal(
    pyJsonDumps({ a: [new PyFloat(1), 2.5, new PyFloat(1e16), 1e-5], b: {}, c: "é\n\u0001" }),
    '{"a": [1.0, 2.5, 1e+16, 1e-05], "b": {}, "c": "é\\n\\u0001"}',
  );
  assert.equal(pyJsonDumps({ a: [1], b: [] }, 2), '{\n  "a": [\n    1\n  ],\n  "b": []\n}');
  assert.deepEqual([0.1, 100, 123456789.125, 1.5e-7, 0.0001].map(pyFloatRepr), ["0.1", "100.0", "123456789.125", "1.5e-07", "0.0001"]);
  // round(x, 5): ties to even on the exact value (1/64 = 0.015625 → 0.01562; 3/64 → 0.04688).
  assert.deepEqual(
    [1 / 64, 3 / 64, 2 / 3, 0.333335].map((x) => pyRound(x, 5)),
    [0.01562, 0.04688, 0.66667, 0.33333],
  );
  // sum: compensated since 3.12.
  assert.equal(pySum([0.1, 0.2, 0.3]), 0.6);
  assert.equal(npStdDdof1([1, 0, 0, 0]), 0.5);
  // np.linspace(0, 99, 32, dtype=int)
  assert.deepEqual(
    npLinspaceInt(99, 32),
    [0, 3, 6, 9, 12, 15, 19, 22, 25, 28, 31, 35, 38, 41, 44, 47, 51, 54, 57, 60, 63, 67, 70, 73, 76, 79, 83, 86, 89, 92, 95, 99],
  );
  // list(set(...)): slot order, not sorted.
  assert.deepEqual(pySetOrder([7, 7, 8, 8]), [8, 7]);
  assert.deepEqual(pySetOrder([3, 1, 2]), [1, 2, 3]);
  assert.deepEqual(pySetOrder([0, 1, 2, 3, 40, 33]), [0, 1, 2, 3, 33, 40]);
  assert.equal(sanitizeModelName("lmms-lab/LLaVA-Video-7B-Qwen2"), "lmms-lab__LLaVA-Video-7B-Qwen2");
});
