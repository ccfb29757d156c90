// Frame count, frame rate and duration of an mp4/mov's first video track from its sample table (mdhd timescale,
// stts): what the browser build samples frames by, where Node asks ffprobe. Pure: it reads bytes the caller holds.
import { timeToSample, videoTrack } from "./mp4-boxes.ts";

export interface Mp4VideoInfo {
  frameCount: number;
  /** The track's nominal rate (timescale / most common sample duration), or the average when they differ by > 2 %. */
  fps: number;
  durationS: number;
  width: number;
  height: number;
}

export function mp4VideoInfo(bytes: Uint8Array, name = "video"): Mp4VideoInfo {
  const t = videoTrack(bytes, name);
  let frames = 0;
  let ticks = 0;
  let modeDelta = 0;
  let modeCount = 0;
  for (const [count, delta] of timeToSample(t, name)) {
    frames += count;
    ticks += count * delta;
    if (count > modeCount) [modeCount, modeDelta] = [count, delta];
  }
  if (frames < 1 || ticks <= 0) throw new Error(`${name}: the video track has no frames`);
  const durationS = ticks / t.timescale;
  const nominal = t.timescale / modeDelta;
  const avg = frames / durationS;
  const wAt = t.tkhd.end - 8; // width and height, 16.16 fixed point, end the tkhd box
  return {
    frameCount: frames,
    fps: Math.abs(avg - nominal) > 0.02 * nominal ? avg : nominal,
    durationS,
    width: t.view.getUint32(wAt) >>> 16,
    height: t.view.getUint32(wAt + 4) >>> 16,
  };
}
