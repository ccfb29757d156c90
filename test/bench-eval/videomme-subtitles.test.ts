// Video-MME with subtitles (`eval videomme --subtitles`, lmms-eval task videomme_w_subtitle): the subtitle lines and
// prompt of lmms_eval/tasks/videomme/utils.py videomme_doc_to_text_subtitle at 75571cfe. The expected strings were
// worked out by hand from that function's rules (noted beside each) and confirmed by running it on the same .srt text.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCHMARKS, benchmarkNamed } from "../../src/bench-eval/benchmarks/index.ts";
import { cv2Timing, loadSubtitles, selectSubtitles } from "../../src/bench-eval/videomme-subtitles.ts";
import { runBinary } from "../app/tiny-model.ts";
import { clip, writeVideomme, writeVideommeSubtitles } from "./fixtures.ts";

let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "hl-bench-vmsubs-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

const font = (t: string) => `<font color="white" size=".72c">${t}</font>`;

// Seven sections. Section 2 ends with CRLF line ends (Python's universal newlines make them "\n").
const SRT_A =
  `1\n00:00:00,000 --> 00:00:02,000\n${font("hello there")}\n\n` +
  `2\n00:00:02,500 --> 00:00:03,000\nno font tag here\r\n\r\n` +
  `3\r\n00:00:04,000 --> 00:00:04,400\r\n${font("too short for a frame")}\n\n` +
  `4\n00:00:05,000 --> 00:00:07,000\n${font("second line")}\n${font("ignored second font")}\n\n` +
  `5\n00:00:00,000 --> 00:00:02,000\n${font("hello again")}\n\n` +
  `6\n00:00:00,500 --> 00:00:01,000\n${font("one frame")}\n\n` +
  `7\n00:01:00,000 --> 00:01:05,000\n${font("after the video")}\n`;

const OPTION =
  "Select the best answer to the following multiple-choice question based on the video and the subtitles. Respond with only the letter (A, B, C, or D) of the correct option.";
const BODY = "How many?\nA. one\nB. two\nC. three\nD. four";

test("the subtitle lines videomme_doc_to_text_subtitle selects for the sampled frames", () => {
  const s = loadSubtitles(SRT_A);
  // load_subtitles keys a dict by (start, end): section 5 has section 1's range, so it replaces its text and keeps
  // its first place. Six entries, in dict order.
  assert.deepEqual(
    s.map((x) => [x.start, x.end, x.text]),
    [
      [0, 2, font("hello again")],
      [2.5, 3, "no font tag here"],
      [4, 4.4, font("too short for a frame")],
      [5, 7, `${font("second line")} ${font("ignored second font")}`],
      [0.5, 1, font("one frame")],
      [60, 65, `${font("after the video")} `], // the file's last "\n" leaves an empty line, joined with a space
    ],
  );
  // At 2 fps the entries are frames [0, 4), [5, 6), [8, 8) (empty: never selected), [10, 14), [1, 2), [120, 130).
  // 20 frames, frame_num 768 (llava_vid): every frame 0..19 is picked. Selected indices {0, 1, 3, 4}; index 1 has no
  // <font> and is dropped; index 3 keeps its first <font> only.
  assert.equal(selectSubtitles(s, { fps: 2, totalFrames: 20 }, 768), "hello again\nsecond line\none frame");
  // 100 frames, frame_num 32 (default): np.linspace(0, 99, 32, dtype=int) = 0, 3, 6, 9, 12, … never frame 1, so the
  // half-second line is not selected; with 768 it is.
  assert.equal(selectSubtitles(s, { fps: 2, totalFrames: 100 }, 32), "hello again\nsecond line");
  assert.equal(selectSubtitles(s, { fps: 2, totalFrames: 100 }, 768), "hello again\nsecond line\none frame");
  // No rate and no frames (what OpenCV reports for a missing .mp4): nothing.
  assert.equal(selectSubtitles(s, { fps: 0, totalFrames: 0 }, 768), "");
});

test("the selected lines come in CPython's set order, not in time order", () => {
  // Sections 0–6 lie after the video; section 7 (1–2 s) is hit before section 8 (4–5 s). list(set([7, 7, 8, 8]))
  // is [8, 7] in CPython (8 takes slot 0 of the 8-slot table, 7 slot 7), so lmms-eval prints the later line first.
  const late = Array.from({ length: 7 }, (_, i) => `${i + 1}\n00:02:0${i},000 --> 00:02:0${i},500\n${font(`late ${i}`)}\n`).join("\n");
  const srt = `${late}\n8\n00:00:01,000 --> 00:00:02,000\n${font("earlier (index 7)")}\n\n9\n00:00:04,000 --> 00:00:05,000\n${font("later (index 8)")}\n`;
  assert.equal(selectSubtitles(loadSubtitles(srt), { fps: 2, totalFrames: 20 }, 768), "later (index 8)\nearlier (index 7)");
});

