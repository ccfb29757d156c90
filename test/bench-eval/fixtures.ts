// Tiny benchmark folders in each publisher's real layout and field names, with a few generated clips, a row
// that is malformed and a row whose video id tries to leave --data. Each writer returns the expected ids.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ffmpeg } from "../video/clips.ts";
import { writeParquet } from "../data/parquet-writer.ts";

/** A short testsrc2 clip (2 fps); `hue` makes clips differ. */
export function clip(path: string, seconds = 3, hue = 0): void {
  mkdirSync(dirname(path), { recursive: true });
  ffmpeg(["-f", "lavfi", "-i", `testsrc2=size=32x32:rate=2:duration=${seconds}`, "-vf", `hue=h=${hue}`, "-pix_fmt", "yuv420p", path]);
}

function clips(dir: string, paths: string[]): void {
  const first = join(dir, paths[0]);
  clip(first, 3, 0);
  paths.slice(1).forEach((p, i) => clip(join(dir, p), 3 + i, 60 * (i + 1)));
}

function json(path: string, v: unknown, lines = false): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, lines ? (v as unknown[]).map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join("\n") + "\n" : JSON.stringify(v, null, 1));
}

export interface Fixture {
  /** Ids of the questions that can be answered, in file order. */
  ids: string[];
  /** Gold answers by id, as the scorer holds them. */
  gold: Record<string, string>;
  /** How many rows are listed as problems (malformed, unsafe ids, missing task files). */
  problems: number;
  /** Questions whose video file is absent. */
  missingQuestions: number;
}

export function writeVideomme(dir: string): Fixture {
  clips(dir, ["data/vmA.mp4", "data/vmB.mp4"]);
  const rows = [
    ["vmA", "short", "001-1", "Counting Problem", "How many?", "B"],
    ["vmA", "short", "001-2", "OCR Problems", "What text?", "C"],
    ["vmB", "long", "002-1", "Counting Problem", "How many more?", "A"],
    ["vmB", "medium", "002-2", "Action Reasoning", "Why?", "D"],
    ["vmGone", "long", "003-1", "Action Reasoning", "Where?", "A"],
    ["../../etc/x", "long", "004-1", "OCR Problems", "Escape?", "A"],
    ["vmA", "short", "001-3", "OCR Problems", "No options?", "A"],
  ];
  const opts = ["A. one", "B. two", "C. three", "D. four"];
  const col = (name: string, values: unknown[], kind: "string" | "list<string>" = "string") => ({ name, kind, values });
  const parquet = writeParquet(
    [
      col(
        "video_id",
        rows.map((r) => r[0].slice(0, 3)),
      ),
      col(
        "duration",
        rows.map((r) => r[1]),
      ),
      col(
        "domain",
        rows.map(() => "Knowledge"),
      ),
      col(
        "sub_category",
        rows.map(() => "Humanity & History"),
      ),
      col(
        "url",
        rows.map((r) => `https://www.youtube.com/watch?v=${r[0]}`),
      ),
      col(
        "videoID",
        rows.map((r) => r[0]),
      ),
      col(
        "question_id",
        rows.map((r) => r[2]),
      ),
      col(
        "task_type",
        rows.map((r) => r[3]),
      ),
      col(
        "question",
        rows.map((r) => r[4]),
      ),
      col(
        "options",
        rows.map((r) => (r[2] === "001-3" ? null : opts)),
        "list<string>",
      ),
      col(
        "answer",
        rows.map((r) => r[5]),
      ),
    ],
    4,
  );
  mkdirSync(join(dir, "videomme"), { recursive: true });
  writeFileSync(join(dir, "videomme", "test-00000-of-00001.parquet"), parquet);
  const ok = rows.slice(0, 5);
  return { ids: ok.map((r) => r[2]), gold: Object.fromEntries(ok.map((r) => [r[2], r[5]])), problems: 2, missingQuestions: 1 };
}

/** Video-MME's subtitle/<videoID>.srt as the publisher ships them (SubRip with a white <font> per line): vmA has
 * two lines, vmB has no file. Returns what lmms-eval's videomme_doc_to_text_subtitle puts in the prompt per video. */
