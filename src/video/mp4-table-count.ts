// Frame count and duration of an mp4/mov's video track from its sample tables, without decoding: only the moov box is
// read (a few hundred KB for an hour; it may sit at the end of the file, after a 64-bit mdat).
//
// What `ffmpeg -i FILE -f null` outputs is not always every sample: ffmpeg's mov demuxer applies the edit list (elst)
// and marks samples whose presentation time lies outside the edit as discarded (a `-ss … -c copy` cut keeps the
// pre-roll from the keyframe before the cut), and stops indexing at the first key frame past the edit's end. So the
// table count is used only where the tables prove that every sample is output, and each case that the proof does not
// cover returns a reason (the caller then counts by decoding, see decoded-count.ts):
//  - exactly one video track, one sample description, of a codec whose samples are whole frames, matching the stream
//    ffmpeg reports (codec and size), not fragmented (no mvex);
//  - stsz, stts, ctts (if any) and the chunk tables (stsc, stco/co64) agree on the sample count and place every sample
//    inside the file (a truncated file falls back: the decoded count finds where it ends);
//  - the first sample in decode order is a key frame and the first shown (no open-GOP leading pictures);
//  - no edit list, or empty edits (a start offset) followed by ONE edit at normal rate that covers every sample:
//    media_time ≤ every presentation time < media_time + duration (ffmpeg's own rule for discarding), and no key frame
//    before the last sample reaches the edit's end (where ffmpeg stops indexing). The usual B-frame delay edit of an
//    encoder (media_time = the first sample's composition offset) is this case; a cut that trims is not.
// Presentation times are computed as ffmpeg does: dts (stts) + the composition offset (ctts, read signed).
import { open } from "node:fs/promises";
import { boxes, child, isVideoMedia, timescaleOf, type Box } from "./mp4-boxes.ts";

export interface TableCount {
  frames: number;
  /** The track's media duration (sum of its sample durations), seconds. */
  durationS: number;
}

/** Why the tables were not used; the frame count must then come from decoding. */
export interface TableFallback {
  fallback: string;
}

/** The stream ffmpeg picked (its report's codec name and size), to check that the tables describe the same one. */
export interface ExpectedStream {
  codec: string;
  width: number;
  height: number;
}

/** A larger index (about 20 bytes a sample: over 10 million samples) is counted by decoding instead. */
export const MAX_MOOV_BYTES = 256 << 20;

// Sample entry → ffmpeg codec name, for codecs whose every mp4 sample is one shown frame.
const FRAME_CODECS: Record<string, string> = {
  avc1: "h264",
  avc3: "h264",
  hvc1: "hevc",
  hev1: "hevc",
  av01: "av1",
  vp09: "vp9",
  vp08: "vp8",
  mp4v: "mpeg4",
  apch: "prores",
  apcn: "prores",
  apcs: "prores",
  apco: "prores",
  ap4h: "prores",
  ap4x: "prores",
  jpeg: "mjpeg",
  mjpa: "mjpeg",
};

/** The file's moov box (its header included), or why it cannot be read. Reads box headers, then the moov alone. */
export async function readMoov(path: string): Promise<{ moov: Uint8Array; fileSize: number } | TableFallback> {
  const fh = await open(path, "r");
  try {
    const fileSize = (await fh.stat()).size;
    const head = Buffer.alloc(16);
    let at = 0;
    while (at + 8 <= fileSize) {
      const { bytesRead } = await fh.read(head, 0, 16, at);
      let size = head.readUInt32BE(0);
      const type = head.toString("latin1", 4, 8);
      let header = 8;
      if (size === 1) {
        if (bytesRead < 16) break;
        size = Number(head.readBigUInt64BE(8));
        header = 16;
      } else if (size === 0) size = fileSize - at; // the last box, to the end of the file
      if (size < header) return { fallback: `the box at byte ${at} has an impossible size (${size})` };
      if (type === "moov") {
        if (at + size > fileSize) return { fallback: `the moov box runs past the end of the file (truncated: ${size} bytes at ${at}, file ${fileSize})` };
        if (size > MAX_MOOV_BYTES) return { fallback: `the moov box is ${size} bytes, over ${MAX_MOOV_BYTES}` };
        const moov = Buffer.alloc(size);
        const r = await fh.read(moov, 0, size, at);
        if (r.bytesRead !== size) return { fallback: "the moov box could not be read whole" };
        return { moov, fileSize };
      }
      at += size;
    }
    return { fallback: "no moov box before the end of the file" };
  } finally {
    await fh.close();
  }
}

