// Runs ffmpeg to completion and hands back its exit code and stderr (ffmpeg reports everything we parse there).
import { collectStderr, exitOf, spawnFfmpeg } from "./ffmpeg-spawn.ts";
import { localInputUrl } from "./local-input.ts";

export interface FfmpegResult {
  code: number | null;
  stderr: string;
}

// ffmpeg's stderr can be long for damaged files; keep the head (stream info) and enough of the tail (errors).
const STDERR_LIMIT = 1 << 20;

export async function runFfmpeg(args: string[]): Promise<FfmpegResult> {
  const child = spawnFfmpeg(args, ["ignore", "ignore", "pipe"]);
  const stderr = collectStderr(child, STDERR_LIMIT);
  const code = await exitOf(child);
  return { code, stderr: stderr.text() };
}

/** The lines of ffmpeg's stderr that say what went wrong, joined into one line. */
export function ffmpegErrorSummary(stderr: string, path: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .filter((l) => !/^At least one output file must be specified/.test(l))
    .filter((l) => !/detected only with low score/.test(l))
    // Drop the "[demuxer @ 0x55...] " prefix; the address means nothing to a user.
    .map((l) => l.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/, ""))
    .map((l) => stripPrefix(stripPrefix(l, localInputUrl(path)), path));
  const unique = [...new Set(lines)];
  return unique.slice(-3).join("; ") || "no error message";
}

const stripPrefix = (line: string, name: string) => (line.startsWith(`${name}: `) ? line.slice(name.length + 2) : line);

let passthrough: Promise<string[]> | undefined;

/**
 * Output options that pass every selected frame through once (no duplication or dropping): `-fps_mode
 * passthrough` on ffmpeg ≥ 5.1, `-vsync 0` on older builds such as the one @ffmpeg-installer ships (4.1).
 */
export function passthroughArgs(): Promise<string[]> {
  passthrough ??= runFfmpeg([
    "-hide_banner",
    "-nostdin",
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    "nullsrc=s=16x16:d=0.04",
    "-fps_mode",
    "passthrough",
    "-f",
    "null",
    "-",
  ]).then(
    (r) => (r.code === 0 ? ["-fps_mode", "passthrough"] : ["-vsync", "0"]),
    () => ["-vsync", "0"],
  );
  return passthrough;
}
