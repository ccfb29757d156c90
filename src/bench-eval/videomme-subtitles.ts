// Video-MME with subtitles, as lmms-eval's videomme_doc_to_text_subtitle builds its prompt (lmms_eval/tasks/videomme/
// utils.py at 75571cfe0fa36ca5ec2e6aa2bb268f9d38295af3, task `videomme_w_subtitle`), ported rule for rule:
//  - subtitle/<videoID>.srt is read as load_subtitles reads it: the text split on blank lines ("\n\n", after Python's
//    universal-newline translation), a section of three or more lines gives (start, end) from its second line
//    ("HH:MM:SS,mmm --> HH:MM:SS,mmm", Python int() of each part) and its text as the rest joined by spaces; sections
//    are kept in a dict keyed by (start, end), so a repeated time range keeps its first position and its last text;
//  - times become frame numbers int(t * fps) with the video's fps and frame count as OpenCV reports them for
//    data/<videoID>.mp4 (only that name: lmms-eval opens the .mp4 path even where doc_to_visual falls back to .MP4 or
//    .mkv; OpenCV then reports no rate and no frames, 0 or -1 by version, and no line is selected);
//  - frame_num frames are picked with np.linspace(0, total_frame - 1, frame_num, dtype=int) (frame_num from the
//    preset: llava_vid 768, default 32; -1 means every frame), and a subtitle is selected when a picked frame f has
//    start_frame <= f < end_frame;
//  - the selected indices go through list(set(...)), so they come out in CPython's set order (not sorted: {7, 8} is
//    [8, 7]); each keeps the text of its first <font color="white" size=".72c">…</font> (a subtitle without one is
//    dropped), joined by "\n";
//  - no .srt file: "No subtitles available". An empty .srt (readlines() == [], not "") selects nothing: "".
// The prompt is "This video's subtitles are listed below: \n" + subtitles + "\n" + the option prompt + "\n" + question
// + "\n" + options + "\nThe best answer is:" (the preset's post_prompt is not used by this function).
import { existsSync, readFileSync } from "node:fs";
import { probeVideo } from "../video/probe.ts";
import { readMoov } from "../video/mp4-table-count.ts";
import { timeToSample, videoTrack } from "../video/mp4-boxes.ts";
import { pyStrip } from "./answer-parse.ts";
import { npLinspaceInt, pyInt, pySetOrder } from "./py-compat.ts";

export interface SrtSection {
  start: number;
  end: number;
  text: string;
}

/** Python's universal newlines: "\r\n" and a lone "\r" read as "\n". */
const universalNewlines = (s: string) => s.replace(/\r\n?/g, "\n");

/** parse_subtitle_time: "H:M:S,ms" → seconds (int parts, ms / 1000), or an error where Python raises. */
function parseTime(s: string, where: string): number {
  const hms = s.split(":");
  const sms = hms.length === 3 ? hms[2].split(",") : [];
  const parts = hms.length === 3 && sms.length === 2 ? [hms[0], hms[1], sms[0], sms[1]].map(pyInt) : [];
  if (parts.length !== 4 || parts.some((p) => p === undefined))
    throw new Error(`${where}: time "${s}" is not H:M:S,ms (lmms-eval's parse_subtitle_time stops on it)`);
  const [h, m, sec, ms] = parts as number[];
  return h * 3600 + m * 60 + sec + ms / 1000;
}

/** load_subtitles over the file's text: sections in dict order (first position of each (start, end), last text). */
export function loadSubtitles(content: string, where = "subtitles"): SrtSection[] {
  const byRange = new Map<string, SrtSection>();
  universalNewlines(content)
    .split("\n\n")
    .forEach((section, i) => {
      // section.strip(): Python whitespace; a section of only whitespace is skipped.
      if (!pyStrip(section)) return;
      const lines = section.split("\n");
      if (lines.length < 3) return;
      const range = lines[1].split(" --> ");
      if (range.length < 2) throw new Error(`${where}: section ${i + 1} has no "start --> end" second line (lmms-eval stops on it)`);
      const start = parseTime(range[0], `${where} section ${i + 1}`);
      const end = parseTime(range[1], `${where} section ${i + 1}`);
      const key = `${start}|${end}`;
      const text = lines.slice(2).join(" ");
      const had = byRange.get(key);
      if (had) had.text = text;
      else byRange.set(key, { start, end, text });
    });
  return [...byRange.values()];
}

