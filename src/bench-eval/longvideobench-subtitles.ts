// LongVideoBench with interleaved subtitles (lmms-eval task `longvideobench_val_i`): longvideobench_doc_to_text with
// insert_interleave_subtitles (lmms_eval/tasks/longvideobench/utils.py at 75571cfe0fa36ca5ec2e6aa2bb268f9d38295af3),
// ported rule for rule:
//  - the subtitles are subtitles/<subtitle_path> (a JSON list), read with Python's json, whose int/float distinction
//    matters: a `timestamp` entry [start, end] whose end is not a float (an int, or null) ends at the video's duration;
//  - frame times: compute_frame_timestamps(duration, 16) (max_num_frames: the yaml sets none, so 16): duration / 16 × i
//    for 16 frames when the video is longer than 16 s, else one per whole second;
//  - insert_subtitles_into_frames: for each subtitle in file order, its time is the middle of (start, end) minus
//    starting_timestamp_for_subtitles; every frame not yet placed whose time is <= it goes first (an "<image>" line);
//    a subtitle shorter than 1 s is widened to 1 s around its middle; it is kept when some frame time lies strictly
//    inside (start, end); the frames left go last; lines joined by "\n";
//  - the prompt is pre_prompt + that text + "\n" + question + options + "\n" + post_prompt.
// lmms-eval's model gets the 16 frames as 16 images at those "<image>" places. Hour-LLaVA takes one video memory per
// conversation (one <image>, before the text), so the port keeps lmms-eval's text without its "<image>" lines: the
// subtitles lmms-eval keeps, in its order, then the question as in longvideobench_val_v. lmmsEvalPrompt() gives
// lmms-eval's own string, for comparison.
import { readFileSync } from "node:fs";
import { pyStrip } from "./answer-parse.ts";
import { PyFloat, pyInt } from "./py-compat.ts";

/** json.loads keeping Python's types: numbers with ".", "e" or "E" (and NaN, Infinity) are floats (PyFloat), others
 * ints (plain numbers). */
export function parsePyJson(text: string, where = "JSON"): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`${where}: not valid JSON at character ${i} (${what})`);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const NUM = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
  const STR = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const o: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") return (i++, o);
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a key");
        const k = value() as string;
        ws();
        if (text[i++] !== ":") fail("expected ':'");
        o[k] = value();
        ws();
        const d = text[i++];
        if (d === "}") return o;
        if (d !== ",") fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const a: unknown[] = [];
      ws();
      if (text[i] === "]") return (i++, a);
      for (;;) {
        a.push(value());
        ws();
        const d = text[i++];
        if (d === "]") return a;
        if (d !== ",") fail("expected ',' or ']'");
      }
    }
    if (c === '"') {
      STR.lastIndex = i;
      const m = STR.exec(text) ?? fail("bad string");
      i += m[0].length;
      return JSON.parse(m[0]) as string;
    }
    for (const [lit, v] of [
      ["true", true],
      ["false", false],
      ["null", null],
      ["NaN", new PyFloat(NaN)],
      ["Infinity", new PyFloat(Infinity)],
      ["-Infinity", new PyFloat(-Infinity)],
    ] as const)
      if (text.startsWith(lit, i)) return ((i += lit.length), v);
    NUM.lastIndex = i;
    const m = NUM.exec(text) ?? fail("unexpected character");
    i += m[0].length;
    return m[1] !== undefined || m[2] !== undefined ? new PyFloat(Number(m[0])) : Number(m[0]);
  };
  const v = value();
  ws();
  if (i < text.length) fail("extra data");
  return v;
}

const n = (x: unknown) => (x instanceof PyFloat ? x.value : (x as number));
const isNum = (x: unknown) => typeof x === "number" || x instanceof PyFloat;

/** compute_frame_timestamps(duration, max_num_frames). */
export function computeFrameTimestamps(duration: number, maxNumFrames = 16): number[] {
  if (duration > maxNumFrames) return Array.from({ length: maxNumFrames }, (_, i) => (duration / maxNumFrames) * i);
  return Array.from({ length: Math.max(0, Math.trunc(duration)) }, (_, i) => i);
}

