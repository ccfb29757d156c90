// Frame count, frame rate and duration of an mp4/mov's first video track from its sample tables (moov → trak →
// mdia: mdhd timescale, hdlr "vide", stbl stts/stsz): what the browser build samples frames by, where Node asks
// ffprobe. Pure: it reads bytes the caller already holds.

export interface Mp4VideoInfo {
  frameCount: number;
  /** The track's nominal rate (timescale / most common sample duration), or the average when they differ by > 2 %. */
  fps: number;
  durationS: number;
  width: number;
  height: number;
}

interface Box {
  type: string;
  start: number; // payload start
  end: number;
}

function boxes(v: DataView, from: number, to: number): Box[] {
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

const child = (v: DataView, b: Box, type: string): Box | undefined => boxes(v, b.start, b.end).find((c) => c.type === type);

export function mp4VideoInfo(bytes: Uint8Array, name = "video"): Mp4VideoInfo {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const moov = boxes(v, 0, bytes.byteLength).find((b) => b.type === "moov");
  if (!moov) throw new Error(`${name}: not an mp4/mov file (no moov box); the browser build reads mp4 and mov videos`);
  for (const trak of boxes(v, moov.start, moov.end).filter((b) => b.type === "trak")) {
    const mdia = child(v, trak, "mdia");
    const hdlr = mdia && child(v, mdia, "hdlr");
    if (!mdia || !hdlr || v.getUint32(hdlr.start + 8) !== 0x76696465 /* "vide" */) continue;
    const mdhd = child(v, mdia, "mdhd")!;
    const timescale = v.getUint8(mdhd.start) === 1 ? v.getUint32(mdhd.start + 20) : v.getUint32(mdhd.start + 12);
    const minf = child(v, mdia, "minf");
    const stbl = minf && child(v, minf, "stbl");
    const stts = stbl && child(v, stbl, "stts");
    if (!stts || !timescale) throw new Error(`${name}: the video track has no sample table`);
    let frames = 0;
    let ticks = 0;
    let modeDelta = 0;
    let modeCount = 0;
    const entries = v.getUint32(stts.start + 4);
    for (let i = 0; i < entries; i++) {
      const count = v.getUint32(stts.start + 8 + 8 * i);
      const delta = v.getUint32(stts.start + 12 + 8 * i);
      frames += count;
      ticks += count * delta;
      if (count > modeCount) [modeCount, modeDelta] = [count, delta];
    }
    if (frames < 1 || ticks <= 0) throw new Error(`${name}: the video track has no frames`);
    const durationS = ticks / timescale;
    const nominal = timescale / modeDelta;
    const avg = frames / durationS;
    const tkhd = child(v, trak, "tkhd")!;
    const wAt = tkhd.end - 8; // width and height, 16.16 fixed point, end the tkhd box
    return {
      frameCount: frames,
      fps: Math.abs(avg - nominal) > 0.02 * nominal ? avg : nominal,
      durationS,
      width: v.getUint32(wAt) >>> 16,
      height: v.getUint32(wAt + 4) >>> 16,
    };
  }
  throw new Error(`${name}: the file has no video track`);
}
