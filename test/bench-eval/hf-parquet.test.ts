// The Hugging Face parquet copies lmms-eval loads (dataset_path / test_split of each task yaml at 75571cfe): read as
// the publisher's files are, each parquet row giving the same item (id, prompt byte for byte, answer, categories) as
// the equivalent publisher row; shards, the split's name, the hub cache's layout, and one error naming both layouts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { longvideobench } from "../../src/bench-eval/benchmarks/longvideobench.ts";
import { lvbench } from "../../src/bench-eval/benchmarks/lvbench.ts";
import { mlvu } from "../../src/bench-eval/benchmarks/mlvu.ts";
import { tempcompass } from "../../src/bench-eval/benchmarks/tempcompass.ts";
import { videomme } from "../../src/bench-eval/benchmarks/videomme.ts";
import type { BenchItem } from "../../src/bench-eval/types.ts";
import { writeParquet, type ParquetColumn } from "../data/parquet-writer.ts";

const root = mkdtempSync(join(tmpdir(), "hl-hf-parquet-"));
test.after(() => rmSync(root, { recursive: true, force: true }));

function file(path: string, data: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

type Kind = ParquetColumn["kind"];
/** Rows as a parquet table with the given column kinds (a missing value: null). */
function table(rows: Record<string, unknown>[], kinds: Record<string, Kind>, rowGroup = 2): Buffer {
  return writeParquet(
    Object.entries(kinds).map(([name, kind]) => ({ name, kind, values: rows.map((r) => r[name] ?? null) })),
    rowGroup,
  );
}

/** What must be equal between the two layouts (the video path and doc are layout-specific). */
const same = (items: BenchItem[]) => items.map((it) => ({ id: it.id, videoId: it.videoId, prompt: it.prompt, answer: it.answer, categories: it.categories }));
const docIds = (items: BenchItem[]) => items.map((it) => it.lmms?.docId);

test("Video-MME: the split's shards in order, at videomme/ or in the hub cache's snapshot (refs/main), equal to the single file", async () => {
  const kinds: Record<string, Kind> = {
    video_id: "string",
    duration: "string",
    domain: "string",
    sub_category: "string",
    videoID: "string",
    question_id: "string",
    task_type: "string",
    question: "string",
    options: "list<string>",
    answer: "string",
  };
  const row = (n: number) => ({
    video_id: "001",
    duration: n % 2 ? "short" : "long",
    domain: "Knowledge",
    sub_category: "Humanity & History",
    videoID: `vid${n}`,
    question_id: `001-${n}`,
    task_type: "Counting Problem",
    question: `How many ${n}?`,
    options: ["A. one", "B. two", "C. three", "D. four"],
    answer: "ABCD"[n % 4],
  });
  const rows = [0, 1, 2, 3, 4].map(row);
  const single = join(root, "vm-single");
  file(join(single, "videomme", "test-00000-of-00001.parquet"), table(rows, kinds));
  const sharded = join(root, "vm-sharded");
  file(join(sharded, "videomme", "test-00000-of-00002.parquet"), table(rows.slice(0, 3), kinds));
  file(join(sharded, "videomme", "test-00001-of-00002.parquet"), table(rows.slice(3), kinds));
  // HF_HOME/hub/datasets--lmms-lab--Video-MME: an old revision without the file, refs/main naming the new one.
  const hub = join(root, "vm-hub");
  const repo = join(hub, "hub", "datasets--lmms-lab--Video-MME");
  mkdirSync(join(repo, "snapshots", "0000old"), { recursive: true });
  file(join(repo, "refs", "main"), "ffffnew\n");
  file(join(repo, "blobs", "abc"), table(rows, kinds));
  mkdirSync(join(repo, "snapshots", "ffffnew", "videomme"), { recursive: true });
  symlinkSync(join(repo, "blobs", "abc"), join(repo, "snapshots", "ffffnew", "videomme", "test-00000-of-00001.parquet"));

  const a = await videomme.load(single, { preset: "llava_vid" });
  assert.equal(a.items.length, 5);
  for (const d of [sharded, hub]) {
    const b = await videomme.load(d, { preset: "llava_vid" });
    assert.deepEqual(same(b.items), same(a.items));
    assert.deepEqual(docIds(b.items), [0, 1, 2, 3, 4]);
    assert.deepEqual(b.problems, []);
  }
});

test("LVBench: lmms-eval/LVBench's train rows give the publisher's items; two shards under data/; other splits ignored", async () => {
  const q = (uid: string, answer: string, types: string[]) => ({
    uid,
    question: `What happens at 00:0${uid}?\n(A) a\n(B) b\n(C) c\n(D) d`,
    answer,
    question_type: types,
    time_reference: "00:01-00:02",
  });
  const videos = [
    { key: "lvA", qa: [q("1", "A", ["key information retrieval"]), q("2", "C", ["reasoning", "event understanding"])] },
    { key: "lvB", qa: [q("3", "B", ["reasoning"])] },
  ];
  const pub = join(root, "lv-pub");
  file(join(pub, "video_info.meta.jsonl"), videos.map((v) => JSON.stringify(v)).join("\n") + "\n");
  const flat = videos.flatMap((v) => v.qa.map((x) => ({ key: v.key, ...x, video_path: `${v.key}.mp4` })));
  const kinds: Record<string, Kind> = {
    key: "string",
    uid: "string",
    question: "string",
    answer: "string",
    question_type: "list<string>",
    time_reference: "string",
    video_path: "string",
  };
  const hf = join(root, "lv-hf");
  file(join(hf, "data", "train-00000-of-00002.parquet"), table(flat.slice(0, 2), kinds));
  file(join(hf, "data", "train-00001-of-00002.parquet"), table(flat.slice(2), kinds));
  file(join(hf, "data", "test-00000-of-00001.parquet"), table([{ ...flat[0], uid: "99" }], kinds)); // not lmms-eval's split
  file(join(hf, "lvA.mp4"), ""); // the row's video_path, where lmms-eval's cache keeps it
  file(join(hf, "videos", "lvB.mp4"), "");

  const a = await lvbench.load(pub, { preset: "llava_vid" });
  const b = await lvbench.load(hf, { preset: "llava_vid" });
  assert.deepEqual(b.problems, []);
  assert.equal(a.items.length, 3);
  assert.deepEqual(same(b.items), same(a.items));
  assert.equal(b.items[0].prompt, `What happens at 00:01?\n(A) a\n(B) b\n(C) c\n(D) d\nAnswer the question with the option letter`);
  assert.deepEqual(
    b.items.map((it) => it.videoPath),
    ["lvA.mp4", "lvA.mp4", "videos/lvB.mp4"],
  );
  assert.deepEqual(docIds(b.items), [0, 1, 2]);

  // lvbench_doc_to_text appends an `options` list when a row has one.
  const withOptions = join(root, "lv-options");
  file(
    join(withOptions, "train-00000-of-00001.parquet"),
    table([{ key: "lvC", uid: "7", question: "Why?", options: ["x", "y"], answer: "B", question_type: ["reasoning"], video_path: "lvC.mp4" }], {
      key: "string",
      uid: "string",
      question: "string",
      options: "list<string>",
      answer: "string",
      question_type: "list<string>",
      video_path: "string",
    }),
  );
  const c = await lvbench.load(withOptions, { preset: "llava_vid" });
  assert.equal(c.items[0].prompt, "Why?\n(A) x\n(B) y\nAnswer the question with the option letter");
});

test("LongVideoBench: validation-00000-of-00001.parquet (option0..option4, INT64 columns) gives lvb_val.json's items", async () => {
  const q = (id: string, video: string, correct: number, group: number, cat: string, cands: string[]) => ({
    video_id: video,
    question: "What is shown?",
    candidates: cands,
    correct_choice: correct,
    question_category: cat,
    id,
    video_path: `${video}.mp4`,
    subtitle_path: `${video}_en.json`,
    duration_group: group,
    starting_timestamp_for_subtitles: 0,
    duration: 3.5,
  });
  const rows = [
    q("a_0", "lvbA", 1, 15, "S2E", ["a square", "a circle", "a cat"]),
    q("a_1", "lvbA", 2, 15, "E2O", ["a", "b", "c", "d", "e"]),
    q("b_0", "lvbB", 0, 60, "S2E", ["yes", "no"]),
  ];
  const pub = join(root, "lvb-pub");
  file(join(pub, "lvb_val.json"), JSON.stringify(rows));
  const hfRows = rows.map(({ candidates, ...r }) => ({ ...r, ...Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`option${i}`, candidates[i] ?? "N/A"])) }));
  const kinds: Record<string, Kind> = {
    video_id: "string",
    question: "string",
    option0: "string",
    option1: "string",
    option2: "string",
    option3: "string",
    option4: "string",
    correct_choice: "int64",
    question_category: "string",
    id: "string",
    video_path: "string",
    subtitle_path: "string",
    duration_group: "int64",
    starting_timestamp_for_subtitles: "int64",
    duration: "double",
  };
  const hf = join(root, "lvb-hf");
  file(join(hf, "validation-00000-of-00001.parquet"), table(hfRows, kinds));
  file(join(hf, "test-00000-of-00001.parquet"), table(hfRows.slice(0, 1), kinds));
  const a = await longvideobench.load(pub, { preset: "llava_vid" });
  const b = await longvideobench.load(hf, { preset: "llava_vid" });
  assert.deepEqual(b.problems, []);
  assert.equal(a.items.length, 3);
  assert.deepEqual(same(b.items), same(a.items));
  assert.deepEqual(
    b.items.map((it) => [it.videoPath, it.lmms?.target, it.lmms?.doc.duration_group]),
    [
      ["videos/lvbA.mp4", "1", 15],
      ["videos/lvbA.mp4", "2", 15],
      ["videos/lvbB.mp4", "0", 60],
    ],
  );
  assert.equal(b.items[2].prompt, "What is shown?\nA. yes\nB. no\nAnswer with the option's letter from the given choices directly.\n");
});

