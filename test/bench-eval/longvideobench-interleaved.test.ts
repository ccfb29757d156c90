// LongVideoBench with interleaved subtitles (`eval longvideobench --interleaved`, lmms-eval task longvideobench_val_i):
// the text of lmms_eval/tasks/longvideobench/utils.py longvideobench_doc_to_text with insert_interleave_subtitles at
// 75571cfe (compute_frame_timestamps, insert_subtitles_into_frames), and how it maps onto one video memory: the same
// text without its "<image>" lines. The expected lines were worked out by hand (noted beside each) and confirmed by
// running those functions on the same subtitles.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCHMARKS, benchmarkNamed } from "../../src/bench-eval/benchmarks/index.ts";
import {
  computeFrameTimestamps,
  insertSubtitlesIntoFrames,
  interleavedPrompt,
  lmmsEvalPrompt,
  parsePyJson,
} from "../../src/bench-eval/longvideobench-subtitles.ts";
import { PyFloat } from "../../src/bench-eval/py-compat.ts";
import { runBinary } from "../app/tiny-model.ts";
import { writeLongVideoBench, writeLongVideoBenchSubtitles } from "./fixtures.ts";

let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "hl-bench-lvbi-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

const SUBS = `[
 {"timestamp": [10.0, 14.0], "text": "one"},
 {"timestamp": [15, 17], "text": "two (int end: ends at the duration)"},
 {"start": "00:00:30.2", "end": "00:00:30.6", "line": "three (short, widened)"},
 {"start": "00:00:31.0", "end": "00:00:31.5", "line": "four (no frame inside)"},
 {"timestamp": [48.0, 49.0], "text": "five"}
]`;
const I = "<image>";

test("frames and subtitles interleaved as insert_subtitles_into_frames does", () => {
  // A 40 s video: 16 frames at 40 / 16 × i = 0, 2.5, …, 37.5. Subtitle times minus starting_timestamp 10.
  assert.deepEqual(
    computeFrameTimestamps(40),
    Array.from({ length: 16 }, (_, i) => 2.5 * i),
  );
  assert.deepEqual(computeFrameTimestamps(3.7), [0, 1, 2]); // 16 s or shorter: one frame per whole second
  const lines = insertSubtitlesIntoFrames(computeFrameTimestamps(40), parsePyJson(SUBS), 10, 40);
  assert.deepEqual(lines, [
    I, // frame 0 ≤ "one"'s middle (2)
    "one", // (0, 4) holds frame 2.5
    ...Array(7).fill(I), // "two": its end 17 is an int, so it ends at the duration: (5, 30), middle 17.5: frames 2.5…17.5
    "two (int end: ends at the duration)",
    I, // "three": (20.2, 20.6), middle 20.4: frame 20
    "three (short, widened)", // shorter than 1 s: widened to (19.9, 20.9), which holds frame 20
    // "four": (21, 21.5), widened to (20.75, 21.75): no frame inside, left out
    ...Array(7).fill(I), // "five": (38, 39), middle 38.5: frames 22.5…37.5 go first; none inside (38, 39): left out
  ]);
  const q = "What is shown?\nA. a square\nB. a circle";
  const post = "Answer with the option's letter from the given choices directly.\n";
  assert.equal(lmmsEvalPrompt(lines, q, post), `${lines.join("\n")}\n${q}\n${post}`);
  // One video memory: the subtitles lmms-eval keeps, in its order, then the question.
  assert.equal(interleavedPrompt(lines, q, post), `one\ntwo (int end: ends at the duration)\nthree (short, widened)\n${q}\n${post}`);
  // No subtitle kept: longvideobench_val_v's prompt.
  assert.equal(interleavedPrompt([I, I], q, post), `${q}\n${post}`);
});

test("subtitles JSON is read with Python's int/float types", () => {
  assert.deepEqual(parsePyJson('{"a": [1, 1.0, 2e3, -0, null, "x\\u00e9"]}'), { a: [1, new PyFloat(1), new PyFloat(2000), -0, null, "xé"] });
  assert.throws(() => parsePyJson("[1, 2", "s.json"), /s\.json: not valid JSON/);
  assert.throws(() => insertSubtitlesIntoFrames([0], [{ start: "00:01", end: "00:00:02", line: "x" }], 0, 3, "s.json"), /s\.json \[0\]: "00:01" is not H:M:S/);
});

test("eval longvideobench --interleaved: prompts from subtitles/<subtitle_path>; a question without its file is listed", async () => {
  const data = join(root, "lvb");
  writeLongVideoBench(data);
  const expected = writeLongVideoBenchSubtitles(data);
  const bench = benchmarkNamed("longvideobench", "interleaved");
  const { items, problems } = await bench.load(data);
  const q = "What is shown?\nA. a square\nB. a circle\nC. a cat";
  const post = "Answer with the option's letter from the given choices directly.\n";
  // lmms-eval's text for lvbA is "<image>\n<image>\na circle appears\n<image>\n" + question; sent here without frames.
  assert.equal(
    expected.lvbA
      .split("\n")
      .filter((l) => l !== I)
      .join("\n"),
    "a circle appears",
  );
  assert.deepEqual(
    items.map((it) => [it.id, it.prompt, it.lmms!.task]),
    [
      ["a_0", `a circle appears\n${q}\n${post}`, "longvideobench_val_i"],
      ["a_1", `a circle appears\n${q}\n${post}`, "longvideobench_val_i"],
    ],
  );
  // lvbB has no subtitles file: lmms-eval stops on it; here its question is listed and left out.
  assert.equal(problems.filter((p) => /lvbB_en\.json: cannot read the subtitles \(ENOENT/.test(p)).length, 1);
  assert.equal((await BENCHMARKS.longvideobench.load(data)).items.length, 3); // without --interleaved: unchanged
});

test("the CLI: --interleaved runs longvideobench_val_i; it is refused for other benchmarks and beside --subtitles", () => {
  const data = join(root, "lvb-cli");
  writeLongVideoBench(data);
  writeLongVideoBenchSubtitles(data);
  const out = join(root, "out-cli");
  const r = runBinary([
    "eval",
    "longvideobench",
    "--interleaved",
    "--data",
    data,
    "--out",
    out,
    "--cache-dir",
    join(root, "cache"),
    "--max-frames",
    "4",
    "--quiet",
  ]);
  assert.equal(r.code, 0, r.err);
  const lmms = JSON.parse(readFileSync(join(out, "lmms_eval_results.json"), "utf8"));
  assert.deepEqual(Object.keys(lmms.results), ["longvideobench_val_i"]);
  assert.equal(lmms.configs.longvideobench_val_i.lmms_eval_specific_kwargs.insert_interleave_subtitles, true);
  const samples = readFileSync(join(out, "samples_longvideobench_val_i.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    samples.map((s) => s.doc_id),
    [0, 1],
  );
  assert.ok(samples[0].input.startsWith("a circle appears\nWhat is shown?"));
  assert.match(readFileSync(join(out, "report.md"), "utf8"), /^# LongVideoBench \(val, interleaved subtitles\)/);
  let bad = runBinary(["eval", "videomme", "--data", data, "--interleaved"]);
  assert.match(bad.err, /^hourllava: --interleaved is for longvideobench only, not videomme\n$/);
  bad = runBinary(["eval", "longvideobench", "--data", data, "--interleaved", "--subtitles"]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /--subtitles, --interleaved and --split test are for different benchmarks; give one/);
});
