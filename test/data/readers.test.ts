import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { detectFormat, readJsonArray, readJsonl, readRecords, inspectParquet, type RawItem } from "../../src/data/readers.ts";
import { describeColumns, resolveColumns } from "../../src/data/columns.ts";
import { writeParquet } from "./parquet-writer.ts";
import { tempDir } from "./tmp.ts";

async function collect(gen: AsyncGenerator<RawItem>): Promise<RawItem[]> {
  const out: RawItem[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

const dir = tempDir();

test("JSON lines: tiny chunks split multi-byte characters and lines; blank lines skipped; bad line reported at its index", async () => {
  const f = join(dir, "a.jsonl");
  writeFileSync(f, '{"q": "héllo 😀"}\n\n{"q": "two, \\"x\\""}\nnot json\n{"q": 3}');
  for (const chunkSize of [1, 3, 7, 1 << 20]) {
    const items = await collect(readJsonl(f, { chunkSize }));
    assert.deepEqual(
      items.map((i) => [i.index, i.value ?? i.error?.slice(0, 15)]),
      [
        [0, { q: "héllo 😀" }],
        [2, { q: 'two, "x"' }],
        [3, "not valid JSON "],
        [4, { q: 3 }],
      ],
      `chunk ${chunkSize}`,
    );
  }
});

test("JSON array: streamed element by element with small chunks; a bad element is an error item, not a drop", async () => {
  const f = join(dir, "b.json");
  writeFileSync(f, '[{"video": "a,]b.mp4"}, {"x": tru}, "ünï"]');
  const items = await collect(readJsonArray(f, { chunkSize: 4 }));
  assert.equal(items.length, 3);
  assert.deepEqual(items[0].value, { video: "a,]b.mp4" });
  assert.equal(items[1].index, 1);
  assert.match(items[1].error!, /^not valid JSON \(/);
  assert.equal(items[2].value, "ünï");
  const bad = join(dir, "bad.json");
  writeFileSync(bad, '[{"a": 1},');
  await assert.rejects(collect(readJsonArray(bad)), { message: `${bad}: unexpected end of input after 1 complete element(s); the JSON array is not closed` });
});

test("readRecords picks the reader by extension and by content for .json", async () => {
  const lines = join(dir, "lines.json");
  writeFileSync(lines, '{"a": 1}\n{"a": 2}\n');
  assert.equal(await detectFormat(lines), "jsonl");
  assert.equal(await detectFormat(join(dir, "b.json")), "json");
  assert.deepEqual(
    (await collect(readRecords(lines))).map((i) => i.value),
    [{ a: 1 }, { a: 2 }],
  );
  await assert.rejects(detectFormat(join(dir, "x.csv")), {
    message: `${join(dir, "x.csv")}: unknown file type ".csv"; expected .jsonl, .ndjson, .json or .parquet`,
  });
});

test("column aliases resolve and are described", () => {
  const m = resolveColumns(["video_id", "Question", "gt", "choices", "qa_type", "sub_task", "num_events", "extra"]);
  assert.deepEqual(m.found, {
    video: "video_id",
    question: "Question",
    answer: "gt",
    options: "choices",
    question_type: "qa_type",
    task: "sub_task",
    events: "num_events",
  });
  assert.deepEqual(m.missing, []);
  assert.equal(
    describeColumns(m),
    "columns used: video←video_id, task←sub_task, question_type←qa_type, question←Question, options←choices, answer←gt, events←num_events; not found: id, duration, topic, data_source; kept as extra: extra",
  );
});

test("parquet: row groups read one at a time, columns mapped to the QA form, int64/lists/nulls converted", async () => {
  const f = join(dir, "qa.parquet");
  writeFileSync(
    f,
    writeParquet(
      [
        { name: "video_id", kind: "string", values: ["panda/v1.mp4", "panda/v1.mp4", "ego4d/v2.mp4"] },
        { name: "duration", kind: "double", values: [600.5, 600.5, null] },
        { name: "task", kind: "string", values: ["Object Recognition", "Temporal Order", "Scene Recognition"] },
        { name: "question", kind: "string", values: ["What is red?", "What came first?", "Where?"] },
        { name: "choices", kind: "list<string>", values: [["A. ball", "B. car"], null, null] },
        { name: "answer", kind: "string", values: ["A", "the dough", "a kitchen"] },
        { name: "num_events", kind: "int64", values: [7, 7, 4] },
      ],
      2,
    ),
  );
  const info = await inspectParquet(f);
  assert.equal(info.rows, 3);
  assert.equal(info.rowGroups, 2);
  let summary = "";
  const items = await collect(readRecords(f, { onColumns: (_m, _c, s) => (summary = s) }));
  assert.equal(
    summary,
    "columns used: video←video_id, duration, task, question, options←choices, answer, events←num_events; not found: id, topic, question_type, data_source",
  );
  assert.deepEqual(items[0], {
    file: f,
    index: 0,
    value: {
      video: "panda/v1.mp4",
      duration: 600.5,
      task: "Object Recognition",
      question: "What is red?",
      options: ["A. ball", "B. car"],
      answer: "A",
      events: 7,
      question_type: "MC",
      data_source: "panda",
    },
  });
  assert.deepEqual(items[1].value, {
    video: "panda/v1.mp4",
    duration: 600.5,
    task: "Temporal Order",
    question: "What came first?",
    answer: "the dough",
    events: 7,
    question_type: "OE",
    data_source: "panda",
  });
  assert.equal(items[2].index, 2);
  assert.deepEqual(items[2].value, {
    video: "ego4d/v2.mp4",
    task: "Scene Recognition",
    question: "Where?",
    answer: "a kitchen",
    events: 4,
    question_type: "OE",
    data_source: "ego4d",
  });
});

test("parquet without a needed column names what it has and what it needs", async () => {
  const f = join(dir, "noq.parquet");
  writeFileSync(
    f,
    writeParquet(
      [
        { name: "video", kind: "string", values: ["a.mp4"] },
        { name: "label", kind: "string", values: ["x"] },
      ],
      10,
    ),
  );
  await assert.rejects(collect(readRecords(f)), {
    message: `${f}: no column for "question" (any of question/q/query/prompt), "answer" (any of answer/a/gt/ground_truth/correct_answer/response); columns present: video, label`,
  });
});

test("records carry 1-based start lines; text nested past any record is a reject, not a stack overflow", async () => {
  const dir = tempDir();
  const deep = `{"video":"a.mp4","question":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}`;
  const jl = join(dir, "deep.jsonl");
  writeFileSync(jl, `{"a":1}\n\n${deep}\n`);
  const items = [];
  for await (const it of readRecords(jl)) items.push(it);
  assert.deepEqual(
    items.map((i) => [i.line, i.error ?? "ok"]),
    [
      [1, "ok"],
      [3, "nested deeper than 512 levels; not a record"],
    ],
  );
  const arr = join(dir, "deep.json");
  writeFileSync(arr, `[\n  {"a": 1},\n\n  ${deep},\n  {"b":\n 2}\n]\n`);
  const els = [];
  for await (const it of readRecords(arr)) els.push(it);
  assert.deepEqual(
    els.map((i) => [i.index, i.line, i.error === undefined]),
    [
      [0, 2, true],
      [1, 4, false],
      [2, 5, true],
    ],
  );
});

test("an empty .json file is an error, not zero records", async () => {
  const f = join(tempDir(), "empty.json");
  writeFileSync(f, "  \n");
  await assert.rejects(
    async () => {
      for await (const _ of readRecords(f));
    },
    new RegExp(`${f.replace(/[.]/g, "\\.")}: empty file; a \\.json file holds a JSON array`),
  );
});
