import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { extractJson } from "../../../src/data/synthesis/json-reply.ts";
import { clipWindows } from "../../../src/data/synthesis/clips.ts";
import { eventSplitSchema, qaReplySchema, clipCaptionSchema, parseSpan } from "../../../src/data/synthesis/schemas.ts";
import { renderTemplate, parseTopicFile, loadAllTopicPrompts, PROMPT_NAMES, renderPrompt, placeholders } from "../../../src/data/synthesis/prompts.ts";
import { parseSynthConfig } from "../../../src/data/synthesis/config.ts";
import { readVideoSpecs } from "../../../src/data/synthesis/video-spec.ts";
import { backoffDelayMs, withBackoff } from "../../../src/data/synthesis/retry.ts";
import { framesMessage } from "../../../src/data/synthesis/frames-message.ts";
import { extractClipFrames, splitJpegStream } from "../../../src/data/synthesis/ffmpeg-frames.ts";
import { summaryQuestions } from "../../../src/data/synthesis/qa-prompt.ts";
import { ffmpegPath } from "../../../src/video/ffmpeg-path.ts";
import { TASKS } from "../../../src/data/taxonomy.ts";
import { PNG_1X1 } from "./helpers.ts";
import { tempDir } from "../tmp.ts";

test("extractJson finds the JSON in fences, prose and with trailing commas", () => {
  assert.deepEqual(extractJson('Sure:\n```json\n{"a": 1}\n```\nDone.'), { a: 1 });
  assert.deepEqual(extractJson("```\n[1, 2]\n```"), [1, 2]);
  assert.deepEqual(extractJson('The answer is {"a": {"b": "x}y"}, "c": [1,2,],} as requested'), { a: { b: "x}y" }, c: [1, 2] });
  assert.deepEqual(extractJson('{"broken": } then {"ok": true}'), { ok: true });
  assert.throws(() => extractJson("  "), { message: "the reply is empty" });
  assert.throws(() => extractJson("no json {here"), { message: "the reply holds no parseable JSON object" });
});

test("clip windows: 30 s clips, a short tail folded into the last one", () => {
  const w = (d: number, c = 30, s?: number) => clipWindows(d, c, s).map((x) => `${x.start}-${x.end}`);
  assert.deepEqual(w(100), ["0-30", "30-60", "60-90", "90-100"]);
  assert.deepEqual(w(95), ["0-30", "30-60", "60-95"]);
  assert.deepEqual(w(60), ["0-30", "30-60"]);
  assert.deepEqual(w(12), ["0-12"]);
  assert.deepEqual(w(70, 30, 20), ["0-30", "20-50", "40-70"]);
  assert.throws(() => clipWindows(0, 30), { message: "clip windows: duration must be > 0 s, got 0" });
});

test("event split: spans parsed, sorted and clamped; bad spans named", () => {
  const s = eventSplitSchema(100, 30);
  assert.deepEqual(s.parse({ "40-101s": "b", "0s - 45s": "a" }), [
    { start: 0, end: 45, title: "a" },
    { start: 40, end: 100, title: "b" },
  ]);
  assert.deepEqual(parseSpan("12.5-20s"), { start: 12.5, end: 20 });
  const r = s.safeParse({ intro: "x", "50-40s": "y", "90-200s": "z" });
  assert.equal(r.success, false);
  assert.deepEqual(
    r.error!.issues.map((i) => i.message),
    ['key "intro" is not a time span like "0-70s"', "span 50-40s does not end after it starts", "span 90-200s ends after the video does (100 s)"],
  );
});

test("clip captions: keys matched loosely, all six perspectives required", () => {
  const six = { temporality: "t", SPATIALITY: "s", Object: "o", action: "a", scene: "c", summary: "m" };
  assert.deepEqual(clipCaptionSchema.parse(six), { Temporality: "t", Spatiality: "s", Object: "o", Action: "a", Scene: "c", Summary: "m" });
  const r = clipCaptionSchema.safeParse({ ...six, summary: "  " });
  assert.equal(r.success, false);
  assert.equal(r.error!.issues[0].path.join("."), "Summary");
});