test("MLVU: sy1998/MLVU_dev's test rows give the publisher's items (ids per task in order); videos by name", async () => {
  const cands = ["run", "jump", "sit", "fly"];
  const opts = `\n${cands.map((c, i) => `(${"ABCD"[i]}) ${c}`).join("\n")}`;
  const pub = join(root, "mlvu-pub");
  const j = (video: string, type: string, answer: string) => ({
    video,
    duration: 3,
    question: "What happens?",
    candidates: cands,
    answer,
    question_type: type,
  });
  file(join(pub, "json", "1_plotQA.json"), JSON.stringify([j("movie_1.mp4", "plotQA", "jump"), j("movie_1.mp4", "plotQA", "fly")]));
  file(join(pub, "json", "4_count.json"), JSON.stringify([j("count_1.mp4", "count", "run")]));
  const hf = join(root, "mlvu-hf");
  const r = (video_name: string, task_type: string, answer: string, question_id: string) => ({
    video_name,
    question: "What happens?" + opts,
    answer,
    task_type,
    question_id,
    duration: 3,
  });
  const rows = [
    r("movie_1.mp4", "plotQA", "B", "q1"),
    r("movie_1.mp4", "plotQA", "D", "q2"),
    r("count_1.mp4", "count", "A", "q3"),
    r("x.mp4", "subPlot", "A", "q4"),
  ];
  const kinds: Record<string, Kind> = {
    video_name: "string",
    question: "string",
    answer: "string",
    task_type: "string",
    question_id: "string",
    duration: "double",
  };
  file(join(hf, "test-00000-of-00001.parquet"), table(rows, kinds));
  file(join(hf, "movie_1.mp4"), ""); // lmms-eval's flat folder
  file(join(hf, "unzipped", "count_1.mp4"), "");
  const a = await mlvu.load(pub, { preset: "llava_vid" });
  const b = await mlvu.load(hf, { preset: "llava_vid" });
  assert.equal(a.items.length, 3);
  assert.deepEqual(same(b.items), same(a.items));
  assert.equal(b.items[0].prompt, "What happens?\n(A) run\n(B) jump\n(C) sit\n(D) fly\nOnly give the best option.\nBest option: (");
  assert.deepEqual(
    b.items.map((it) => it.videoPath),
    ["movie_1.mp4", "movie_1.mp4", "unzipped/count_1.mp4"],
  );
  assert.deepEqual(docIds(b.items), [0, 1, 2]);
  assert.equal(b.problems.length, 1);
  assert.match(b.problems[0], /row 4: task_type "subPlot" is none of mlvu_dev's seven/);
});

test("TempCompass: <config>/test-*.parquet per task give the publisher's items; captioning's mc_question from the row", async () => {
  const pub = join(root, "tc-pub");
  const mc = {
    v1: {
      speed: [
        { question: "How fast?\nA. slow\nB. fast", answer: "B. fast" },
        { question: "Speed?\nA. x\nB. y", answer: "A. x" },
      ],
    },
    v2: { direction: [{ question: "Which way?\nA. left\nB. right", answer: "A. left" }] },
  };
  const yn = { v1: { speed: [{ question: "Is it fast?", answer: "yes" }] } };
  const cap = { v1: { speed: [{ question: "Which caption?\nA. a\nB. b", answer: "A. a" }] } };
  file(join(pub, "questions", "multi-choice.json"), JSON.stringify(mc));
  file(join(pub, "questions", "yes_no.json"), JSON.stringify(yn));
  file(join(pub, "questions", "captioning.json"), JSON.stringify(cap));
  const flat = (o: Record<string, Record<string, { question: string; answer: string }[]>>) =>
    Object.entries(o).flatMap(([video_id, dims]) => Object.entries(dims).flatMap(([dim, qs]) => qs.map((x) => ({ video_id, ...x, dim }))));
  const kinds: Record<string, Kind> = { video_id: "string", question: "string", answer: "string", dim: "string" };
  const hf = join(root, "tc-hf");
  file(join(hf, "multi-choice", "test-00000-of-00001.parquet"), table(flat(mc), kinds));
  file(join(hf, "yes_no", "test-00000-of-00001.parquet"), table(flat(yn), kinds));
  file(
    join(hf, "captioning", "test-00000-of-00001.parquet"),
    table(
      flat(cap).map((x) => ({ ...x, mc_question: mc.v1.speed[0].question, mc_answer: mc.v1.speed[0].answer })),
      { ...kinds, mc_question: "string", mc_answer: "string" },
    ),
  );
  const a = await tempcompass.load(pub, { preset: "llava_vid" });
  const b = await tempcompass.load(hf, { preset: "llava_vid" });
  assert.equal(a.items.length, 5);
  assert.deepEqual(same(b.items), same(a.items));
  assert.deepEqual(
    b.items.map((it) => it.extra),
    a.items.map((it) => it.extra),
  );
  assert.deepEqual(
    b.items.map((it) => it.id),
    ["multi-choice/v1/speed/0", "multi-choice/v1/speed/1", "multi-choice/v2/direction/0", "yes_no/v1/speed/0", "captioning/v1/speed/0"],
  );
  assert.deepEqual(docIds(b.items), [0, 1, 2, 0, 0]);
  // One missing config, as with the publisher's files: listed, the others evaluated.
  assert.equal(b.problems.length, 1);
  assert.match(b.problems[0], /caption_matching\/test-\*\.parquet .*missing \(task caption_matching not evaluated\)/);
});

test("neither layout: one error naming the publisher's files and the Hugging Face copy's shards", async () => {
  const d = join(root, "empty");
  mkdirSync(d, { recursive: true });
  // LVBench's split is train: a test shard is not it.
  const decoy = join(root, "lv-test-split");
  file(join(decoy, "data", "test-00000-of-00001.parquet"), table([{ x: "1" }], { x: "string" }));
  await assert.rejects(lvbench.load(decoy), /lvbench: expected the annotation file .*lv-test-split\/\{data\/,\}train-\*\.parquet/);
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    [
      "lvbench",
      () => lvbench.load(d),
      /^lvbench: expected the annotation file .*empty\/\{data\/,\}train-\*\.parquet \(the Hugging Face copy lmms-eval\/LVBench, split train, .*datasets--lmms-lab--LVBench.*\) or .*empty\/video_info\.meta\.jsonl or .*empty\/data\/video_info\.meta\.jsonl \(layout: /,
    ],
    [
      "videomme",
      () => videomme.load(d),
      /^videomme: expected the annotation file .*\{videomme\/,data\/,\}test-\*\.parquet .* or .*empty\/videomme\/test-00000-of-00001\.parquet \(layout: /,
    ],
    [
      "longvideobench",
      () => longvideobench.load(d),
      /^longvideobench: expected the annotation file .*validation-\*\.parquet .*longvideobench\/LongVideoBench.* or .*empty\/lvb_val\.json \(layout: /,
    ],
    [
      "mlvu",
      () => mlvu.load(d),
      /^mlvu: expected the annotation file .*\{,data\/\}test-\*\.parquet \(the Hugging Face copy sy1998\/MLVU_dev.* or .*empty\/json\/1_plotQA\.json \(layout: /,
    ],
    [
      "tempcompass",
      () => tempcompass.load(d),
      /^tempcompass: expected the annotation file .*\{multi-choice\/,yes_no\/,caption_matching\/,captioning\/\}test-\*\.parquet .* or .*empty\/questions\/multi-choice\.json \(layout: /,
    ],
  ];
  for (const [name, load, re] of cases)
    await assert.rejects(load(), (e: Error) => {
      assert.match(e.message, re, name);
      return true;
    });
});
