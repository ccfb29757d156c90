import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { synthesizeVideo } from "../../../src/data/synthesis/pipeline.ts";
import { createLlmClient } from "../../../src/data/synthesis/llm.ts";
import { checkRecord } from "../../../src/data/validate.ts";
import { TASKS } from "../../../src/data/taxonomy.ts";
import type { QaRecord } from "../../../src/data/record.ts";
import { startFakeOpenAi, type FakeOpenAi } from "./fake-openai.ts";
import { callsPerVideo, pngFrames, testConfig, video } from "./helpers.ts";
import { tempDir } from "../tmp.ts";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { loadSynthConfig } from "../../../src/data/synthesis/config.ts";

let server: FakeOpenAi;
before(async () => {
  server = await startFakeOpenAi();
});
after(() => server.close());

function ctx(workdir: string, extra: Record<string, unknown> = {}, frameLog?: string[]) {
  const config = testConfig(server.url, extra);
  return { config, llm: createLlmClient(config), framesForClip: pngFrames(frameLog), workdir };
}

const readQa = (dir: string): QaRecord[] =>
  readFileSync(join(dir, "qa.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l)
    .map((l) => JSON.parse(l));

test("one video end to end: step files, exact QA counts per sub-task and format, valid records", async () => {
  const work = tempDir("hl-synth-");
  const frames: string[] = [];
  const before = server.calls.length;
  const r = await synthesizeVideo(video("vid-a", 100), ctx(work, {}, frames));
  const calls = server.calls.slice(before);

  // 100 s in 30 s clips → 0-30, 30-60, 60-90, 90-100; 3 events from the fake splitter.
  assert.deepEqual(frames, ["vid-a:0-30", "vid-a:30-60", "vid-a:60-90", "vid-a:90-100"]);
  assert.equal(calls.length, callsPerVideo(4));
  assert.deepEqual(Object.fromEntries(["clip", "split", "event", "global", "qa-oe", "qa-mc"].map((k) => [k, calls.filter((c) => c.kind === k).length])), {
    clip: 4,
    split: 1,
    event: 3,
    global: 1,
    "qa-oe": 6,
    "qa-mc": 6,
  });
  // The captioner gets the frames as data URLs; every other stage goes to the summarizer model.
  for (const c of calls) assert.equal(c.model, c.kind === "clip" ? "cap-model" : "sum-model");
  for (const c of calls.filter((c) => c.kind === "clip")) {
    assert.equal(c.images.length, 2);
    assert.ok(c.images[0].startsWith("data:image/png;base64,iVBORw0KGgo"));
  }

  const dir = join(work, "vid-a");
  const files = readdirSync(dir).sort();
  const topics = ["action", "event", "object", "scene", "spatiality", "temporality"];
  assert.deepEqual(
    files,
    [
      "clip-0000.json",
      "clip-0001.json",
      "clip-0002.json",
      "clip-0003.json",
      "event-000.json",
      "event-001.json",
      "event-002.json",
      "events.json",
      "global.json",
      ...topics.flatMap((t) => [`qa-${t}-mc.json`, `qa-${t}-oe.json`]),
      "qa.jsonl",
      "result.json",
    ].sort(),
  );
  const events = JSON.parse(readFileSync(join(dir, "events.json"), "utf8"));
  assert.deepEqual(events.value, [
    { start: 0, end: 33, title: "Event 1 of 3" },
    { start: 33, end: 67, title: "Event 2 of 3" },
    { start: 67, end: 100, title: "Event 3 of 3" },
  ]);

  const qa = readQa(dir);
  // 21 prompted sub-tasks × 3 × {OE, MC} + Overall Summarization × 3 OE.
  assert.equal(qa.length, 21 * 3 * 2 + 3);
  assert.deepEqual(r, { videoId: "vid-a", qaCount: 129, events: 3, reused: false });
  for (const t of TASKS) {
    const oe = qa.filter((q) => q.task === t.name && q.question_type === "OE");
    const mc = qa.filter((q) => q.task === t.name && q.question_type === "MC");
    assert.equal(oe.length, 3, `${t.name} OE`);
    assert.equal(mc.length, t.name === "Overall Summarization" ? 0 : 3, `${t.name} MC`);
    for (const q of [...oe, ...mc]) assert.equal(q.topic, t.topic);
  }
  for (const q of qa) {
    const { issues } = checkRecord(q);
    assert.deepEqual(issues, [], JSON.stringify(q));
    assert.equal(q.duration, 100);
    assert.equal(q.events, 3);
    assert.equal(q.video, "panda/vid-a.mp4");
  }
  assert.equal(new Set(qa.map((q) => q.id)).size, qa.length);
  const summary = qa.filter((q) => q.task === "Overall Summarization");
  assert.ok(summary.every((q) => q.answer === "A video told in 3 events."));
  assert.equal(new Set(summary.map((q) => q.question)).size, 3);
  const mc = qa.find((q) => q.id === "vid-a-object-permanence-mc-2")!;
  assert.deepEqual(mc.options, ["red", "green", "blue", "black"]);
  assert.equal(mc.answer, "C. blue");
  assert.equal(mc.question, "Object/Object Permanence choice 2?");
  // The QA prompt carried the topic's own clip perspective and the global caption.
  const spatial = calls.find((c) => c.kind === "qa-oe" && c.prompt.includes('topic "Spatiality"'))!;
  assert.match(spatial.prompt, /From 60-90s: Spatiality of 60-90s seen in 2 frames\./);
  assert.match(spatial.prompt, /Overall description: A video told in 3 events\./);
  const event1 = calls.find((c) => c.kind === "event" && c.prompt.includes("Title of this event: Event 2 of 3"))!;
  assert.match(event1.prompt, /Event just before it \(context only, do not describe it\): Event 1 of 3/);
  assert.ok(!event1.prompt.includes("90-100s"), "event 2 (33-67 s) gets only the clips that overlap it");
});

test("a rerun calls the server only for missing steps and rebuilds the same output", async () => {
  const work = tempDir("hl-synth-");
  const c = ctx(work);
  await synthesizeVideo(video("vid-r"), c);
  const dir = join(work, "vid-r");
  const first = readFileSync(join(dir, "qa.jsonl"), "utf8");

  let n = server.calls.length;
  const again = await synthesizeVideo(video("vid-r"), c);
  assert.equal(server.calls.length, n, "finished video: no calls");
  assert.equal(again.reused, true);
  assert.equal(again.qaCount, 129);

  for (const f of ["event-001.json", "qa-object-mc.json", "clip-0002.json", "qa.jsonl"]) rmSync(join(dir, f));
  n = server.calls.length;
  const frames: string[] = [];
  const r = await synthesizeVideo(video("vid-r"), { ...c, framesForClip: pngFrames(frames) });
  assert.deepEqual(
    server.calls
      .slice(n)
      .map((x) => x.kind)
      .sort(),
    ["clip", "event", "qa-mc"],
  );
  assert.deepEqual(frames, ["vid-r:60-90"]);
  assert.equal(r.reused, false);
  assert.equal(readFileSync(join(dir, "qa.jsonl"), "utf8"), first);

  // Redoing the split gives the same events, so the event captions downstream are kept.
  rmSync(join(dir, "events.json"));
  rmSync(join(dir, "qa.jsonl"));
  n = server.calls.length;
  await synthesizeVideo(video("vid-r"), c);
  assert.deepEqual(
    server.calls.slice(n).map((x) => x.kind),
    ["split"],
  );
  assert.equal(readFileSync(join(dir, "qa.jsonl"), "utf8"), first);
});

test("a changed event split invalidates the event captions made from the old one", async () => {
  const work = tempDir("hl-synth-");
  const c = ctx(work);
  await synthesizeVideo(video("vid-s", 120), c);
  const dir = join(work, "vid-s");
  rmSync(join(dir, "events.json"));
  rmSync(join(dir, "qa.jsonl"));
  server.events = 4;
  try {
    const n = server.calls.length;
    const r = await synthesizeVideo(video("vid-s", 120), c);
    const kinds = server.calls.slice(n).map((x) => x.kind);
    // New split, 4 new event captions (file names match but inputs differ), a new global caption and all QA.
    assert.equal(kinds.filter((k) => k === "event").length, 4);
    assert.equal(kinds.filter((k) => k === "clip").length, 0);
    assert.equal(kinds.length, 1 + 4 + 1 + 12);
    assert.equal(r.events, 4);
    assert.ok(readQa(dir).every((q) => q.events === 4));
  } finally {
    server.events = 3;
  }
});

test("transient HTTP errors are retried with backoff; a 400 is not", async () => {
  const work = tempDir("hl-synth-");
  server.failNext(2, 503);
  let n = server.calls.length;
  const r = await synthesizeVideo(video("vid-503", 30), ctx(work, { parallelCalls: 1 }));
  const calls = server.calls.slice(n);
  assert.deepEqual(
    calls.slice(0, 3).map((x) => [x.kind, x.status]),
    [
      ["clip", 503],
      ["clip", 503],
      ["clip", 200],
    ],
  );
  assert.equal(calls.length, callsPerVideo(1) + 2);
  assert.equal(r.qaCount, 129);

  server.failNext(1, 429, 2);
  n = server.calls.length;
  await synthesizeVideo(video("vid-429", 30), ctx(tempDir("hl-synth-"), { parallelCalls: 1 }));
  assert.deepEqual(
    server.calls.slice(n, n + 2).map((x) => x.status),
    [429, 200],
  );

  // More failures than retries: the error surfaces.
  server.failNext(4, 500);
  n = server.calls.length;
  await assert.rejects(synthesizeVideo(video("vid-500", 30), ctx(tempDir("hl-synth-"), { parallelCalls: 1 })), /500 injected 500/);
  assert.equal(server.calls.length - n, 4, "1 try + 3 retries");

  server.failNext(1, 400);
  n = server.calls.length;
  await assert.rejects(synthesizeVideo(video("vid-400", 30), ctx(tempDir("hl-synth-"), { parallelCalls: 1 })), /400 injected 400/);
  assert.equal(server.calls.length - n, 1, "a client error is not retried");
});

test("an invalid reply is retried with the validation error appended", async () => {
  const work = tempDir("hl-synth-");
  server.invalidNext(1, "clip");
  server.invalidNext(1, "qa-oe");
  const n = server.calls.length;
  const r = await synthesizeVideo(video("vid-bad", 30), ctx(work, { parallelCalls: 1 }));
  assert.equal(r.qaCount, 129);
  const calls = server.calls.slice(n);
  assert.equal(calls.length, callsPerVideo(1) + 2);
  const clipRetry = calls.filter((c) => c.kind === "clip")[1];
  assert.equal(clipRetry.messages, 3);
  assert.equal(
    clipRetry.prompt,
    "Your reply could not be used (the reply holds no parseable JSON object). Reply again with only the corrected JSON, in the format asked for above.",
  );
  const qaRetry = calls.filter((c) => c.kind === "qa-oe")[1];
  assert.equal(qaRetry.messages, 3);
  assert.match(
    qaRetry.prompt,
    /^Your reply could not be used \(the JSON does not match the required format: Temporal Perception: Invalid input: expected array, received undefined; Duration Perception: /,
  );
});

test("replies that stay invalid fail the step with one clear line", async () => {
  server.invalidNext(10, "global");
  try {
    await assert.rejects(synthesizeVideo(video("vid-global", 30), ctx(tempDir("hl-synth-"), { maxValidationAttempts: 2 })), {
      message: "video vid-global: global: no valid reply after 2 attempts; last problem: the reply holds no parseable JSON object",
    });
  } finally {
    server.invalidNext(0, "global");
  }
});

test("a video with fewer events than minEvents ends with an empty qa.jsonl and the reason", async () => {
  const work = tempDir("hl-synth-");
  server.events = 2;
  try {
    const r = await synthesizeVideo(video("vid-few", 60), ctx(work));
    assert.deepEqual(r, { videoId: "vid-few", qaCount: 0, events: 2, skipped: "2 events found, fewer than minEvents = 3", reused: false });
    assert.equal(readFileSync(join(work, "vid-few", "qa.jsonl"), "utf8"), "");
    const n = server.calls.length;
    assert.equal((await synthesizeVideo(video("vid-few", 60), ctx(work))).reused, true);
    assert.equal(server.calls.length, n);
  } finally {
    server.events = 3;
  }
});

test("connection errors are retried with backoff, then reported", async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const config = testConfig(`http://127.0.0.1:${port}/v1`, { network: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2, timeoutMs: 2000 } });
  const retries: number[] = [];
  const llm = createLlmClient(config, { onRetry: (stage, _e, attempt) => retries.push(attempt) });
  await assert.rejects(llm.complete("summarizer", [{ role: "user", content: "hi" }]), { message: "Connection error." });
  assert.deepEqual(retries, [1, 2]);
});

test("the example config in the source tree is valid", () => {
  const c = loadSynthConfig(fileURLToPath(new URL("../../../src/data/synthesis/synth-config.example.json", import.meta.url)));
  assert.equal(c.captioner.model, "Qwen/Qwen2-VL-7B-Instruct");
  assert.equal(c.clipStrideSeconds, undefined);
});
