// The encoded samples of an mp4/mov's H.264 video track (where each lies, key frames, presentation times) and the
// decoder configuration (codec string, avcC): what WebCodecs needs to decode a file frame by frame in a browser.
import { child, timeToSample, videoTrack } from "./mp4-boxes.ts";
import type { Box } from "./mp4-boxes.ts";

export interface Mp4Sample {
  offset: number;
  size: number;
  key: boolean;
  /** Presentation time in microseconds. */
  timeUs: number;
}

export interface Mp4VideoSamples {
  /** WebCodecs codec string, e.g. "avc1.64000a". */
  codec: string;
  /** The avcC record (VideoDecoderConfig.description). */
  description: Uint8Array;
  width: number;
  height: number;
  /** In decode order. */
  samples: Mp4Sample[];
}

const hex2 = (n: number) => n.toString(16).padStart(2, "0");

export function mp4VideoSamples(bytes: Uint8Array, name = "video"): Mp4VideoSamples {
  const t = videoTrack(bytes, name);
  const v = t.view;
  const box = (type: string): Box | undefined => child(v, t.stbl, type);
  const stsd = box("stsd");
  const entry =
    stsd && v.getUint32(stsd.start + 4) > 0
      ? { type: String.fromCharCode(...bytes.subarray(stsd.start + 12, stsd.start + 16)), at: stsd.start + 8 }
      : undefined;
  if (!entry || (entry.type !== "avc1" && entry.type !== "avc3"))
    throw new Error(
      `${name}: the video is ${entry?.type ?? "of an unknown codec"}, not H.264 (avc1), which the page decodes; re-encode it (ffmpeg -c:v libx264)`,
    );
  const size = v.getUint32(entry.at);
  // A visual sample entry: 8-byte box header, 78 bytes of fields, then child boxes (avcC among them).
  const entryBox = { type: entry.type, start: entry.at + 8, end: entry.at + size };
  const avcC = child(v, { ...entryBox, start: entryBox.start + 78 }, "avcC");
  if (!avcC) throw new Error(`${name}: the H.264 track has no avcC box`);
  const description = bytes.slice(avcC.start, avcC.end);
  const codec = `avc1.${hex2(description[1])}${hex2(description[2])}${hex2(description[3])}`;
  const width = v.getUint16(entryBox.start + 24);
  const height = v.getUint16(entryBox.start + 26);

  const stsz = box("stsz");
  const stsc = box("stsc");
  const stco = box("stco") ?? box("co64");
  if (!stsz || !stsc || !stco) throw new Error(`${name}: the video track's sample table is incomplete (stsz/stsc/stco)`);
  const fixed = v.getUint32(stsz.start + 4);
  const n = v.getUint32(stsz.start + 8);
  const sizes = Array.from({ length: n }, (_, i) => (fixed ? fixed : v.getUint32(stsz.start + 12 + 4 * i)));
  const wide = stco.type === "co64";
  const chunks = Array.from({ length: v.getUint32(stco.start + 4) }, (_, i) =>
    wide ? Number(v.getBigUint64(stco.start + 8 + 8 * i)) : v.getUint32(stco.start + 8 + 4 * i),
  );
  const runs = Array.from({ length: v.getUint32(stsc.start + 4) }, (_, i) => ({
    first: v.getUint32(stsc.start + 8 + 12 * i) - 1,
    perChunk: v.getUint32(stsc.start + 12 + 12 * i),
  }));
  const offsets: number[] = [];
  for (let r = 0; r < runs.length; r++) {
    const last = r + 1 < runs.length ? runs[r + 1].first : chunks.length;
    for (let c = runs[r].first; c < last; c++) {
      let at = chunks[c];
      for (let k = 0; k < runs[r].perChunk && offsets.length < n; k++) {
        offsets.push(at);
        at += sizes[offsets.length - 1];
      }
    }
  }
  if (offsets.length !== n) throw new Error(`${name}: the sample table places ${offsets.length} of ${n} samples`);
  const stss = box("stss");
  const keys = stss ? new Set(Array.from({ length: v.getUint32(stss.start + 4) }, (_, i) => v.getUint32(stss.start + 8 + 4 * i) - 1)) : undefined;
  const ctts = box("ctts");
  const shifts: number[] = [];
  if (ctts) {
    const version = v.getUint8(ctts.start);
    for (let i = 0, e = v.getUint32(ctts.start + 4); i < e; i++) {
      const count = v.getUint32(ctts.start + 8 + 8 * i);
      const off = version === 1 ? v.getInt32(ctts.start + 12 + 8 * i) : v.getUint32(ctts.start + 12 + 8 * i);
      for (let k = 0; k < count; k++) shifts.push(off);
    }
  }
  const samples: Mp4Sample[] = [];
  let dts = 0;
  for (const [count, delta] of timeToSample(t, name)) {
    for (let k = 0; k < count && samples.length < n; k++) {
      const i = samples.length;
      if (offsets[i] + sizes[i] > bytes.byteLength) throw new Error(`${name}: sample ${i} lies past the end of the file (truncated?)`);
      samples.push({ offset: offsets[i], size: sizes[i], key: keys ? keys.has(i) : true, timeUs: Math.round(((dts + (shifts[i] ?? 0)) / t.timescale) * 1e6) });
      dts += delta;
    }
  }
  return { codec, description, width, height, samples };
}
