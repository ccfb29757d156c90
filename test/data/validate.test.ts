import { test } from "node:test";
import assert from "node:assert/strict";
import { Validator, checkRecord, formatReject, formatSummary, matchOption, type Reject } from "../../src/data/validate.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readRecords } from "../../src/data/readers.ts";

const conv = (turns: [string, string][], extra: Record<string, unknown> = {}) => ({
  id: "x",
  video: "v.mp4",
  data_source: "panda",
  conversations: turns.map(([from, value]) => ({ from, value })),
  ...extra,
});
const qa = (extra: Record<string, unknown> = {}) => ({
  video: "v.mp4",
  duration: 600,
  task: "Object Recognition",
  question_type: "OE",
  question: "What?",
  answer: "A ball.",
  data_source: "ego4d",
  ...extra,
});

function issues(value: unknown, maxDurationS?: number): string[] {
  return checkRecord(value, { maxDurationS }).issues.map((i) => `${i.field} | ${i.reason} | ${i.detail}`);
}

test("valid records pass, extra fields are kept", () => {
  const r = checkRecord(
    conv(
      [
        ["human", "<image>\nWhat?"],
        ["gpt", "A."],
        ["human", "Why?"],
        ["gpt", "B."],
      ],
      { source: "vm" },
    ),
  );
  assert.deepEqual(r.issues, []);
  assert.equal(r.record!.source, "vm");
  assert.deepEqual(checkRecord(qa({ question_type: "MC", options: ["A. red", "B. blue"], answer: "B" })).issues, []);
});

test("conversation checks: roles, order, empty text, <image> placement", () => {
  assert.deepEqual(
    issues(
      conv([
        ["gpt", "A."],
        ["human", "Q?"],
      ]),
    ),
    [
      'conversations[0].from | bad_role_order | expected "human" (turns alternate human/gpt starting with human), got "gpt"',
      'conversations[1].from | bad_role_order | expected "gpt" (turns alternate human/gpt starting with human), got "human"',
    ],
  );
  assert.deepEqual(
    issues(
      conv([
        ["human", "Q?"],
        ["assistant", "A."],
      ]),
    ),
    ['conversations[1].from | bad_role | "assistant" is not "human" or "gpt"'],
  );
  assert.deepEqual(
    issues(
      conv([
        ["human", "Q?"],
        ["gpt", "  "],
      ]),
    ),
    ["conversations[1].value | empty_value | empty text"],
  );
  assert.deepEqual(
    issues(
      conv([
        ["human", "Q?"],
        ["gpt", "A."],
        ["human", "<image> again?"],
      ]),
    ),
    [
      'conversations[2].value | image_token | "<image>" may appear only in the first human turn',
      "conversations | bad_role_order | ends with a human turn (conversations[2]) that has no answer",
    ],
  );
  assert.deepEqual(
    issues(
      conv([
        ["human", "<image><image>Q?"],
        ["gpt", "A."],
      ]),
    ),
    ['conversations[0].value | image_token | "<image>" appears 2 times; at most once'],
  );
  assert.deepEqual(issues(conv([])), ["conversations | empty_value | no turns"]);
  assert.deepEqual(
    issues(
      conv(
        [
          ["human", "Q"],
          ["gpt", "A"],
        ],
        { data_source: "youtube" },
      ),
    ),
    ['data_source | unknown_data_source | "youtube" is not one of activitynet, ego4d, moviechat, panda, youcook2'],
  );
});

test("type errors from the schema name the field and the value", () => {
  assert.deepEqual(issues({ video: 3, data_source: "panda", conversations: [{ from: "human" }] }), [
    "video | wrong_type | expected string, got number 3",
    "conversations[0].value | missing_field | missing (required)",
  ]);
  assert.deepEqual(issues([1, 2]), ["(record) | not_an_object | expected a JSON object, got array"]);
  assert.deepEqual(issues(qa({ duration: "ten" })), ['duration | wrong_type | expected number, got string "ten"']);
});