export function writeVideommeSubtitles(dir: string): Record<string, string> {
  mkdirSync(join(dir, "subtitle"), { recursive: true });
  writeFileSync(
    join(dir, "subtitle", "vmA.srt"),
    [
      "1",
      "00:00:00,000 --> 00:00:01,000",
      '<font color="white" size=".72c">a test pattern</font>',
      "",
      "2",
      "00:00:01,500 --> 00:00:02,500",
      '<font color="white" size=".72c">it keeps moving</font>',
      "",
    ].join("\n"),
  );
  // vmA.mp4: 6 frames at 2 fps; frames 0–1 fall in the first line, 3–4 in the second.
  return { vmA: "a test pattern\nit keeps moving", vmB: "No subtitles available" };
}

export function writeLvbench(dir: string): Fixture {
  clips(dir, ["videos/lvA.mp4", "videos/lvB.mp4"]);
  const qa = (uid: string, answer: string, types: string[]) => ({
    uid,
    question: `What happens at 00:01?\n(A) a\n(B) b\n(C) c\n(D) d`,
    answer,
    question_type: types,
    time_reference: "00:01-00:02",
  });
  const info = { duration_minutes: 0.05, type: "cartoon" };
  json(
    join(dir, "video_info.meta.jsonl"),
    [
      { key: "lvA", type: "cartoon", qa: [qa("1", "A", ["key information retrieval"]), qa("2", "C", ["reasoning", "event understanding"])], video_info: info },
      "{ not json",
      { key: "lvB", type: "sport", qa: [qa("3", "B", ["reasoning"])], video_info: info },
      { key: "../lvA", type: "sport", qa: [qa("9", "B", ["reasoning"])], video_info: info },
    ],
    true,
  );
  return { ids: ["1", "2", "3"], gold: { "1": "A", "2": "C", "3": "B" }, problems: 2, missingQuestions: 0 };
}

export function writeLongVideoBench(dir: string): Fixture {
  clips(dir, ["videos/lvbA.mp4", "videos/lvbB.mp4"]);
  const q = (id: string, video: string, correct: number, group: number, cat: string) => ({
    video_id: video,
    question: "What is shown?",
    question_wo_referring_query: "What is shown?",
    candidates: ["a square", "a circle", "a cat"],
    correct_choice: correct,
    position: [1],
    topic_category: "NP-News-Programs",
    question_category: cat,
    level: "L1-Perception",
    id,
    video_path: `${video}.mp4`,
    subtitle_path: `${video}_en.json`,
    duration_group: group,
    starting_timestamp_for_subtitles: 0,
    duration: 3,
    view_count: 10,
  });
  json(join(dir, "lvb_val.json"), [
    q("a_0", "lvbA", 1, 15, "S2E"),
    q("a_1", "lvbA", 2, 15, "E2O"),
    q("b_0", "lvbB", 0, 60, "S2E"),
    { ...q("x_0", "evil", 0, 60, "S2E"), video_path: "../../outside.mp4" },
    { ...q("y_0", "lvbB", 7, 60, "S2E") },
  ]);
  return { ids: ["a_0", "a_1", "b_0"], gold: { a_0: "B", a_1: "C", b_0: "A" }, problems: 2, missingQuestions: 0 };
}

/** LongVideoBench's subtitles/<subtitle_path> (the publisher's subtitles.tar): lvbA's, in the {"timestamp", "text"}
 * form; lvbB has none. Returns lmms-eval's interleaved text for lvbA (3 s: frames at 0, 1 and 2 s). */
export function writeLongVideoBenchSubtitles(dir: string): { lvbA: string } {
  json(join(dir, "subtitles", "lvbA_en.json"), [{ timestamp: [0.5, 1.5], text: "a circle appears" }]);
  return { lvbA: "<image>\n<image>\na circle appears\n<image>" };
}

