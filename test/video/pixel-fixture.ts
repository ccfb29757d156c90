// Reads test/fixtures/video/pixels.bin (written by tools/parity/video_pixels.py).
import { readFileSync } from "node:fs";

export interface PixelFixture {
  meta: { crop_rows: [number, number]; clip_frames: number[]; pillow: string };
  images: { name: string; width: number; height: number; seed: number; sha256: string; outputs: Record<string, { sha256: string; rows?: [number, number] }> }[];
  bytes(name: string): Uint8Array;
  floats(name: string): Float32Array;
  shape(name: string): number[];
}

export function loadPixelFixture(): PixelFixture {
  const buf = readFileSync(new URL("../fixtures/video/pixels.bin", import.meta.url));
  const headLen = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + headLen).toString("utf8"));
  const base = 4 + headLen;
  const entry = (name: string) => {
    const e = header.entries[name];
    if (!e) throw new Error(`pixels.bin has no entry ${name}`);
    return e as { offset: number; length: number; dtype: string; shape: number[] };
  };
  return {
    meta: header.meta,
    images: header.images,
    bytes: (name) => {
      const e = entry(name);
      return new Uint8Array(buf.buffer, buf.byteOffset + base + e.offset, e.length);
    },
    floats: (name) => {
      const e = entry(name);
      const copy = buf.subarray(base + e.offset, base + e.offset + e.length);
      return new Float32Array(copy.buffer.slice(copy.byteOffset, copy.byteOffset + copy.length));
    },
    shape: (name) => entry(name).shape,
  };
}