test("a malformed time is an error naming the file and section (lmms-eval stops there)", () => {
  assert.throws(() => loadSubtitles("1\n00:00:01.000 --> 00:00:02,000\ntext\n", "x.srt"), /x\.srt section 1: time "00:00:01\.000" is not H:M:S,ms/);
  assert.throws(() => loadSubtitles("1\n00:00:01,000 to 00:00:02,000\ntext\n", "x.srt"), /section 1 has no "start --> end"/);
  // Sections of fewer than three lines are skipped, as there.
  assert.deepEqual(loadSubtitles("1\n00:00:01,000 --> 00:00:02,000\n\n\n"), []);
});

test("frame rate and count as OpenCV reports them for the mp4", async () => {
  const p = join(root, "ten.mp4");
  clip(p, 10);
  assert.deepEqual(await cv2Timing(p), { fps: 2, totalFrames: 20 });
  assert.deepEqual(await cv2Timing(join(root, "absent.mp4")), { fps: 0, totalFrames: 0 });
});

test("eval videomme --subtitles: the prompts, with and without a subtitle file, byte-equal to lmms-eval's", async () => {
  const data = join(root, "vm");
  writeVideomme(data);
  const subs = writeVideommeSubtitles(data);
  const bench = benchmarkNamed("videomme", "subtitles");
  assert.equal(bench.title, "Video-MME (with subtitles)");
  for (const preset of ["llava_vid", "default"] as const) {
    const { items, problems } = await bench.load(data, { preset });
    const byId = new Map(items.map((it) => [it.id, it]));
    const prompt = (sub: string, body = BODY) => `This video's subtitles are listed below: \n${sub}\n${OPTION}\n${body}\nThe best answer is:`;
    // The preset's post_prompt is not used by this function: both presets give the same text here (frame_num 768 or
    // 32 both cover vmA's 6 frames).
    assert.equal(byId.get("001-1")!.prompt, prompt(subs.vmA));
    assert.equal(byId.get("002-1")!.prompt, prompt(subs.vmB, BODY.replace("How many?", "How many more?")));
    assert.equal(byId.get("001-1")!.lmms!.task, "videomme_w_subtitle");
    assert.equal(problems.length, 2); // the fixture's two bad rows, as without subtitles
  }
  // Without --subtitles nothing changes.
  const plain = (await BENCHMARKS.videomme.load(data)).items.find((it) => it.id === "001-1")!;
  assert.equal(plain.prompt, `${OPTION}\n${BODY}\nThe best answer is:`);
  assert.equal(plain.lmms!.task, "videomme");
});

test("an empty .srt gives no lines (not 'No subtitles available'); a broken one drops that video's questions, listed", async () => {
  const data = join(root, "vm-bad");
  writeVideomme(data);
  writeVideommeSubtitles(data);
  writeFileSync(join(data, "subtitle", "vmA.srt"), "");
  writeFileSync(join(data, "subtitle", "vmB.srt"), "1\n00:00:01 --> 00:00:02\nno milliseconds\n");
  const { items, problems } = await benchmarkNamed("videomme", "subtitles").load(data);
  assert.equal(items.find((it) => it.id === "001-1")!.prompt, `This video's subtitles are listed below: \n\n${OPTION}\n${BODY}\nThe best answer is:`);
  assert.deepEqual(
    items.filter((it) => it.videoId === "vmB"),
    [],
  );
  assert.equal(problems.filter((p) => /vmB\.srt section 1: time "00:00:01" is not H:M:S,ms .*question 00[2]-[12] not evaluated/.test(p)).length, 2);
});

test("the CLI: --subtitles runs videomme_w_subtitle and says so; it is refused elsewhere and on a plain run's --out", () => {
  const data = join(root, "vm-cli");
  writeVideomme(data);
  const subs = writeVideommeSubtitles(data);
  const out = join(root, "out-cli");
  const args = ["eval", "videomme", "--data", data, "--out", out, "--cache-dir", join(root, "cache"), "--max-frames", "4", "--limit", "2", "--quiet"];
  const r = runBinary([...args, "--subtitles"]);
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).variant, "subtitles");
  const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  assert.equal(res.variant, "subtitles");
  assert.deepEqual(res.lmms_eval_tasks, ["videomme_w_subtitle"]);
  assert.match(readFileSync(join(out, "report.md"), "utf8"), /^# Video-MME \(with subtitles\)/);
  const lmms = JSON.parse(readFileSync(join(out, "lmms_eval_results.json"), "utf8"));
  assert.deepEqual(Object.keys(lmms.results), ["videomme_w_subtitle"]);
  assert.ok("videomme_perception_score,none" in lmms.results.videomme_w_subtitle);
  assert.equal(lmms.results.videomme_w_subtitle["videomme_perception_score_stderr_clustered,none"], "N/A"); // no cluster_key in its yaml
  assert.equal(lmms.configs.videomme_w_subtitle.lmms_eval_specific_kwargs.frame_num, 768);
  const first = JSON.parse(readFileSync(join(out, "samples_videomme_w_subtitle.jsonl"), "utf8").split("\n")[0]);
  assert.ok(first.input.startsWith(`This video's subtitles are listed below: \n${subs.vmA}\n`), first.input);

  let bad = runBinary(["eval", "lvbench", "--data", data, "--subtitles"]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^hourllava: --subtitles is for videomme only, not lvbench\n$/);
  bad = runBinary(args);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /were made with other settings \(variant: "subtitles" → null\); use another --out/);
});
