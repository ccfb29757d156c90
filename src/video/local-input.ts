// ffmpeg reads only the named local file: the input is a `file:` URL of the absolute path (so "a:b.mp4" is not
// taken for protocol "a", and a name cannot be a URL), only the file protocol is allowed (a playlist cannot pull
// in URLs), and playlists, manifests and concat scripts are refused before ffmpeg opens them (they would make
// ffmpeg decode other files than the one named). A path with pattern characters (% * ? [ ] { }) would make the
// image demuxer read a sequence (`p%d.png` reads p1.png); such a file is opened through a plainly named symlink
// in this run's temp folder. (`-pattern_type none` would do it for images, but other demuxers reject the option.)
import { closeSync, existsSync, readSync, symlinkSync } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { openRegularFile } from "../util/regular-file.ts";
import { runTempDir } from "../util/run-temp.ts";

const PATTERN = /[%*?[\]{}]/;
let linkDir: string | undefined;
const links = new Map<string, string>();

/** The path ffmpeg is given for `abs`: itself, or a symlink to it whose name no demuxer reads as a pattern. */
function plainPath(abs: string): string {
  if (!PATTERN.test(abs)) return abs;
  let link = links.get(abs);
  if (link && existsSync(link)) return link;
  linkDir ??= runTempDir("links");
  const ext = extname(abs)
    .replace(/[^.A-Za-z0-9]/g, "")
    .slice(0, 9);
  link = join(linkDir, `input-${links.size}${ext}`);
  symlinkSync(abs, link);
  links.set(abs, link);
  return link;
}

export function localInputUrl(path: string): string {
  return `file:${plainPath(resolve(path))}`;
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
  const fd = openRegularFile(path);
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
