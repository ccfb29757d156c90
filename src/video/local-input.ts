// ffmpeg reads only the named local file: the input is a `file:` URL of the absolute path (so "a:b.mp4" is not
// taken for protocol "a", and a name cannot be a URL), only the file protocol is allowed (a playlist cannot pull
// in URLs), and playlists, manifests and concat scripts are refused before ffmpeg opens them (they would make
// ffmpeg decode other files than the one named).
import { closeSync, openSync, readSync } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";

export function localInputUrl(path: string): string {
  return `file:${resolve(path)}`;
}

/** The `-i` arguments (with the input options that confine it) for a local file. */
export function localInputArgs(path: string): string[] {
  return ["-protocol_whitelist", "file", "-i", localInputUrl(path)];
}

// Text formats that name other inputs, by their first bytes.
const REFERENCING = [
  { re: /^#EXTM3U/, what: "an M3U/HLS playlist" },
  { re: /^ffconcat\b/, what: "an ffmpeg concat script" },
  { re: /^(<\?xml[^>]*>\s*)?<MPD\b/, what: "a DASH manifest" },
  { re: /^(v=0|\[playlist\]|<\?xml|<smil|<asx|#EXT)/i, what: "a playlist or session description" },
];

/** ffmpeg demuxers that read other files or URLs than their input. */
const REFERENCING_DEMUXERS = new Set(["hls", "applehttp", "concat", "dash", "sdp", "rtsp", "rtp", "mpjpeg", "tee", "ffmetadata"]);

/** Throws one line if the file is a playlist, manifest or other text that points ffmpeg at other inputs. */
export function refuseReferencingFile(path: string): void {
  const fd = openSync(path, "r");
  const head = Buffer.alloc(512);
  let n = 0;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const text = head
    .subarray(0, n)
    .toString("latin1")
    .replace(/^\ufeff|^\xef\xbb\xbf/, "")
    .trimStart();
  const hit = REFERENCING.find((r) => r.re.test(text));
  if (hit) throw new Error(`${path}: is ${hit.what}, not a video file; only a local video file is read`);
}

/** Throws one line if ffmpeg opened the file with a demuxer that reads other inputs. */
export function refuseReferencingDemuxer(path: string, demuxer: string): void {
  const names = demuxer.split(",");
  if (names.some((d) => REFERENCING_DEMUXERS.has(d)))
    throw new Error(`${path}: is a ${demuxer} playlist or stream description, not a video file; only a local video file is read`);
}

/** One-line errors for a path that is not a non-empty regular file (`what`: "video", "image"). */
export async function checkInputFile(path: string, what: string): Promise<void> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new Error(`${path}: no such file`);
  }
  if (st.isDirectory()) throw new Error(`${path}: is a directory, not ${what === "image" ? "an image" : `a ${what}`} file`);
  if (!st.isFile()) throw new Error(`${path}: not a regular file`);
  if (st.size === 0) throw new Error(`${path}: file is empty`);
}
