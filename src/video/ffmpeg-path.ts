// Which ffmpeg binary to run: HOURLLAVA_FFMPEG when set (e.g. "ffmpeg" for the system's), else the one
// shipped by @ffmpeg-installer/ffmpeg, which npm installs without any download step.
import { createRequire } from "node:module";

let cached: string | undefined;

export function ffmpegPath(): string {
  if (process.env.HOURLLAVA_FFMPEG) return process.env.HOURLLAVA_FFMPEG;
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  try {
    cached = (require("@ffmpeg-installer/ffmpeg") as { path: string }).path;
  } catch {
    throw new Error("no ffmpeg found: install @ffmpeg-installer/ffmpeg (npm ci) or set HOURLLAVA_FFMPEG to an ffmpeg binary");
  }
  return cached;
}