test("QA replies: task names matched loosely, three kept, MC answers resolved to an option", () => {
  const oe = qaReplySchema(["Scene Recognition", "Scene Transition"], "OE");
  const items = (k: number) => Array.from({ length: k }, (_, i) => ({ question: `q${i}`, answer: `a${i}` }));
  const v = oe.parse({ scene_recognition: items(4), "Sub-task 2: Scene Transition": items(3), Other: [] });
  assert.deepEqual(Object.keys(v), ["Scene Recognition", "Scene Transition"]);
  assert.equal(v["Scene Recognition"].length, 3);
  assert.equal(oe.safeParse({ "Scene Recognition": items(2), "Scene Transition": items(3) }).error!.issues[0].message, "needs 3 question-answer pairs");

  const mc = qaReplySchema(["Scene Recognition"], "MC");
  const q = (answer: string, options = ["A. park", "B) beach", "(C) kitchen", "office"]) => ({ question: "where?", options, answer });
  const got = mc.parse({ "Scene Recognition": [q("B"), q("kitchen"), q("D. office")] })["Scene Recognition"];
  assert.deepEqual(
    got.map((x) => x.answer),
    ["B. beach", "C. kitchen", "D. office"],
  );
  assert.deepEqual(got[0].options, ["park", "beach", "kitchen", "office"]);
  const bad = mc.safeParse({ "Scene Recognition": [q("E"), q("B"), q("B", ["x", "X", "y"])] });
  assert.deepEqual(
    bad.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
    ['Scene Recognition.0.answer: answer "E" names none of the 4 options', "Scene Recognition.2.options: options repeat each other"],
  );
});

test("prompt files: every template renders, topic files cover the 21 prompted tasks", () => {
  const topics = loadAllTopicPrompts();
  const tasks = topics.flatMap((t) => t.subTasks.map((s) => s.task));
  assert.deepEqual(
    tasks,
    TASKS.map((t) => t.name).filter((n) => n !== "Overall Summarization"),
  );
  assert.deepEqual(
    topics.map((t) => t.perspective),
    ["Temporality", "Spatiality", "Object", "Action", "Scene", "Summary"],
  );
  for (const name of PROMPT_NAMES) {
    const text = renderPrompt(name, Object.fromEntries(placeholdersOf(name).map((p) => [p, `<${p}>`])));
    assert.ok(!text.includes("{{"), name);
  }
  assert.deepEqual(placeholdersOf("event-caption"), ["event_start", "event_end", "event_title", "previous_event", "next_event", "clip_captions"]);
});

function placeholdersOf(name: string): string[] {
  try {
    renderPrompt(name as never, {});
    return [];
  } catch (e) {
    return [...(e as Error).message.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]);
  }
}

test("templates and topic files: errors name the file, line and problem", () => {
  assert.equal(renderTemplate("a {{x}} {{ y }}", { x: "{{y}}", y: 2 }), "a {{y}} 2");
  assert.deepEqual(placeholders("{{a}} {{b}} {{a}}"), ["a", "b"]);
  assert.throws(() => renderTemplate("{{x}} {{z}}", { x: 1 }, "t.md"), { message: "t.md: no value for {{z}}" });
  assert.throws(() => renderTemplate("{{x}}", { x: 1, w: 2 }, "t.md"), { message: "t.md: has no placeholder for {{w}}" });
  const good = [
    "perspective: Scene",
    "## Scene Recognition",
    "definition: where",
    'open-ended: {"question": "q", "answer": "a"}',
    'multiple-choice: {"question": "q", "options": ["x", "y"], "answer": "A"}',
  ];
  assert.throws(() => parseTopicFile(good.join("\n"), "Scene", "s.md"), { message: 's.md: missing sub-task "Scene Transition"' });
  assert.throws(() => parseTopicFile(["perspective: Scene", "## Scene Recognitions"].join("\n"), "Scene", "s.md"), {
    message: 's.md:2: "Scene Recognitions" is not one of the 22 VideoMarathon tasks',
  });
  assert.throws(() => parseTopicFile(["perspective: Scene", "## Object Recognition"].join("\n"), "Scene", "s.md"), {
    message: 's.md:2: task "Object Recognition" belongs to topic Object, not Scene',
  });
  assert.throws(() => parseTopicFile([...good.slice(0, 3), 'open-ended: {"question": "q"}'].join("\n"), "Scene", "s.md"), {
    message: "s.md:4: open-ended example: answer: Invalid input: expected string, received undefined",
  });
  assert.throws(() => parseTopicFile(good.slice(0, 4).join("\n"), "Scene", "s.md"), {
    message: 's.md:2: sub-task "Scene Recognition" has no multiple-choice: line',
  });
  assert.throws(() => parseTopicFile(["perspective: Colour"].join("\n"), "Scene", "s.md"), {
    message: 's.md:1: perspective "Colour" is not one of Temporality, Spatiality, Object, Action, Scene, Summary',
  });
});

test("config: defaults filled in, bad values named", () => {
  const c = parseSynthConfig({ baseURL: "http://127.0.0.1:9/v1", captioner: { model: "qwen2-vl-7b" }, summarizer: { model: "deepseek-v3" } });
  assert.equal(c.clipSeconds, 30);
  assert.equal(c.maxValidationAttempts, 3);
  assert.deepEqual(c.network, { maxRetries: 6, baseDelayMs: 500, maxDelayMs: 30_000, timeoutMs: 300_000 });
  assert.throws(() => parseSynthConfig({ baseURL: "nope", captioner: { model: "" }, summarizer: { model: "m" }, colour: 1 }, "synth.json"), {
    message: 'synth.json: baseURL: Invalid URL; captioner.model: Too small: expected string to have >=1 characters; (root): Unrecognized key: "colour"',
  });
});

