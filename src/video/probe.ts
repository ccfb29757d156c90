// Video metadata from the ffmpeg binary alone: @ffmpeg-installer ships no ffprobe, so we read the stream
// report that `ffmpeg -hide_banner -i FILE` prints on stderr.
//
// Frame count: that report has no frame count. By default we derive it as round(durationS * fps) from the
// container duration (printed to 1/100 s, so exact for any rate under 100 fps when video spans the whole
// container). With { countFrames: true }, or when the container has no duration (raw .h264 streams), we count
// the video packets with a stream copy (`-c copy -f null`, no decoding: fast even for hour-long files) and
// take that count as exact. decodeFrames reports a clear error if a requested index lies past the real end.
import { stat } from "node:fs/promises";
import { ffmpegErrorSummary, runFfmpeg } from "./ffmpeg-run.ts";

export interface VideoInfo {
  durationS: number;
  fps: number;
  frameCount: number;
  width: number;
  height: number;
  codec: string;
  /** "estimate": round(durationS*fps); "counted": video packets counted. */
  frameCountSource: "estimate" | "counted";
  /** The picked video stream as an ffmpeg -map specifier, e.g. "0:0". */
  streamSpec: string;
}

export interface ProbeOptions {
  countFrames?: boolean;
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
}

export async function probeVideo(path: string, opts: ProbeOptions = {}): Promise<VideoInfo> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new Error(`${path}: no such file`);
  }
  if (st.isDirectory()) throw new Error(`${path}: is a directory, not a video file`);
  if (!st.isFile()) throw new Error(`${path}: not a regular file`);
  if (st.size === 0) throw new Error(`${path}: file is empty`);

  const { stderr } = await runFfmpeg(["-hide_banner", "-nostdin", "-i", path]);
  const p = parseProbeOutput(path, stderr);
  if (p.durationS === null || opts.countFrames) {
    const frameCount = await countVideoFrames(path, p.streamSpec);
    if (frameCount === 0) throw new Error(`${path}: video stream has no frames`);
    const durationS = p.durationS ?? frameCount / p.fps;
    return { durationS, fps: p.fps, frameCount, width: p.width, height: p.height, codec: p.codec, frameCountSource: "counted", streamSpec: p.streamSpec };
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

/** Parses the `ffmpeg -i` report; throws one-line errors for unreadable files and unusable streams. */
export function parseProbeOutput(path: string, stderr: string): ParsedProbe {
  if (!/^Input #0, /m.test(stderr)) {
    throw new Error(`${path}: not a readable video; corrupt, truncated or not a video file (ffmpeg: ${ffmpegErrorSummary(stderr, path)})`);
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

  return { durationS, fps, width, height, codec, streamSpec: `${video[1]}:${video[2]}` };
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
  const { code, stderr } = await runFfmpeg(["-hide_banner", "-nostdin", "-i", path, "-map", streamSpec, "-c", "copy", "-f", "null", "-"]);
  const counts = [...stderr.matchAll(/frame=\s*(\d+)/g)];
  if (code !== 0 || counts.length === 0) {
    throw new Error(`${path}: cannot count video frames (ffmpeg: ${ffmpegErrorSummary(stderr, path)})`);
  }
  return Number(counts[counts.length - 1][1]);
}