/** The table count for an mp4/mov file, or why the tables do not prove it. Never throws for a bad file. */
export async function mp4TableCount(path: string, expected?: ExpectedStream): Promise<TableCount | TableFallback> {
  let read;
  try {
    read = await readMoov(path);
  } catch (e) {
    return { fallback: `cannot read the file (${(e as Error).message})` };
  }
  if ("fallback" in read) return read;
  return tableCountFromMoov(read.moov, read.fileSize, expected);
}

class Unproven extends Error {}
const unproven = (why: string): never => {
  throw new Unproven(why);
};

/** The count from moov bytes (starting with the moov box header); `fileSize` bounds where samples may lie. */
export function tableCountFromMoov(moovBytes: Uint8Array, fileSize: number, expected?: ExpectedStream): TableCount | TableFallback {
  try {
    return countFromMoov(moovBytes, fileSize, expected);
  } catch (e) {
    if (e instanceof Unproven) return { fallback: e.message };
    if (e instanceof RangeError) return { fallback: `a sample table box is shorter than its entry count says (${e.message})` };
    throw e;
  }
}

function countFromMoov(bytes: Uint8Array, fileSize: number, expected?: ExpectedStream): TableCount {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number) => v.getUint32(at);
  const moov = boxes(v, 0, bytes.byteLength).find((b) => b.type === "moov") ?? unproven("no moov box");
  const kids = boxes(v, moov.start, moov.end);
  if (kids.some((b) => b.type === "mvex")) unproven("a fragmented mp4 (its samples are in moof fragments)");
  const mvhd = kids.find((b) => b.type === "mvhd") ?? unproven("no mvhd box");
  const movieScale = timescaleOf(v, mvhd);

  const video = kids
    .filter((b) => b.type === "trak")
    .map((trak) => ({ trak, mdia: child(v, trak, "mdia") }))
    .filter(({ mdia }) => isVideoMedia(v, mdia));
  if (video.length !== 1) unproven(`${video.length} video tracks (one is needed to know which stream ffmpeg reads)`);
  const { trak, mdia } = video[0];
  const mdhd = child(v, mdia!, "mdhd") ?? unproven("no mdhd box");
  const mediaScale = timescaleOf(v, mdhd);
  if (!mediaScale) unproven("the video track's timescale is 0");
  const minf = child(v, mdia!, "minf") ?? unproven("no minf box");
  const stbl = child(v, minf, "stbl") ?? unproven("no stbl box");
  const table = boxes(v, stbl.start, stbl.end);
  const box = (type: string): Box | undefined => table.find((b) => b.type === type);
  const need = (type: string): Box => box(type) ?? unproven(`no ${type} box`);
  /** Entry count of a full box at `b`, checked against its size. */
  const entries = (b: Box, entrySize: number, headerBytes = 8): number => {
    const n = u32(b.start + headerBytes - 4);
    if (b.start + headerBytes + n * entrySize > b.end) unproven(`the ${b.type} box holds fewer entries than its count (${n})`);
    return n;
  };

  // The codec, and the stream ffmpeg reports.
  const stsd = need("stsd");
  if (entries(stsd, 0) !== 1) unproven(`${u32(stsd.start + 4)} sample descriptions`);
  const entryAt = stsd.start + 8;
  const fourcc = String.fromCharCode(...bytes.subarray(entryAt + 4, entryAt + 8));
  const codec = FRAME_CODECS[fourcc] ?? unproven(`codec ${JSON.stringify(fourcc)} (not one whose samples are known to be whole frames)`);
  const width = v.getUint16(entryAt + 8 + 24);
  const height = v.getUint16(entryAt + 8 + 26);
  if (expected && (expected.codec !== codec || expected.width !== width || expected.height !== height))
    unproven(`the track (${codec} ${width}x${height}) is not the stream ffmpeg reports (${expected.codec} ${expected.width}x${expected.height})`);

  // Sample count: stsz, which stts (and ctts) must agree with.
  const stsz = box("stsz") ?? unproven(box("stz2") ? "compact sample sizes (stz2)" : "no stsz box");
  const fixedSize = u32(stsz.start + 4);
  const n = u32(stsz.start + 8);
  if (!fixedSize && stsz.start + 12 + 4 * n > stsz.end) unproven(`the stsz box holds fewer sizes than its count (${n})`);
  if (n < 1) unproven("the video track has no samples");
  const sizeOf = (i: number) => (fixedSize ? fixedSize : u32(stsz.start + 12 + 4 * i));

  const stts = need("stts");
  const dts = new Float64Array(n + 1); // dts[n]: the end of the last sample
  {
    let i = 0;
    for (let e = 0, ne = entries(stts, 8); e < ne; e++) {
      const count = u32(stts.start + 8 + 8 * e);
      const delta = u32(stts.start + 12 + 8 * e);
      if (count && (delta === 0 || delta >= 2 ** 31)) unproven(`a sample duration of ${delta}`);
      if (i + count > n) unproven(`stts counts more samples than stsz (${n})`);
      for (let k = 0; k < count; k++, i++) dts[i + 1] = dts[i] + delta;
    }
    if (i !== n) unproven(`stts counts ${i} samples, stsz ${n}`);
  }

  // Presentation times: dts + composition offset (ffmpeg reads ctts offsets signed in either version).
  const pts = new Float64Array(n);
  const ctts = box("ctts");
  {
    let i = 0;
    if (ctts) {
      for (let e = 0, ne = entries(ctts, 8); e < ne; e++) {
        const count = u32(ctts.start + 8 + 8 * e);
        const offset = v.getInt32(ctts.start + 12 + 8 * e);
        if (Math.abs(offset) >= 2 ** 28) unproven(`a composition offset of ${offset} (ffmpeg ignores such a ctts)`);
        if (i + count > n) unproven(`ctts counts more samples than stsz (${n})`);
        for (let k = 0; k < count; k++, i++) pts[i] = dts[i] + offset;
      }
      if (i !== n) unproven(`ctts counts ${i} samples, stsz ${n}`);
    } else for (; i < n; i++) pts[i] = dts[i];
  }

  // Key frames: stss (none: every sample), plus stps; a 'rap ' sample group also marks key frames: not read here.
  const key = new Uint8Array(n).fill(box("stss") ? 0 : 1);
  for (const type of ["stss", "stps"]) {
    const b = box(type);
    if (!b) continue;
    for (let e = 0, ne = entries(b, 4); e < ne; e++) {
      const s = u32(b.start + 8 + 4 * e);
      if (s >= 1 && s <= n) key[s - 1] = 1;
    }
  }
  if (table.some((b) => b.type === "sbgp" && String.fromCharCode(...bytes.subarray(b.start + 4, b.start + 8)) === "rap "))
    unproven("a 'rap ' sample group (key frames the tables do not list)");
  if (!key[0]) unproven("the first sample is not a key frame");

  // Every sample inside the file: chunk offsets (stco/co64) and samples per chunk (stsc).
  const stco = box("stco") ?? box("co64") ?? unproven("no stco/co64 box");
  const wide = stco.type === "co64";
  const chunks = entries(stco, wide ? 8 : 4);
  const chunkAt = (c: number) => (wide ? Number(v.getBigUint64(stco.start + 8 + 8 * c)) : u32(stco.start + 8 + 4 * c));
  const stsc = need("stsc");
  const runs = entries(stsc, 12);
  let placed = 0;
  let end = 0;
  for (let r = 0; r < runs; r++) {
    const first = u32(stsc.start + 8 + 12 * r) - 1;
    const perChunk = u32(stsc.start + 12 + 12 * r);
    if (u32(stsc.start + 16 + 12 * r) !== 1) unproven("a chunk refers to another sample description");
    const last = r + 1 < runs ? u32(stsc.start + 8 + 12 * (r + 1)) - 1 : chunks;
    if (first < 0 || last < first || last > chunks) unproven("the stsc chunk runs are out of order");
    for (let c = first; c < last; c++) {
      let at = chunkAt(c);
      for (let k = 0; k < perChunk; k++) {
        if (placed >= n) unproven(`the chunk tables place more samples than stsz counts (${n})`);
        at += sizeOf(placed++);
      }
      if (perChunk > 0) end = Math.max(end, at);
    }
  }
  if (placed !== n) unproven(`the chunk tables place ${placed} of ${n} samples`);
  if (end > fileSize) unproven(`samples lie past the end of the file (byte ${end} of ${fileSize}: truncated)`);

  // The edit list: empty edits (a start offset), then one edit at rate 1, or none. Shown: lo ≤ pts < hi.
  const edts = child(v, trak, "edts");
  const elst = edts && child(v, edts, "elst");
  const edits = elst ? readEdits(v, elst) : [];
  if (edits.length > 0 && edits.every((e) => e.mediaTime === -1)) unproven("an edit list of empty edits only (ffmpeg outputs no frame of it)");
  const media = edits.slice(
    Math.max(
      0,
      edits.findIndex((e) => e.mediaTime !== -1),
    ),
  );
  if (media.length > 1) unproven(`${media.length} edits after the empty ones (the edit list repeats or skips media)`);
  let lo = -Infinity;
  let hi = Infinity;
  if (media.length === 1) {
    const e = media[0];
    if (e.rate !== 0x10000) unproven(`an edit at rate ${e.rate / 0x10000}`);
    if (!movieScale) unproven("the movie timescale is 0");
    if (!e.duration) unproven("an edit of duration 0");
    lo = e.mediaTime;
    hi = e.mediaTime + Math.round((e.duration * mediaScale) / movieScale); // av_rescale rounds to nearest
  }
  // ffmpeg starts at the last key frame shown at or before the edit's start: it must be the first sample.
  for (let k = 1; k < n; k++) if (key[k] && pts[k] <= lo) unproven(`the edit starts at or after key frame ${k} (decoding starts there)`);
  // It stops indexing at the first key frame whose end reaches the edit's end (versions differ on what follows it).
  for (let i = 0; i < n - 1; i++) if (key[i] && pts[i] + (dts[i + 1] - dts[i]) >= hi) unproven(`key frame ${i} reaches the edit's end before the last sample`);
  let frames = 0;
  let first = Infinity;
  let last = -Infinity;
  let lastEnd = 0;
  for (let i = 0; i < n; i++) {
    if (pts[i] < lo || pts[i] >= hi) continue; // discarded after decoding
    // Shown before the first decoded frame: an open GOP's leading pictures, which decoders may drop.
    if (i > 0 && pts[i] <= pts[0]) unproven(`sample ${i} is shown before (or with) the first decoded one (open-GOP leading pictures)`);
    frames++;
    first = Math.min(first, pts[i]);
    if (pts[i] > last) [last, lastEnd] = [pts[i], pts[i] + (dts[i + 1] - dts[i])];
  }
  if (frames === 0) unproven("the edit shows no sample");
  // Untrimmed: the track's media duration; trimmed: first shown frame to the end of the last (as ffmpeg reports it).
  const durationTicks = frames === n ? dts[n] : lastEnd - first;
  return { frames, durationS: durationTicks / mediaScale };
}

interface Edit {
  duration: number;
  mediaTime: number;
  /** 16.16 fixed point. */
  rate: number;
}

function readEdits(v: DataView, elst: Box): Edit[] {
  const version = v.getUint8(elst.start);
  const n = v.getUint32(elst.start + 4);
  const size = version === 1 ? 20 : 12;
  if (elst.start + 8 + n * size > elst.end) unproven(`the elst box holds fewer entries than its count (${n})`);
  return Array.from({ length: n }, (_, i) => {
    const at = elst.start + 8 + i * size;
    return version === 1
      ? { duration: Number(v.getBigUint64(at)), mediaTime: Number(v.getBigInt64(at + 8)), rate: v.getInt32(at + 16) }
      : { duration: v.getUint32(at), mediaTime: v.getInt32(at + 4), rate: v.getInt32(at + 8) };
  });
}