test("QA checks: task, topic, question type, options, answer, duration, events", () => {
  assert.deepEqual(issues(qa({ task: "Object Counting" })), ['task | unknown_task | "Object Counting" is not one of the 22 VideoMarathon tasks']);
  assert.deepEqual(issues(qa({ task: "object_recognition", topic: "Object" })), []);
  assert.deepEqual(issues(qa({ topic: "Action" })), ['topic | topic_mismatch | "Action" does not match task "Object Recognition" (topic Object)']);
  assert.deepEqual(issues(qa({ question_type: "TF" })), ['question_type | bad_question_type | "TF" is not "OE" or "MC"']);
  assert.deepEqual(issues(qa({ question_type: "MC", options: ["only"], answer: "only" })), [
    "options | too_few_options | a multiple-choice question needs at least 2 options, got 1",
  ]);
  assert.deepEqual(issues(qa({ question_type: "MC", options: ["A. red", "B. blue"], answer: "E" })), [
    'answer | answer_not_in_options | "E" is not among the 2 options',
  ]);
  assert.deepEqual(issues(qa({ question_type: "MC", options: ["red", "blue"], answer: "green" })), [
    'answer | answer_not_in_options | "green" is not among the 2 options',
  ]);
  assert.deepEqual(issues(qa({ duration: 0 })), ["duration | duration_out_of_range | 0 s is outside 0 < duration ≤ 3600 s"]);
  assert.deepEqual(issues(qa({ duration: 3700 })), ["duration | duration_out_of_range | 3700 s is outside 0 < duration ≤ 3600 s"]);
  assert.deepEqual(issues(qa({ duration: 3700 }), 4000), []);
  assert.deepEqual(issues(qa({ events: 2.5 })), ["events | bad_events | expected a non-negative integer, got 2.5"]);
  assert.deepEqual(issues(qa({ question: "", answer: " " })), ["question | empty_value | empty text", "answer | empty_value | empty text"]);
});

test("matchOption accepts the option text, a letter, (A) and 'A. text'", () => {
  const opts = ["A. red ball", "B. blue car", "C. green tree"];
  assert.equal(matchOption("B", opts), 1);
  assert.equal(matchOption("(C)", opts), 2);
  assert.equal(matchOption("C. green tree", opts), 2);
  assert.equal(matchOption("blue car", opts), 1);
  assert.equal(matchOption("D", opts), -1);
  assert.equal(matchOption("A big answer", opts), -1);
  assert.equal(matchOption("tree", ["car", "tree"]), 1);
});

test("Validator: every reject reported, summary by reason, strict throws the first", () => {
  const seen: Reject[] = [];
  const v = new Validator({ onReject: (r) => seen.push(r) });
  const items = [
    { file: "f.jsonl", index: 0, line: 1, value: qa() },
    { file: "f.jsonl", index: 1, line: 2, error: "not valid JSON (Unexpected token)" },
    { file: "f.jsonl", index: 2, line: 3, value: qa({ task: "Nope", duration: -1 }) },
    { file: "f.jsonl", index: 3, line: 4, value: qa({ task: "Nope2" }) },
  ];
  const out = items.map((i) => v.check(i));
  assert.equal(out.filter(Boolean).length, 1);
  assert.deepEqual(seen.map(formatReject), [
    "f.jsonl:2 (record): not valid JSON (Unexpected token)",
    'f.jsonl:3 task: "Nope" is not one of the 22 VideoMarathon tasks',
    "f.jsonl:3 duration: -1 s is outside 0 < duration ≤ 3600 s",
    'f.jsonl:4 task: "Nope2" is not one of the 22 VideoMarathon tasks',
  ]);
  const s = v.summary();
  assert.deepEqual([s.total, s.valid, s.rejected], [4, 1, 3]);
  assert.deepEqual(s.byReason, { bad_json: 1, unknown_task: 2, duration_out_of_range: 1 });
  assert.equal(
    formatSummary(s),
    [
      "4 records: 1 valid, 3 rejected",
      '  unknown_task: 2 (e.g. f.jsonl:3 task: "Nope" is not one of the 22 VideoMarathon tasks)',
      "  bad_json: 1 (e.g. f.jsonl:2 (record): not valid JSON (Unexpected token))",
      "  duration_out_of_range: 1 (e.g. f.jsonl:3 duration: -1 s is outside 0 < duration ≤ 3600 s)",
    ].join("\n"),
  );
  const strict = new Validator({ strict: true });
  assert.equal(strict.check(items[0])?.video, "v.mp4");
  assert.throws(() => strict.check(items[2]), { message: 'f.jsonl:3 task: "Nope" is not one of the 22 VideoMarathon tasks' });
});

test("exit codes and messages: a reject inside a one-line JSON array is located by element index and id", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-arr-"));
  try {
    const f = join(dir, "qa.json");
    const ok = conv([
      ["human", "<image>\nWhat?"],
      ["gpt", "A."],
    ]);
    writeFileSync(f, JSON.stringify([ok, { ...ok, id: "v2-bad", conversations: [] }, ok]));
    const seen: Reject[] = [];
    const v = new Validator({ onReject: (r) => seen.push(r) });
    for await (const item of readRecords(f)) v.check(item);
    assert.equal(seen.length, 1);
    assert.match(formatReject(seen[0]), new RegExp(`^${f.replace(/[.]/g, "\\.")}:1 element \\[1\\] \\(id "v2-bad"\\) conversations`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