/** The text lmms-eval keeps of one subtitle: the first `<font color="white" size=".72c">(.*?)</font>` match's group
 * (Python's "." is any character but "\n"). */
const FONT = /<font color="white" size="[^\n]72c">([^\n]*?)<\/font>/u;

export interface FrameTiming {
  fps: number;
  totalFrames: number;
}

/** The subtitle text lmms-eval puts in the prompt, for a file's sections and the video's timing. */
export function selectSubtitles(sections: readonly SrtSection[], timing: FrameTiming, frameNum: number): string {
  const byFrame = sections.map((s) => ({ from: Math.trunc(s.start * timing.fps), to: Math.trunc(s.end * timing.fps), text: s.text }));
  const n = frameNum === -1 ? timing.totalFrames : frameNum;
  const hits: number[] = [];
  for (const f of npLinspaceInt(timing.totalFrames - 1, n)) byFrame.forEach((s, idx) => f < s.to && f >= s.from && hits.push(idx));
  const texts: string[] = [];
  for (const idx of pySetOrder(hits)) {
    const m = FONT.exec(byFrame[idx].text);
    if (m) texts.push(m[1]);
  }
  return texts.join("\n");
}

/**
 * cv2.VideoCapture's CAP_PROP_FPS and CAP_PROP_FRAME_COUNT for a file, as OpenCV's FFmpeg backend reports them: the
 * stream's frame count (nb_frames: the mp4 sample count) and av_guess_frame_rate's rate, which for an mp4 is
 * r_frame_rate = timescale / the first sample duration when the time-to-sample table is one run (or one run and a
 * single last sample: the usual constant-rate file). Other mp4s (variable rate) get timescale × frames / duration, the
 * average, where FFmpeg would estimate r_frame_rate from the first packets; other containers, the rate and frame count
 * of probeVideo. A missing file gives 0 and 0 (OpenCV 4 builds; OpenCV 5 gives -1 and -1: no line is selected either
 * way). Checked against opencv-python-headless 5.0 on constant-rate, 30000/1001, B-frame and variable-rate mp4s.
 */
export async function cv2Timing(path: string): Promise<FrameTiming> {
  if (!existsSync(path)) return { fps: 0, totalFrames: 0 };
  const read = await readMoov(path).catch(() => ({ fallback: "unreadable" }));
  if ("moov" in read) {
    try {
      const t = videoTrack(read.moov, path);
      const stts = timeToSample(t, path);
      const totalFrames = stts.reduce((s, [count]) => s + count, 0);
      const ticks = stts.reduce((s, [count, delta]) => s + count * delta, 0);
      const constant = stts.length === 1 || (stts.length === 2 && stts[1][0] === 1);
      if (totalFrames > 0 && stts[0][1] > 0) return { fps: constant ? t.timescale / stts[0][1] : (t.timescale * totalFrames) / ticks, totalFrames };
    } catch {
      // not an mp4 this reader understands: ask ffmpeg below
    }
  }
  const info = await probeVideo(path, { countFrames: true });
  return { fps: info.fps, totalFrames: info.frameCount };
}

/** The subtitle text of one video: "No subtitles available" without a file, else the selection. */
export async function videommeSubtitleText(srtPath: string, mp4Path: string, frameNum: number): Promise<string> {
  if (!existsSync(srtPath)) return "No subtitles available";
  let content: string;
  try {
    content = new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(srtPath));
  } catch {
    throw new Error(`${srtPath}: not UTF-8 text (lmms-eval reads it as utf-8 and stops)`);
  }
  const sections = loadSubtitles(content, srtPath);
  return selectSubtitles(sections, await cv2Timing(mp4Path), frameNum);
}

/** videomme_doc_to_text_subtitle's prompt for the non-qwen3_vl presets. `optionPrompt` is the one videomme_doc_to_text
 * also uses. */
export function videommeSubtitlePrompt(optionPrompt: string, question: string, options: readonly string[], subtitles: string): string {
  return `This video's subtitles are listed below: \n${subtitles}\n${optionPrompt}\n${question}\n${options.join("\n")}\nThe best answer is:`;
}
