// Video metadata from the ffmpeg binary alone: @ffmpeg-installer ships no ffprobe, so we read the stream
// report that `ffmpeg -hide_banner -i FILE` prints on stderr.
//
// Frame count: that report has no frame count. By default we derive it as round(durationS * fps) from the
// container duration (printed to 1/100 s, so exact for any rate under 100 fps when video spans the whole
// container). With { countFrames: true } (what planning an encode uses), or when the container has no
// duration (raw .h264 streams), we count. mp4/mov: from the sample tables where they prove what ffmpeg outputs
// (mp4-table-count.ts: no trimming edit list, every sample inside the file), else decoded frames (edit lists make
// packet counts wrong, and a truncated file decodes fewer). Other containers: packets (a stream copy: fast even for
// hour-long files); durations and the average rate of VFR files come from timestamps. So a video whose frames are
// not all there fails here, before any encode.
import { countDecodedFrames } from "./decoded-count.ts";
import { mp4TableCount } from "./mp4-table-count.ts";
import { ffmpegErrorSummary, runFfmpeg } from "./ffmpeg-run.ts";
import { checkInputFile, localInputArgs, refuseReferencingDemuxer, refuseReferencingFile } from "./local-input.ts";
import { CodedError } from "../util/coded-error.ts";

export interface VideoInfo {
  durationS: number;
  fps: number;
  frameCount: number;
  width: number;
  height: number;
  codec: string;
  /** "estimate": round(durationS*fps); "counted": video packets counted; "table": the mp4/mov sample tables (proved to
   * be what decodes); "decoded": decoded frames counted (mp4/mov whose tables do not prove it). */
  frameCountSource: "estimate" | "counted" | "table" | "decoded";
  /** The picked video stream as an ffmpeg -map specifier, e.g. "0:0". */
  streamSpec: string;
  /** The container's duration where it is longer than what decodes (a truncated file, or a video track shorter
   * than the file): set only when counted, and only beyond max(1 s, 2 %). */
  headerDurationS?: number;
}

/** The header's claim, when it exceeds the decodable duration beyond rounding. */
function headerBeyond(header: number | null, decodableS: number): { headerDurationS?: number } {
  return header !== null && header - decodableS > Math.max(1, 0.02 * header) ? { headerDurationS: header } : {};
}

export interface ProbeOptions {
  countFrames?: boolean;
  /** Filled with the seconds spent reading the stream report (probeS) and counting frames (countS, 0 unless counted). */
  timings?: ProbeTimings;
}

export interface ProbeTimings {
  probeS: number;
  countS: number;
}

export const MAX_SIDE = 8192;

/** What the stderr report says, before any counting. durationS is null when the container prints N/A. */
export interface ParsedProbe {
  durationS: number | null;
  fps: number;
  width: number;
  height: number;
  codec: string;
  /** Stream specifier for -map, e.g. "0:1". */
  streamSpec: string;
  /** "mov" for the mp4/mov family (edit lists), else the demuxer's first name. */
  container: string;
}

export async function probeVideo(path: string, opts: ProbeOptions = {}): Promise<VideoInfo> {
  await checkInputFile(path, "video");
  refuseReferencingFile(path);
  const t0 = performance.now();
  const { stderr } = await runFfmpeg(["-hide_banner", "-nostdin", ...localInputArgs(path)]);
  const p = parseProbeOutput(path, stderr);
  const t1 = performance.now();
  if (opts.timings) opts.timings.probeS = (t1 - t0) / 1000;
  const stream = { width: p.width, height: p.height, codec: p.codec, streamSpec: p.streamSpec };
  if (p.durationS === null || opts.countFrames) {
    const timing = await countedTiming(path, p);
    if (opts.timings) opts.timings.countS = (performance.now() - t1) / 1000;
    return { ...stream, ...timing };
  }
  const frameCount = Math.round(p.durationS * p.fps);
  if (frameCount === 0) throw new Error(`${path}: video has zero duration`);
  return {
    durationS: p.durationS,
    fps: p.fps,
    frameCount,
    width: p.width,
    height: p.height,
    codec: p.codec,
    frameCountSource: "estimate",
    streamSpec: p.streamSpec,
  };
}

/**
 * Exact frame count, and duration and average rate from timestamps. mp4/mov: the sample tables where they prove
 * it, else decoded frames (edit lists make packets lie, see decoded-count.ts). Other containers: packets, whose last
 * timestamp also tells a variable frame rate (a VFR mkv/webm prints its stream's nominal rate, so frames/fps alone
 * is not its duration).
 */
type Timing = Pick<VideoInfo, "durationS" | "fps" | "frameCount" | "frameCountSource" | "headerDurationS">;

async function countedTiming(path: string, p: ParsedProbe): Promise<Timing> {
  if (p.container === "mov") {
    const table = await mp4TableCount(path, p);
    if ("frames" in table) {
      const { frames, durationS } = table;
      return { frameCount: frames, durationS, fps: averageRate(frames, durationS, p.fps), frameCountSource: "table", ...headerBeyond(p.durationS, durationS) };
    }
    const { frames, endS } = await countDecodedFrames(path, p.streamSpec);
    if (frames === 0) throw new Error(`${path}: video stream has no decodable frames`);
    const durationS = endS ?? frames / p.fps;
    return { frameCount: frames, durationS, fps: averageRate(frames, durationS, p.fps), frameCountSource: "decoded", ...headerBeyond(p.durationS, durationS) };
  }
  const { frames, lastS } = await countVideoPackets(path, p.streamSpec);
  if (frames === 0) throw new Error(`${path}: video stream has no frames`);
  const nominalS = frames / p.fps;
  // The last packet starts one frame before the end (a few with reordered B-frames): a gap of over a second
  // and 2% is not rounding, it is a variable rate.
  const vfr = lastS !== null && Math.abs(lastS + 1 / p.fps - nominalS) > Math.max(1, 0.02 * nominalS);
  if (!vfr) {
    // Packets a rate's worth of frames short of the header: the file ends early, so the frames that exist decide.
    const short = headerBeyond(p.durationS, nominalS);
    return { frameCount: frames, durationS: short.headerDurationS ? nominalS : (p.durationS ?? nominalS), fps: p.fps, frameCountSource: "counted", ...short };
  }
  const durationS = p.durationS !== null && Math.abs(p.durationS - lastS) < 1 ? p.durationS : lastS + lastS / Math.max(1, frames - 1);
  return { frameCount: frames, durationS, fps: frames / durationS, frameCountSource: "counted" };
}

