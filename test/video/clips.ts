// Short test clips made with the ffmpeg binary itself (lavfi sources), in a fresh temp dir.
import { after, before } from "node:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ffmpegPath } from "../../src/video/ffmpeg-path.ts";

export function ffmpeg(args: string[]): void {
  const r = spawnSync(ffmpegPath(), ["-hide_banner", "-nostdin", "-v", "error", "-y", ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(" ")} failed: ${r.stderr}`);
}

export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "hourllava-video-test-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** testsrc2 160x90, 25 fps, 4 s (100 frames), H.264 in MP4 (moov at the end). */
/** A temp folder holding a testsrc clip, made before the file's tests and removed after them. */
export function useTestsrcClip(): { dir: string; clip: string } {
  const fx = { dir: "", clip: "" };
  let cleanup = () => {};
  before(() => {
    ({ dir: fx.dir, cleanup } = makeTempDir());
    fx.clip = testsrcClip(fx.dir);
  });
  after(() => cleanup());
  return fx;
}

export function testsrcClip(dir: string, name = "testsrc.mp4", extra: string[] = []): string {
  const p = join(dir, name);
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=4", "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", ...extra, p]);
  return p;
}

/** 32x16 grey frames whose luma grows with the frame number (16 + 2N), lossless H.264, 100 frames. */
export function rampClip(dir: string): string {
  const p = join(dir, "ramp.mp4");
  ffmpeg([
    "-f",
    "lavfi",
    "-i",
    "color=c=black:s=32x16:r=25:d=4",
    "-vf",
    "geq=lum='16+2*N':cb=128:cr=128",
    "-c:v",
    "libx264",
    "-qp",
    "0",
    "-pix_fmt",
    "yuv420p",
    p,
  ]);
  return p;
}

/** A YUV4MPEG2 file with one frame of the given size (any size, no encoder limits). */
export function y4mClip(dir: string, w: number, h: number): string {
  const p = join(dir, `frame-${w}x${h}.y4m`);
  const head = Buffer.from(`YUV4MPEG2 W${w} H${h} F25:1 Ip A1:1 C420jpeg\nFRAME\n`);
  writeFileSync(p, Buffer.concat([head, Buffer.alloc(w * h + 2 * Math.ceil(w / 2) * Math.ceil(h / 2), 128)]));
  return p;
}

/** A 20-s 64×36 mp4 with its index at the front (`whole.mp4`), and a copy cut at 45 % of its bytes (`cut.mp4`): the
 * cut one still opens and its header still says 20 s, but only the first part decodes. */
export function truncatedClip(dir: string): { whole: string; cut: string } {
  mkdirSync(dir, { recursive: true });
  const whole = join(dir, "whole.mp4");
  ffmpeg([
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=64x36:rate=10:duration=20",
    "-pix_fmt",
    "yuv420p",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-g",
    "10",
    "-movflags",
    "+faststart",
    whole,
  ]);
  const bytes = readFileSync(whole);
  const cut = join(dir, "cut.mp4");
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.45)));
  return { whole, cut };
}
