import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { groupVideo, groupRecords, groupFile, questionText } from "../../src/data/grouping.ts";
import { timeInstruction, videoMarathonFrameCount } from "../../src/data/time-instruction.ts";
import { checkRecord } from "../../src/data/validate.ts";
import type { ConversationRecord, QaRecord } from "../../src/data/record.ts";
import { tempDir } from "./tmp.ts";

const qas = (video: string, n: number, duration = 1234.567, source: QaRecord["data_source"] = "panda"): QaRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    video,
    data_source: source,
    duration,
    task: "Object Recognition",
    question_type: "OE",
    question: `Q${i}?`,
    answer: `A${i}.`,
  }));

const answers = (s: ConversationRecord) => s.conversations.filter((t) => t.from === "gpt").map((t) => t.value);

test("time instruction text and the 1-fps frame count", () => {
  assert.equal(
    timeInstruction(1234.567, 1234),
    "The video lasts for 1234.57 seconds, and 1234 frames are uniformly sampled from it. Please answer the following questions related to this video.",
  );
  assert.equal(videoMarathonFrameCount(1234.567), 1234);
  assert.equal(videoMarathonFrameCount(95.9), 95); // < 128 s: the loader still takes int(duration) of the 128 stored frames
  assert.equal(videoMarathonFrameCount(3600.4, 3599), 3599);
  assert.throws(() => videoMarathonFrameCount(0), { message: "frame count: duration must be a positive number of seconds, got 0" });
});

test("grouping: chunks of ≤ 5, every QA exactly once, first turn carries <image> and the time instruction", () => {
  const samples = groupVideo(qas("v.mp4", 12), { seed: 7 });
  assert.deepEqual(
    samples.map((s) => s.conversations.length),
    [10, 10, 4],
  );
  assert.deepEqual(
    samples.map((s) => s.id),
    ["panda/v.mp4#0", "panda/v.mp4#1", "panda/v.mp4#2"],
  );
  const all = samples.flatMap(answers).sort();
  assert.deepEqual(all, Array.from({ length: 12 }, (_, i) => `A${i}.`).sort());
  for (const s of samples) {
    const first = s.conversations[0].value;
    assert.ok(
      first.startsWith(
        "<image>\nThe video lasts for 1234.57 seconds, and 1234 frames are uniformly sampled from it. Please answer the following questions related to this video.\nQ",
      ),
      first,
    );
    assert.deepEqual(
      s.conversations.map((t) => t.from),
      Array.from({ length: s.conversations.length }, (_, i) => (i % 2 ? "gpt" : "human")),
    );
    for (const t of s.conversations.slice(1)) assert.ok(!t.value.includes("<image>"));
    // each question still pairs with its answer
    for (let i = 0; i < s.conversations.length; i += 2) {
      const k = /Q(\d+)\?$/.exec(s.conversations[i].value)![1];
      assert.equal(s.conversations[i + 1].value, `A${k}.`);
    }
    assert.deepEqual(checkRecord(s).issues, []);
    assert.equal(s.duration, 1234.567);
  }
});

test("grouping is deterministic for a seed, varies with it, and ignores video arrival order", () => {
  const a = groupVideo(qas("v.mp4", 12), { seed: 1 });
  const b = groupVideo(qas("v.mp4", 12), { seed: 1 });
  const c = groupVideo(qas("v.mp4", 12), { seed: 2 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map(answers), c.map(answers));
  const mixed = [...qas("x.mp4", 6), ...qas("v.mp4", 12), ...qas("x.mp4", 3, 50, "ego4d")];
  const g1 = groupRecords(mixed, { seed: 1 });
  const g2 = groupRecords([...mixed.slice(18), ...mixed.slice(6, 18), ...mixed.slice(0, 6)], { seed: 1 });
  assert.deepEqual(g1, g2);
  assert.deepEqual(
    g1.map((s) => s.id),
    ["ego4d/x.mp4#0", "panda/v.mp4#0", "panda/v.mp4#1", "panda/v.mp4#2", "panda/x.mp4#0", "panda/x.mp4#1"],
  );
  assert.deepEqual(
    g1.find((s) => s.id === "panda/v.mp4#0"),
    a[0],
  );
});

test("grouping options: max per sample, official form, MC options, missing duration", () => {
  assert.deepEqual(
    groupVideo(qas("v.mp4", 7), { maxPerSample: 3 }).map((s) => s.conversations.length / 2),
    [3, 3, 1],
  );
  const off = groupVideo(qas("v.mp4", 2), { form: "official", seed: 0 });
  assert.match(off[0].conversations[0].value, /^Q\d\?$/);
  const mc: QaRecord = {
    video: "m.mp4",
    data_source: "panda",
    duration: 200,
    task: "Object Attribute",
    question_type: "MC",
    question: "<image>Color?",
    options: ["red", "B. blue"],
    answer: "A",
  };
  assert.equal(questionText(mc), "Color?\nA. red\nB. blue");
  const [{ duration: _d, ...noDur }] = qas("n.mp4", 1);
  assert.throws(() => groupVideo([noDur as QaRecord]), {
    message: 'group: video panda/n.mp4 has no duration; the time instruction needs it (use the "official" form to leave it to the loader)',
  });
  assert.throws(() => groupVideo([...qas("a.mp4", 1), ...qas("b.mp4", 1)]), { message: "groupVideo: QA for panda/b.mp4 mixed into video panda/a.mp4" });
});

test("groupFile: streams through buckets, same samples as in memory, rejects counted, no temp files left", async () => {
  const dir = tempDir();
  const input = join(dir, "qa.jsonl");
  const rows: unknown[] = [...qas("v.mp4", 12), ...qas("w.mp4", 4, 300, "ego4d"), { ...qas("z.mp4", 1)[0], task: "Bogus" }];
  writeFileSync(input, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const out = join(dir, "grouped.jsonl");
  const res = await groupFile(input, out, { seed: 3, partitions: 3 });
  assert.deepEqual(res, { qa: 16, videos: 2, samples: 4, passedThrough: 0, rejected: 1 });
  const lines = readFileSync(out, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  const want = groupRecords([...qas("v.mp4", 12), ...qas("w.mp4", 4, 300, "ego4d")], { seed: 3 });
  assert.deepEqual(
    [...lines].sort((a, b) => (a.id < b.id ? -1 : 1)),
    want,
  );
  assert.deepEqual(readdirSync(dir).sort(), ["grouped.jsonl", "qa.jsonl"]);
});