/** Python's float(s) for decimal strings. */
function pyFloatOf(s: string, where: string): number {
  const t = pyStrip(s).replace(/(\d)_(?=\d)/g, "$1");
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(t)) throw new Error(`${where}: "${s}" is not a number (lmms-eval stops on it)`);
  return Number(t);
}

/** timestamp_to_seconds: "H:M:S.fff" → int(H) × 3600 + int(M) × 60 + float(S). */
function timestampToSeconds(ts: unknown, where: string): number {
  const parts = typeof ts === "string" ? ts.split(":") : [];
  const [h, m] = parts.slice(0, 2).map(pyInt);
  if (parts.length !== 3 || h === undefined || m === undefined) throw new Error(`${where}: "${String(ts)}" is not H:M:S (lmms-eval stops on it)`);
  return h * 3600 + m * 60 + pyFloatOf(parts[2], where);
}

/** insert_subtitles_into_frames: the interleaved lines, "<image>" for each frame. */
export function insertSubtitlesIntoFrames(
  frameTimestamps: readonly number[],
  subtitles: unknown,
  startingTimestamp: number,
  duration: number,
  where = "subtitles",
): string[] {
  if (!Array.isArray(subtitles)) throw new Error(`${where}: expected a JSON list of subtitles`);
  const out: string[] = [];
  let cur = 0;
  subtitles.forEach((sub: unknown, k) => {
    const at = `${where} [${k}]`;
    if (sub === null || typeof sub !== "object" || Array.isArray(sub)) throw new Error(`${at}: not an object`);
    const s = sub as Record<string, unknown>;
    let start: number;
    let end: number;
    let text: unknown;
    if ("timestamp" in s) {
      const t = s.timestamp;
      if (!Array.isArray(t) || t.length !== 2 || !isNum(t[0])) throw new Error(`${at}: "timestamp" must be [start, end] with a numeric start`);
      start = n(t[0]);
      end = t[1] instanceof PyFloat ? t[1].value : duration; // `if not isinstance(end, float): end = duration`
      text = s.text;
    } else {
      start = timestampToSeconds(s.start, at);
      end = timestampToSeconds(s.end, at);
      text = s.line;
    }
    if (typeof text !== "string") throw new Error(`${at}: its text is not a string`);
    start -= startingTimestamp;
    end -= startingTimestamp;
    const mid = (start + end) / 2;
    for (const ft of frameTimestamps.slice(cur)) {
      if (ft <= mid) {
        out.push("<image>");
        cur++;
      } else break;
    }
    if (end - start < 1) {
      end = mid + 0.5;
      start = mid - 0.5;
    }
    if (frameTimestamps.some((ft) => ft < end && ft > start)) out.push(text);
  });
  for (let i = cur; i < frameTimestamps.length; i++) out.push("<image>");
  return out;
}

export interface InterleaveDoc {
  duration: number;
  startingTimestamp: number;
  subtitlesFile: string;
}

/** The interleaved lines for one question's video (frames as "<image>"), from its subtitles file. */
export function interleavedLines(d: InterleaveDoc): string[] {
  let text: string;
  try {
    text = readFileSync(d.subtitlesFile, "utf8");
  } catch (e) {
    throw new Error(`${d.subtitlesFile}: cannot read the subtitles (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; lmms-eval stops on it)`);
  }
  return insertSubtitlesIntoFrames(computeFrameTimestamps(d.duration), parsePyJson(text, d.subtitlesFile), d.startingTimestamp, d.duration, d.subtitlesFile);
}

/** lmms-eval's own prompt: pre_prompt (empty) + the lines + "\n" + question and options + "\n" + post_prompt. */
export const lmmsEvalPrompt = (lines: readonly string[], questionWithOptions: string, post: string) => `${lines.join("\n")}\n${questionWithOptions}\n${post}`;

/** The prompt sent here: the same without the "<image>" lines (the video is the conversation's one memory); with no
 * subtitle kept it is longvideobench_val_v's prompt. */
export function interleavedPrompt(lines: readonly string[], questionWithOptions: string, post: string): string {
  const subs = lines.filter((l) => l !== "<image>");
  return subs.length ? `${subs.join("\n")}\n${questionWithOptions}\n${post}` : `${questionWithOptions}\n${post}`;
}
