// Image files (JPEG, PNG, WebP, BMP, GIF, TIFF…) → packed RGB bytes, decoded by the same ffmpeg as videos:
// the first frame as one binary PPM on stdout (its header carries the size). Alpha is dropped and grey or
// palette images expand to RGB, as PIL's convert("RGB") does; PNGs decode bit-exactly, JPEGs may differ from
// libjpeg by the decoder's rounding (±1–2 levels).
import { closeSync, readSync } from "node:fs";
import { openRegularFile } from "../util/regular-file.ts";
import { extname } from "node:path";
import { ffmpegErrorSummary } from "../video/ffmpeg-run.ts";
import { spawnFfmpeg } from "../video/ffmpeg-spawn.ts";
import { checkInputFile, localInputArgs, refuseReferencingFile } from "../video/local-input.ts";
import { MAX_SIDE } from "../video/probe.ts";
import type { RgbImage } from "./tiles.ts";

const IMAGE_EXTENSIONS = new Set([".jpg", ".jpeg", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"]);

/** Magic numbers of still-image formats (so a photo named .dat is still an image, an .mp4 never is). */
const MAGIC: [number, number[]][] = [
  [0, [0xff, 0xd8, 0xff]], // JPEG
  [0, [0x89, 0x50, 0x4e, 0x47]], // PNG
  [0, [0x42, 0x4d]], // BMP
  [0, [0x47, 0x49, 0x46, 0x38]], // GIF8
  [8, [0x57, 0x45, 0x42, 0x50]], // RIFF….WEBP
  [0, [0x49, 0x49, 0x2a, 0x00]], // TIFF little-endian
  [0, [0x4d, 0x4d, 0x00, 0x2a]], // TIFF big-endian
];

/** Whether `path` is a still image: by its first bytes when it can be read, else by its extension. */
export function isImageFile(path: string): boolean {
  const head = Buffer.alloc(12);
  try {
    const fd = openRegularFile(path);
    try {
      readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return IMAGE_EXTENSIONS.has(extname(path).toLowerCase());
  }
  return MAGIC.some(([at, bytes]) => bytes.every((b, i) => head[at + i] === b));
}

/** Parses a binary PPM (P6, maxval 255) into its size and pixels. */
export function parsePpm(buf: Buffer): RgbImage {
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(buf.subarray(0, 64).toString("latin1"));
  if (!header || header[3] !== "255") throw new Error("ffmpeg did not produce an 8-bit PPM image");
  const width = Number(header[1]);
  const height = Number(header[2]);
  const rgb = buf.subarray(header[0].length, header[0].length + width * height * 3);
  if (rgb.length !== width * height * 3) throw new Error(`the decoded image is truncated (${rgb.length} of ${width * height * 3} bytes)`);
  return { rgb: new Uint8Array(rgb), width, height };
}

export async function loadImage(path: string): Promise<RgbImage> {
  await checkInputFile(path, "image");
  refuseReferencingFile(path);
  const args = [
    "-hide_banner",
    "-nostdin",
    "-v",
    "error",
    ...localInputArgs(path),
    "-frames:v",
    "1",
    "-f",
    "image2pipe",
    "-c:v",
    "ppm",
    "-pix_fmt",
    "rgb24",
    "pipe:1",
  ];
  const child = spawnFfmpeg(args, ["ignore", "pipe", "pipe"]);
  const out: Buffer[] = [];
  let stderr = "";
  child.stdout!.on("data", (b: Buffer) => out.push(b));
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (s: string) => (stderr += s));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", (e) => reject(new Error(`cannot run ffmpeg: ${e.message}`)));
    child.on("close", resolve);
  });
  const buf = Buffer.concat(out);
  if (code !== 0 || buf.length === 0)
    throw new Error(`${path}: not a readable image; corrupt, truncated or not an image file (ffmpeg: ${ffmpegErrorSummary(stderr, path)})`);
  const img = parsePpm(buf);
  if (img.width > MAX_SIDE || img.height > MAX_SIDE)
    throw new Error(`${path}: image size ${img.width}x${img.height} is out of range (each side must be 1..${MAX_SIDE})`);
  return img;
}