export function writeMlvu(dir: string): Fixture {
  clips(dir, ["video/1_plotQA/movie_1.mp4", "video/4_count/count_1.mp4"]);
  const q = (video: string, type: string, answer: string) => ({
    video,
    duration: 3,
    question: "What happens?",
    candidates: ["run", "jump", "sit", "fly"],
    answer,
    question_type: type,
  });
  json(join(dir, "json", "1_plotQA.json"), [q("movie_1.mp4", "plotQA", "jump"), q("movie_1.mp4", "plotQA", "fly"), q("movie_1.mp4", "plotQA", "swim")]);
  json(join(dir, "json", "4_count.json"), [q("count_1.mp4", "count", "run"), q("../count_1.mp4", "count", "run")]);
  // Five task files are absent: each is listed (2 bad rows + 5 missing files).
  return { ids: ["1_plotQA/0", "1_plotQA/1", "4_count/0"], gold: { "1_plotQA/0": "B", "1_plotQA/1": "D", "4_count/0": "A" }, problems: 7, missingQuestions: 0 };
}

export function writeTempCompass(dir: string): Fixture {
  clips(dir, ["videos/tcA.mp4", "videos/tcB.mp4"]);
  json(join(dir, "questions", "multi-choice.json"), {
    tcA: {
      speed: [{ question: "How fast?\nA. slow\nB. fast", answer: "B. fast" }],
      direction: [{ question: "Where to?\nA. left\nB. right", answer: "A. left" }],
    },
    tcB: { action: [{ question: "What?\nA. run\nB. sit", answer: "A. run" }] },
  });
  json(join(dir, "questions", "yes_no.json"), {
    tcA: { speed: [{ question: "Is it fast?", answer: "yes" }] },
    "../tcB": { speed: [{ question: "x?", answer: "no" }] },
  });
  json(join(dir, "questions", "caption_matching.json"), {
    tcB: { order: [{ question: "Which caption matches?\nSentence A: first up\nSentence B: first down", answer: "Sentence B: first down" }] },
  });
  const ids = ["multi-choice/tcA/speed/0", "multi-choice/tcA/direction/0", "multi-choice/tcB/action/0", "yes_no/tcA/speed/0", "caption_matching/tcB/order/0"];
  const gold = ["B. fast", "A. left", "A. run", "yes", "Sentence B: first down"];
  // Problems: the "../tcB" video id, and questions/captioning.json, which this fixture leaves out (writeTempCompassCaptioning).
  return { ids, gold: Object.fromEntries(ids.map((id, i) => [id, gold[i]])), problems: 2, missingQuestions: 0 };
}

/** TempCompass's fourth task file, questions/captioning.json, in the publisher's form (a caption prompt listing the
 * pieces of information, the right one as "X. text"), for the videos and dimensions of writeTempCompass's
 * multi-choice.json, whose first question per video and dimension the captioning judge asks. Returns the ids. */
export function writeTempCompassCaptioning(dir: string): string[] {
  const q = (info: string[]) =>
    `You will be presented with a video and several pieces of information. Please identify the information that consistent with the video and generate a video caption accordingly.\n${info.map((x, i) => `Information ${"ABCD"[i]}: ${x}`).join("\n")}\nGenerated Caption:`;
  json(join(dir, "questions", "captioning.json"), {
    tcA: {
      speed: [{ question: q(["{'subject': 'pattern', 'speed': 'slow'}", "{'subject': 'pattern', 'speed': 'fast'}"]), answer: "B. fast" }],
      direction: [{ question: q(["{'subject': 'pattern', 'direction': 'left'}", "{'subject': 'pattern', 'direction': 'right'}"]), answer: "A. left" }],
    },
    tcB: { action: [{ question: q(["{'subject': 'man', 'action': 'run'}", "{'subject': 'man', 'action': 'sit'}"]), answer: "A. run" }] },
  });
  return ["captioning/tcA/speed/0", "captioning/tcA/direction/0", "captioning/tcB/action/0"];
}

export const FIXTURES = {
  videomme: writeVideomme,
  lvbench: writeLvbench,
  longvideobench: writeLongVideoBench,
  mlvu: writeMlvu,
  tempcompass: writeTempCompass,
} as const;