test("videos.jsonl: bad lines stop with file, line, field and reason", () => {
  const dir = tempDir("hl-synth-");
  const f = join(dir, "videos.jsonl");
  const ok = { id: "v1", video: "a.mp4", duration: 300, data_source: "panda" };
  writeFileSync(f, [ok, { ...ok, id: "v2", path: "/data/b.mp4" }].map((x) => JSON.stringify(x)).join("\n") + "\n\n");
  assert.deepEqual(
    readVideoSpecs(f).map((v) => v.id),
    ["v1", "v2"],
  );
  const bad = (line: object | string, message: string | RegExp) => {
    writeFileSync(f, JSON.stringify(ok) + "\n" + (typeof line === "string" ? line : JSON.stringify(line)) + "\n");
    assert.throws(() => readVideoSpecs(f), { message });
  };
  bad({ ...ok, id: "123" }, `${f}:2: id: must not be all digits (BullMQ job ids cannot be integers); add a prefix such as v123 (got "123")`);
  bad({ ...ok, id: "a/b" }, `${f}:2: id: must be 1–128 letters, digits, '.', '_' or '-' (it names a folder and a queue job) (got "a/b")`);
  bad(
    { ...ok, id: "v9", data_source: "youtube" },
    `${f}:2: data_source: Invalid option: expected one of "activitynet"|"ego4d"|"moviechat"|"panda"|"youcook2" (got "youtube")`,
  );
  bad({ ...ok, id: "v9", duration: -1 }, `${f}:2: duration: Too small: expected number to be >0 (got -1)`);
  bad(ok, `${f}:2: id "v1" repeats line 1`);
  bad("{oops", new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: not valid JSON \\(Expected property name`));
});

test("backoff: exponential, capped, jittered; only transient errors retried", async () => {
  const o = { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, o)),
    [75, 150, 300, 600, 750, 750],
  );
  assert.equal(backoffDelayMs(2, { ...o, random: () => 0 }), 200);
  const slept: number[] = [];
  let n = 0;
  const v = await withBackoff(
    async () => {
      if (++n < 3) throw new Error(n === 1 ? "flaky" : "slow down");
      return "ok";
    },
    (e) => ((e as Error).message === "slow down" ? 900 : 0),
    { maxRetries: 5, ...o, sleep: async (ms) => void slept.push(ms) },
  );
  assert.equal(v, "ok");
  assert.deepEqual(slept, [75, 900]);
  await assert.rejects(
    withBackoff(
      async () => {
        throw new Error("fatal");
      },
      () => undefined,
      { maxRetries: 5, ...o },
    ),
    { message: "fatal" },
  );
});

test("frames go to the captioner as data URLs; other bytes are refused", () => {
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2]);
  const m = framesMessage("describe", [PNG_1X1, jpeg], "clip 0-30s");
  const parts = m.content as any[];
  assert.equal(parts[0].text, "describe");
  assert.equal(parts[1].image_url.url, `data:image/png;base64,${PNG_1X1.toString("base64")}`);
  assert.equal(parts[2].image_url.url, "data:image/jpeg;base64,/9j/4AEC");
  assert.throws(() => framesMessage("d", [Buffer.from("GIF89a")], "clip 0-30s"), {
    message: "clip 0-30s: frame 0 is neither JPEG nor PNG (first bytes 47494638)",
  });
  assert.throws(() => framesMessage("d", [], "clip 0-30s"), { message: "clip 0-30s: no frames were given for the clip" });
});

test("ffmpeg frames: n JPEGs from a clip of a real video", async () => {
  const dir = tempDir("hl-synth-");
  const file = join(dir, "t.mp4");
  execFileSync(ffmpegPath(), ["-y", "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:duration=4", "-pix_fmt", "yuv420p", file]);
  const frames = await extractClipFrames(file, 1, 3, 3, 64);
  assert.equal(frames.length, 3);
  for (const f of frames) assert.deepEqual([...f.subarray(0, 3), ...f.subarray(-2)], [0xff, 0xd8, 0xff, 0xff, 0xd9]);
  assert.equal(splitJpegStream(Buffer.concat(frames)).length, 3);
  await assert.rejects(extractClipFrames(join(dir, "none.mp4"), 0, 1, 2), {
    message: `${join(dir, "none.mp4")}: ffmpeg failed on 0-1s: No such file or directory`,
  });
});

test("Overall Summarization: three different questions, the same for the same video", () => {
  const a = summaryQuestions("vid-x");
  assert.equal(new Set(a).size, 3);
  assert.deepEqual(summaryQuestions("vid-x"), a);
});
