// Frame count and duration of a video stream by decoding it (no conversion, no output): the truth for files
// whose packets are not their frames. An mp4/mov edit list (a `-ss … -c copy` cut, B-frame delay on a VFR
// file) hides decoded frames that a packet count includes, and the container duration of such a cut counts
// the hidden pre-roll too. Decoders skip the loop filter here: faster, and the frame count does not change.
import { ffmpegErrorSummary, passthroughArgs, runFfmpeg } from "./ffmpeg-run.ts";
import { localInputArgs } from "./local-input.ts";

export interface DecodedCount {
  frames: number;
  /** End time of the last frame (its timestamp plus its duration), from ffmpeg's final report, 1/100 s. */
  endS: number | null;
}

export async function countDecodedFrames(input: string, streamSpec: string): Promise<DecodedCount> {
  const args = ["-hide_banner", "-nostdin", "-nostats", "-skip_loop_filter", "all", ...localInputArgs(input), "-map", streamSpec];
  const { code, stderr } = await runFfmpeg([...args, ...(await passthroughArgs()), "-an", "-sn", "-dn", "-f", "null", "-"]);
  const reports = [...stderr.matchAll(/frame=\s*(\d+).*?time=\s*(-?\d+):(\d\d):(\d\d(?:\.\d+)?)/g)];
  if (code !== 0 || reports.length === 0) {
    throw new Error(`${input}: cannot decode the video stream to the end (ffmpeg: ${ffmpegErrorSummary(stderr, input)})`);
  }
  const last = reports[reports.length - 1];
  const endS = Number(last[2]) * 3600 + Number(last[3]) * 60 + Number(last[4]);
  return { frames: Number(last[1]), endS: endS > 0 ? endS : null };
}
