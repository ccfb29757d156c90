// Frames of a clip for the captioner, decoded by ffmpeg: `n` frames spread evenly over [start, end),
// scaled down to at most `maxSide` pixels, as JPEG.
import { spawn } from "node:child_process";
import { isAbsolute, join } from "node:path";
import { ffmpegPath } from "../../video/ffmpeg-path.ts";
import { ffmpegErrorSummary } from "../../video/ffmpeg-run.ts";
import type { FramesForClip } from "./pipeline.ts";
import type { VideoSpec } from "./video-spec.ts";

/** Splits ffmpeg's concatenated MJPEG output into single JPEG files (each ends FFD9, the next starts FFD8). */
export function splitJpegStream(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 2; i + 1 < buf.length; i++) {
    if (buf[i] === 0xff && buf[i + 1] === 0xd9 && (i + 2 === buf.length || (buf[i + 2] === 0xff && buf[i + 3] === 0xd8))) {
      out.push(buf.subarray(start, i + 2));
      start = i + 2;
      i++;
    }
  }
  return out;
}

export function videoFile(video: VideoSpec, videoRoot?: string): string {
  const p = video.path ?? video.video;
  return isAbsolute(p) || !videoRoot ? p : join(videoRoot, p);
}

export function extractClipFrames(file: string, startS: number, endS: number, n: number, maxSide = 448): Promise<Buffer[]> {
  const len = Math.max(0.04, endS - startS);
  const args = [
    "-hide_banner",
    "-nostdin",
    "-v",
    "error",
    "-ss",
    startS.toFixed(3),
    "-t",
    len.toFixed(3),
    "-i",
    file,
    "-vf",
    `fps=${n}/${len.toFixed(3)},scale='min(${maxSide},iw)':'min(${maxSide},ih)':force_original_aspect_ratio=decrease`,
    "-frames:v",
    String(n),
    "-f",
    "image2pipe",
    "-c:v",
    "mjpeg",
    "-q:v",
    "4",
    "pipe:1",
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath(), args, { stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c: string) => {
      if (stderr.length < 65536) stderr += c;
    });
    child.on("error", (e) => reject(new Error(`cannot run ffmpeg (${ffmpegPath()}): ${e.message}`)));
    child.on("close", (code) => {
      const frames = splitJpegStream(Buffer.concat(chunks));
      if (code !== 0) reject(new Error(`${file}: ffmpeg failed on ${startS}-${endS}s: ${ffmpegErrorSummary(stderr, file)}`));
      else if (frames.length === 0) reject(new Error(`${file}: no frames decoded between ${startS} s and ${endS} s`));
      else resolve(frames);
    });
  });
}

export function ffmpegFramesForClip(opts: { framesPerClip: number; videoRoot?: string; maxSide?: number }): FramesForClip {
  return (video, startS, endS) => extractClipFrames(videoFile(video, opts.videoRoot), startS, endS, opts.framesPerClip, opts.maxSide);
}
