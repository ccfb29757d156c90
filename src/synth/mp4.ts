// Writes a world as an H.264 mp4 through the ffmpeg binary: frames are rendered here and piped as rawvideo
// rgb24. At fps > 1 every 1-second frame is repeated fps times, so frame t of the 1-fps timeline stays
// exactly at second t. The file appears under its final name only once ffmpeg has finished (temp + rename).
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { commitTempFile, tempPathFor } from "../io/atomic.ts";
import { ffmpegPath } from "../video/ffmpeg-path.ts";
import { checkResolution, renderFrame, type Resolution } from "./render.ts";
import type { World } from "./world.ts";

export interface Mp4Options extends Resolution {
  /** Output frame rate (default 1); each world second is repeated this many times. */
  fps?: number;
  /** x264 constant rate factor (default 18: near-lossless for flat synthetic shapes). */
  crf?: number;
  /** Called after each world second is written: (done, total) seconds. */
  onProgress?: (done: number, total: number) => void;
}

export async function writeWorldMp4(world: World, path: string, opts: Mp4Options): Promise<void> {
  checkResolution(opts);
  const { width, height } = opts;
  // yuv420p (what browsers and most decoders expect) halves chroma, so both sides must be even.
  if (width % 2 !== 0 || height % 2 !== 0) throw new Error(`writeWorldMp4: width and height must be even for yuv420p H.264, got ${width}x${height}`);
  const fps = opts.fps ?? 1;
  if (!Number.isInteger(fps) || fps < 1 || fps > 60) throw new Error(`writeWorldMp4: fps must be an integer in [1, 60], got ${fps}`);
  const crf = opts.crf ?? 18;
  if (!Number.isInteger(crf) || crf < 0 || crf > 51) throw new Error(`writeWorldMp4: crf must be an integer in [0, 51], got ${crf}`);

  const tmp = tempPathFor(path);
  const args = [
    "-hide_banner",
    "-nostdin",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "-s",
    `${width}x${height}`,
    "-framerate",
    String(fps),
    "-i",
    "pipe:0",
    "-c:v",
    "libx264",
    "-preset",
    "veryfast",
    "-crf",
    String(crf),
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
    tmp,
  ];
  const child = spawn(ffmpegPath(), args, { stdio: ["pipe", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (c: string) => {
    if (stderr.length < 65536) stderr += c;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", (err) => reject(new Error(`cannot run ffmpeg (${ffmpegPath()}): ${err.message}`)));
    child.on("close", (code) => resolve(code));
  });
  // EPIPE when ffmpeg dies early surfaces through the exit code below.
  child.stdin.on("error", () => {});

  try {
    const frame = new Uint8Array(width * height * 3);
    for (let t = 0; t < world.durationS; t++) {
      renderFrame(world, t, opts, frame);
      for (let r = 0; r < fps; r++) {
        // Each write gets its own copy: the buffer is refilled for the next second before the pipe drains.
        if (!child.stdin.write(Buffer.from(frame))) {
          await new Promise<void>((resolve) => {
            const done = (): void => {
              child.stdin.off("drain", done);
              child.off("close", done);
              resolve();
            };
            child.stdin.on("drain", done);
            child.on("close", done);
          });
        }
        if (child.exitCode !== null) break;
      }
      if (child.exitCode !== null) break;
      opts.onProgress?.(t + 1, world.durationS);
    }
    child.stdin.end();
    const code = await exited;
    if (code !== 0) {
      const msg = stderr.trim().split(/\r?\n/).slice(-2).join("; ") || `exit code ${code}`;
      throw new Error(`${path}: ffmpeg failed to encode the world video (${msg})`);
    }
    commitTempFile(tmp, path);
  } catch (err) {
    child.kill("SIGKILL");
    await rm(tmp, { force: true });
    throw err;
  }
}
