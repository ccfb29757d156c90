// What `--live SOURCE` may name, and the ffmpeg input arguments that confine each kind to itself. A file given
// as a video stays a local file only (local-input.ts); a live source is admitted only when named with --live, and
// ffmpeg is then allowed the one protocol it names (plus the transport it rides on), never a second one.
import { resolve } from "node:path";

export type LiveKind = "file" | "pipe" | "udp" | "srt" | "rtmp" | "rtsp" | "hls" | "v4l2";

export interface LiveSource {
  /** As the user wrote it (the memory's cache key is made from `canonical`). */
  spec: string;
  kind: LiveKind;
  /** The absolute path or the URL: what identifies the stream across runs. */
  canonical: string;
  /** ffmpeg's input options and `-i`, confined to this source's protocol. */
  inputArgs: string[];
  /** A network source that may drop and come back: read again after it ends, the gap marked. */
  reconnects: boolean;
  /** Seconds without new data that end a read: a file that stopped growing, a network source gone silent (then
   * read again if it `reconnects`). */
  idleTimeoutS: number;
}

const PIPE_INPUT = ["-protocol_whitelist", "pipe", "-i", "pipe:0"];

/** The protocols each URL scheme needs (the scheme's own and its transport). */
const URL_KINDS: Record<string, { kind: LiveKind; whitelist: string }> = {
  udp: { kind: "udp", whitelist: "udp" },
  srt: { kind: "srt", whitelist: "srt" },
  rtmp: { kind: "rtmp", whitelist: "rtmp,tcp" },
  rtsp: { kind: "rtsp", whitelist: "rtsp,rtp,udp,tcp" },
  http: { kind: "hls", whitelist: "http,tcp,hls" },
  https: { kind: "hls", whitelist: "https,http,tls,tcp,hls" },
};

export const LIVE_FORMS =
  "a file still being written (.ts, .mkv or fragmented .mp4), - (a pipe on stdin), udp://, srt://, rtmp://, rtsp://, http(s)://….m3u8 (HLS) or /dev/videoN";

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;

/** A URL (scheme://…) as opposed to a path: what `ask`, `encode` and the server refuse as a file. */
export function isStreamUrl(s: string): boolean {
  return SCHEME.test(s);
}

export interface LiveInputOptions {
  /** Seconds without new data before a read gives up (a file that stopped growing, a silent network source). */
  idleTimeoutS?: number;
}

/** Parses `--live SOURCE`; throws one line naming what is accepted for anything else. */
export function parseLiveSource(spec: string, opts: LiveInputOptions = {}): LiveSource {
  const s = spec.trim();
  if (!s) throw new Error(`--live needs a source: ${LIVE_FORMS}`);
  const idleTimeoutS = opts.idleTimeoutS ?? 10;
  if (!(idleTimeoutS > 0)) throw new Error(`the idle timeout must be a positive number of seconds, got ${idleTimeoutS}`);
  if (s === "-" || s === "pipe:" || s === "pipe:0") return { spec, kind: "pipe", canonical: "pipe:0", inputArgs: PIPE_INPUT, reconnects: false, idleTimeoutS };
  const m = SCHEME.exec(s);
  if (m) {
    const scheme = m[1].toLowerCase();
    const k = URL_KINDS[scheme];
    if (!k) throw new Error(`--live ${s}: ${scheme}:// is not a live source; use ${LIVE_FORMS}`);
    let path: string;
    try {
      path = new URL(s).pathname;
    } catch {
      throw new Error(`--live ${s}: not a valid URL`);
    }
    if (k.kind === "hls" && !/\.m3u8?$/i.test(path)) throw new Error(`--live ${s}: an http(s) source must be an HLS playlist (…/name.m3u8)`);
    // HLS: start at the oldest segment the playlist lists (ffmpeg starts 3 segments from the live edge by default).
    const hls = k.kind === "hls" ? ["-live_start_index", "0"] : [];
    return { spec, kind: k.kind, canonical: s, inputArgs: ["-protocol_whitelist", k.whitelist, ...hls, "-i", s], reconnects: k.kind !== "hls", idleTimeoutS };
  }
  if (/^\/dev\/video\d+$/.test(s)) return { spec, kind: "v4l2", canonical: s, inputArgs: ["-f", "v4l2", "-i", s], reconnects: false, idleTimeoutS };
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) && !/^[A-Za-z]:[\\/]/.test(s))
    throw new Error(`--live ${s}: ${s.split(":")[0]}: is not a live source; use ${LIVE_FORMS}`);
  // A local file that may still grow: read by this process (file-follow.ts) and piped to ffmpeg, so ffmpeg neither
  // seeks to its end for a duration (which waits for the writer to finish) nor reads any other file.
  const abs = resolve(s);
  return { spec, kind: "file", canonical: abs, inputArgs: PIPE_INPUT, reconnects: false, idleTimeoutS };
}

/** The one-line refusal for a stream URL given where a file is expected. */
export function liveUrlRefusal(s: string): string {
  return `${s}: is a stream, not a file; name it with --live (hourllava ask --live ${s} "…")`;
}
