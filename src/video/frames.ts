// Streams chosen frames of a video as packed RGB (rgb24) from an ffmpeg pipe. ffmpeg decodes every frame in
// presentation order (decoded frame n = index n, as PyAV and decord count), the select filter keeps the
// requested ones, and only those are converted and piped, one frame in memory at a time.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { releaseRunTempDir, runTempDir } from "../util/run-temp.ts";
import { ffmpegErrorSummary, passthroughArgs } from "./ffmpeg-run.ts";
import { collectStderr, exitOf, spawnFfmpeg } from "./ffmpeg-spawn.ts";
import { RGB24_OUTPUT, rawFrames } from "./raw-frames.ts";
import { localInputArgs } from "./local-input.ts";
import { probeVideo, type VideoInfo } from "./probe.ts";

export interface DecodedFrame {
  index: number;
  timeS: number;
  width: number;
  height: number;
  /** width*height*3 bytes, row-major RGB. */
  rgb: Uint8Array;
}

export interface DecodeOptions {
  /** Scale in ffmpeg (its default bicubic, not PIL's) to this size; both default to the native size. */
  width?: number;
  height?: number;
  /** A probe of the same file, to skip probing again. */
  info?: VideoInfo;
  /** Ends ffmpeg at once when aborted (the generator then ends with an error), even while a frame is awaited. */
  signal?: AbortSignal;
}

// A filter expression longer than this goes through -filter_script (argv strings are capped at 128 KiB).
export const INLINE_FILTER_LIMIT = 60_000;
const LEAF_SIZE = 16;

/** select-filter expression true exactly on the given sorted frame numbers: a search tree over groups of eq(). */
export function selectExpression(indices: number[]): string {
  const build = (lo: number, hi: number): string => {
    if (hi - lo <= LEAF_SIZE)
      return indices
        .slice(lo, hi)
        .map((i) => `eq(n\\,${i})`)
        .join("+");
    const mid = (lo + hi) >> 1;
    return `if(lt(n\\,${indices[mid]})\\,${build(lo, mid)}\\,${build(mid, hi)})`;
  };
  return build(0, indices.length);
}

export async function* decodeFrames(path: string, indices: number[], opts: DecodeOptions = {}): AsyncGenerator<DecodedFrame> {
  const info = opts.info ?? (await probeVideo(path));
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0) throw new Error(`${path}: frame index ${i} is not a non-negative integer`);
    if (k > 0 && i <= indices[k - 1]) throw new Error(`${path}: frame indices must be strictly increasing (${indices[k - 1]} then ${i})`);
    if (i >= info.frameCount) throw new Error(`${path}: frame index ${i} is out of range (the video has ${info.frameCount} frames)`);
  }
  if (indices.length === 0) return;
  const width = opts.width ?? info.width;
  const height = opts.height ?? info.height;
  for (const [name, v] of [
    ["width", width],
    ["height", height],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 8192) throw new Error(`decodeFrames: ${name} ${v} must be an integer in 1..8192`);
  }

  let filter = `select=${selectExpression(indices)}`;
  if (width !== info.width || height !== info.height) filter += `,scale=${width}:${height}`;
  const passthrough = await passthroughArgs();
  let scriptDir: string | undefined;
  const filterArgs: string[] = [];
  if (filter.length > INLINE_FILTER_LIMIT) {
    scriptDir = runTempDir("select");
    const script = join(scriptDir, "filter.txt");
    await writeFile(script, filter);
    filterArgs.push("-filter_script:v", script);
  } else {
    filterArgs.push("-vf", filter);
  }

  // -noautorotate: keep the stored orientation, as PyAV and decord do; passthrough: never duplicate or drop.
  const args = [
    "-hide_banner",
    "-nostdin",
    "-v",
    "error",
    "-noautorotate",
    ...localInputArgs(path),
    "-map",
    info.streamSpec,
    ...filterArgs,
    ...passthrough,
    ...RGB24_OUTPUT,
    "pipe:1",
  ];
  const child = spawnFfmpeg(args, ["ignore", "pipe", "pipe"]);
  const stderr = collectStderr(child, 1 << 16);
  const exited = exitOf(child); // surfaced below when awaited
  const abort = () => child.kill("SIGKILL");
  if (opts.signal?.aborted) abort();
  else opts.signal?.addEventListener("abort", abort, { once: true });

  let emitted = 0;
  try {
    for await (const rgb of rawFrames(child.stdout! as AsyncIterable<Buffer>, width * height * 3)) {
      if (emitted >= indices.length) throw new Error(`${path}: ffmpeg returned more frames than the ${indices.length} requested`);
      const index = indices[emitted++];
      yield { index, timeS: index / info.fps, width, height, rgb };
    }
    const code = await exited;
    if (code !== 0) throw new Error(`${path}: ffmpeg failed while decoding (exit ${code}; ffmpeg: ${ffmpegErrorSummary(stderr.text(), path)})`);
    if (emitted < indices.length) {
      throw new Error(
        `${path}: the video ended after ${emitted} of ${indices.length} requested frames; frame index ${indices[emitted]} is past its last decodable frame (truncated file, or frame count ${info.frameCount} overestimated)`,
      );
    }
  } finally {
    opts.signal?.removeEventListener("abort", abort);
    // Stopped early (consumer broke out, or an error): end ffmpeg and wait, so no process outlives the loop.
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGKILL");
      await exited.catch(() => undefined);
    }
    if (scriptDir) releaseRunTempDir(scriptDir);
  }
}
