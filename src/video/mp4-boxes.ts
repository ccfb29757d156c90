// ISO-BMFF (mp4/mov) box walking over bytes held in memory, and the first video track's sample table boxes.
export interface Box {
  type: string;
  /** Payload start and end (absolute byte offsets). */
  start: number;
  end: number;
}

export function boxes(v: DataView, from: number, to: number): Box[] {
  const out: Box[] = [];
  let at = from;
  while (at + 8 <= to) {
    let size = v.getUint32(at);
    const type = String.fromCharCode(v.getUint8(at + 4), v.getUint8(at + 5), v.getUint8(at + 6), v.getUint8(at + 7));
    let header = 8;
    if (size === 1) {
      size = Number(v.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) size = to - at;
    if (size < header || at + size > to) break; // truncated: stop where the data ends
    out.push({ type, start: at + header, end: at + size });
    at += size;
  }
  return out;
}

export const child = (v: DataView, b: Box, type: string): Box | undefined => boxes(v, b.start, b.end).find((c) => c.type === type);

/** The timescale of an mvhd or mdhd full box (its version 1 has 64-bit times before it). */
export const timescaleOf = (v: DataView, b: Box): number => (v.getUint8(b.start) === 1 ? v.getUint32(b.start + 20) : v.getUint32(b.start + 12));

/** Whether a trak's mdia box has the video handler ("vide"). */
export function isVideoMedia(v: DataView, mdia: Box | undefined): mdia is Box {
  const hdlr = mdia && child(v, mdia, "hdlr");
  return hdlr !== undefined && v.getUint32(hdlr.start + 8) === 0x76696465; // "vide"
}

export interface VideoTrackBoxes {
  view: DataView;
  tkhd: Box;
  mdhd: Box;
  stbl: Box;
  timescale: number;
}

/** The first track whose handler is "vide", with its timescale and sample table. */
export function videoTrack(bytes: Uint8Array, name: string): VideoTrackBoxes {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const moov = boxes(view, 0, bytes.byteLength).find((b) => b.type === "moov");
  if (!moov) throw new Error(`${name}: not an mp4/mov file (no moov box); the browser build reads mp4 and mov videos`);
  for (const trak of boxes(view, moov.start, moov.end).filter((b) => b.type === "trak")) {
    const mdia = child(view, trak, "mdia");
    if (!isVideoMedia(view, mdia)) continue;
    const mdhd = child(view, mdia, "mdhd");
    const tkhd = child(view, trak, "tkhd");
    const minf = child(view, mdia, "minf");
    const stbl = minf && child(view, minf, "stbl");
    if (!mdhd || !tkhd || !stbl) throw new Error(`${name}: the video track has no sample table`);
    const timescale = timescaleOf(view, mdhd);
    if (!timescale) throw new Error(`${name}: the video track's timescale is 0`);
    return { view, tkhd, mdhd, stbl, timescale };
  }
  throw new Error(`${name}: the file has no video track`);
}

/** stts as (count, delta) runs. */
export function timeToSample(t: VideoTrackBoxes, name: string): [number, number][] {
  const stts = child(t.view, t.stbl, "stts");
  if (!stts) throw new Error(`${name}: the video track has no stts box`);
  const n = t.view.getUint32(stts.start + 4);
  return Array.from({ length: n }, (_, i) => [t.view.getUint32(stts.start + 8 + 8 * i), t.view.getUint32(stts.start + 12 + 8 * i)]);
}