/** The stream's rate, or frames/duration where they disagree beyond rounding (a variable frame rate). */
function averageRate(frames: number, durationS: number, fps: number): number {
  const avg = frames / durationS;
  return Math.abs(avg - fps) > 0.02 * fps ? avg : fps;
}

/** Parses the `ffmpeg -i` report; throws one-line errors for unreadable files and unusable streams. */
export function parseProbeOutput(path: string, stderr: string): ParsedProbe {
  if (!/^Input #0, /m.test(stderr)) {
    throw new CodedError(
      "unreadable_video",
      `${path}: not a readable video; corrupt, truncated or not a video file (ffmpeg: ${ffmpegErrorSummary(stderr, path)})`,
    );
  }
  const durMatch = /^\s*Duration: (?:(\d+):(\d\d):(\d\d(?:\.\d+)?)|N\/A)/m.exec(stderr);
  let durationS: number | null = null;
  if (durMatch && durMatch[1] !== undefined) {
    durationS = Number(durMatch[1]) * 3600 + Number(durMatch[2]) * 60 + Number(durMatch[3]);
  }

  const streams = [...stderr.matchAll(/^\s*Stream #(\d+):(\d+)[^:]*: (\w+): (.*)$/gm)];
  const video = streams.find((m) => m[3] === "Video" && !/\(attached pic\)/.test(m[4]));
  if (!video) {
    const kinds = [...new Set(streams.map((m) => m[3].toLowerCase()))];
    const found = kinds.length ? kinds.join(", ") : "no streams";
    throw new Error(`${path}: has no video stream (found: ${found})`);
  }
  if (durationS !== null && durationS <= 0) throw new Error(`${path}: video has zero duration`);

  const desc = video[4];
  const codec = desc.split(/[\s,]/)[0];
  // "160x90 [SAR ...]" or "160x90,"; the look-ahead skips codec tags such as "(avc1 / 0x31637661)".
  const size = /(?:^|[\s,])(\d+)x(\d+)(?=[\s,]|$)/.exec(desc);
  if (!size) throw new Error(`${path}: cannot read the video resolution from ffmpeg's report ("${desc}")`);
  const width = Number(size[1]);
  const height = Number(size[2]);
  if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
    throw new Error(`${path}: video resolution ${width}x${height} is out of range (each side must be 1..${MAX_SIDE})`);
  }

  const fps = parseRate(desc, "fps") ?? parseRate(desc, "tbr");
  if (fps === undefined || !(fps > 0)) throw new Error(`${path}: video frame rate is unknown ("${desc}")`);

  const demuxer = /^Input #0, ([\w,]+)/m.exec(stderr)![1];
  refuseReferencingDemuxer(path, demuxer);
  const container = demuxer.split(",").includes("mov") ? "mov" : demuxer.split(",")[0];
  return { durationS, fps, width, height, codec, streamSpec: `${video[1]}:${video[2]}`, container };
}

// ffmpeg prints rates rounded to 2 decimals ("29.97", "23.98", "30k"); snap the NTSC family back to N*1000/1001 so frame
// times do not drift over an hour-long video.
function parseRate(desc: string, unit: "fps" | "tbr"): number | undefined {
  const m = new RegExp(`(\\d+(?:\\.\\d+)?)(k?) ${unit}(?=[\\s,]|$)`).exec(desc);
  if (!m) return undefined;
  const v = Number(m[1]) * (m[2] === "k" ? 1000 : 1);
  for (const n of [15, 24, 30, 48, 60, 120, 240]) {
    const ntsc = (n * 1000) / 1001;
    if (Math.abs(v - ntsc) < 0.005) return ntsc;
  }
  return v;
}

/** Counts the packets of one video stream without decoding (stream copy to the null muxer). */
export async function countVideoFrames(path: string, streamSpec = "0:v:0"): Promise<number> {
  return (await countVideoPackets(path, streamSpec)).frames;
}

/** Packets of one stream and the timestamp of the last (from ffmpeg's final report; null when it has none). */
async function countVideoPackets(path: string, streamSpec: string): Promise<{ frames: number; lastS: number | null }> {
  const { code, stderr } = await runFfmpeg(["-hide_banner", "-nostdin", ...localInputArgs(path), "-map", streamSpec, "-c", "copy", "-f", "null", "-"]);
  const counts = [...stderr.matchAll(/frame=\s*(\d+)/g)];
  if (code !== 0 || counts.length === 0) {
    throw new Error(`${path}: cannot count video frames (ffmpeg: ${ffmpegErrorSummary(stderr, path)})`);
  }
  const time = [...stderr.matchAll(/time=\s*(\d+):(\d\d):(\d\d(?:\.\d+)?)/g)].at(-1);
  const lastS = time ? Number(time[1]) * 3600 + Number(time[2]) * 60 + Number(time[3]) : null;
  return { frames: Number(counts[counts.length - 1][1]), lastS };
}
