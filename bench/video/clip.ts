// A generated test clip for the video benchmarks (testsrc2, H.264, ultrafast unless told); returns seconds spent generating.
import { spawnSync } from "node:child_process";
import { ffmpegPath } from "../../src/video/ffmpeg-path.ts";

export function generateClip(path: string, size: string, fps: number, seconds: number, preset = "ultrafast"): number {
  const t0 = performance.now();
  const src = `testsrc2=size=${size}:rate=${fps}:duration=${seconds}`;
  const r = spawnSync(ffmpegPath(), [
    "-hide_banner",
    "-v",
    "error",
    "-f",
    "lavfi",
    "-i",
    src,
    "-c:v",
    "libx264",
    "-preset",
    preset,
    "-pix_fmt",
    "yuv420p",
    path,
  ]);
  if (r.status !== 0) throw new Error(String(r.stderr));
  return (performance.now() - t0) / 1000;
}
