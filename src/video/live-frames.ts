// Frames of a live source as they arrive, picked by the prefix-stable rule (every round(fps / videoFps)-th decoded
// frame, sampling.ts's samplePrefix), as packed RGB at the native size, so each is preprocessed exactly as a file's
// frame is. Two ffmpeg processes: the first reads the source and copies its video packets out as NUT, telling the
// stream's frame rate on stderr before any packet; the second decodes them with a select filter built from that
// rate. (One process cannot: its filter is fixed before the rate is known, and a pipe cannot be probed twice.)
import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import type { Readable } from "node:stream";
import { ffmpegErrorSummary, passthroughArgs } from "./ffmpeg-run.ts";
import { collectStderr, exitOf, spawnFfmpeg } from "./ffmpeg-spawn.ts";
import { RGB24_OUTPUT, rawFrames } from "./raw-frames.ts";
import type { LiveSource } from "./live-source.ts";
import { prefixStep } from "./sampling.ts";
import { followFile } from "./file-follow.ts";

/** A readable byte stream such as a Node Readable, written structurally so the package's public types need no
 * @types/node (a consumer's project may have none). */
export interface ByteStream {
  pipe(destination: unknown): unknown;
  on(event: "data" | "error", listener: (arg: never) => void): unknown;
}

export interface LiveStreamInfo {
  codec: string;
  width: number;
  height: number;
  /** The stream's frame rate as ffmpeg reports it (fps, else tbr). */
  fps: number;
  /** Decoded frames per picked frame. */
  step: number;
}

export interface LiveFrame {
  /** Picked frames before this one in this read of the source (0, 1, 2, …). */
  n: number;
  /** Its decoded frame number in this read (n × step). */
  index: number;
  width: number;
  height: number;
  rgb: Uint8Array;
}

export interface LiveReadOptions {
  /** Picked frames per second of stream (1: the official rate). */
  videoFps: number;
  /** Told the stream's codec, size and rate once ffmpeg has read its header, before the first frame. */
  onInfo?: (info: LiveStreamInfo) => void;
  /** Ends both ffmpeg processes at once (the generator then returns). */
  signal?: AbortSignal;
  /** Longest wait for the stream to start (its header read), default the source's idle timeout. */
  startTimeoutS?: number;
  /** What a `pipe` source reads (default: this process's stdin). */
  stdin?: ByteStream;
}

/** How a read of the source ended: the source ended (or went silent past the idle timeout), or ffmpeg failed. */
export interface LiveReadEnd {
  reason: "ended" | "failed" | "stopped";
  message?: string;
}

const STDERR_LIMIT = 1 << 16;
// ffmpeg probes 5 s of a stream before its first packet by default; one second tells the rate of the formats a live
// source uses (MPEG-TS, FLV, NUT, Matroska) and keeps a question's answer from waiting on the probe.
const LOW_LATENCY_PROBE = ["-analyzeduration", "1000000", "-probesize", "1000000"];

/** The first video stream of ffmpeg's input report: codec, display size and rate (fps, else tbr). */
export function parseStreamInfo(stderr: string): Omit<LiveStreamInfo, "step"> | undefined {
  for (const line of stderr.split(/\r?\n/)) {
    const m = /Stream #\d+:\d+.*?: Video: ([A-Za-z0-9_]+)/.exec(line);
    if (!m) continue;
    const size = /, (\d{1,5})x(\d{1,5})\b/.exec(line);
    const rate = /, ([\d.]+)(k?) fps\b/.exec(line) ?? /, ([\d.]+)(k?) tbr\b/.exec(line);
    if (!size || !rate) continue;
    const fps = Number(rate[1]) * (rate[2] ? 1000 : 1);
    if (!(fps > 0)) continue;
    return { codec: m[1], width: Number(size[1]), height: Number(size[2]), fps };
  }
  return undefined;
}

/** Reads the source once, from now until it ends, fails or `signal` aborts; yields each picked frame. */
export async function* liveFrames(src: LiveSource, opts: LiveReadOptions): AsyncGenerator<LiveFrame, LiveReadEnd> {
  const piped = src.kind === "pipe" || src.kind === "file";
  // A source silent for the idle timeout has ended (or dropped): ffmpeg's own timeouts differ by protocol and
  // version, so the silence is timed here, on the bytes going in and the packets the first process passes on.
  let lastData = Date.now();
  const demux = spawnFfmpeg(
    [
      "-hide_banner",
      "-v",
      "info",
      "-nostats",
      ...(piped ? [] : ["-nostdin"]),
      ...LOW_LATENCY_PROBE,
      ...src.inputArgs,
      "-map",
      "0:v:0",
      "-c",
      "copy",
      "-flush_packets",
      "1",
      "-f",
      "nut",
      "pipe:1",
    ],
    [piped ? "pipe" : "ignore", "pipe", "pipe"],
  );
  const follow = new AbortController();
  const demuxErrors: string[] = [];
  let input: Readable | undefined;
  if (piped) {
    input =
      src.kind === "file"
        ? followFile(src.canonical, { idleTimeoutS: src.idleTimeoutS, signal: follow.signal })
        : ((opts.stdin as Readable | undefined) ?? process.stdin);
    input.on("error", (e) => demuxErrors.push(`${src.spec}: ${e.message}`));
    input.pipe(demux.stdin!);
    input.on("data", () => (lastData = Date.now())); // bytes in count as life while ffmpeg probes them
    demux.stdin!.on("error", () => undefined); // ffmpeg gone: its exit says why
  }
  const demuxErr = collectStderr(demux, STDERR_LIMIT);
  const demuxExit = exitOf(demux, src.spec);
  let decode: ChildProcess | undefined;
  const kill = () => {
    follow.abort();
    demux.kill("SIGKILL");
    decode?.kill("SIGKILL");
  };
  let idle = false;
  demux.stderr!.on("data", () => (lastData = Date.now())); // probing, until the packets flow
  let started = false; // the stream's header is read: from then on silence is measured by the idle timeout
  const idleTimer = setInterval(() => {
    const limitS = started ? src.idleTimeoutS : (opts.startTimeoutS ?? src.idleTimeoutS);
    if (Date.now() - lastData > limitS * 1000) {
      idle = true;
      demux.kill("SIGKILL");
    }
  }, 200);
  const aborted = () => opts.signal?.aborted === true;
  if (aborted()) kill();
  else opts.signal?.addEventListener("abort", kill, { once: true });
  try {
    // The rate comes before the first packet: wait for it (or for the end of a source that never gave one).
    const info = await new Promise<Omit<LiveStreamInfo, "step"> | undefined>((resolve) => {
      const check = () => {
        const i = parseStreamInfo(demuxErr.text());
        if (i) resolve(i);
      };
      demux.stderr!.on("data", check);
      demuxExit.then(
        () => resolve(parseStreamInfo(demuxErr.text())),
        () => resolve(undefined),
      );
    });
    if (aborted()) return { reason: "stopped" };
    started = true;
    lastData = Date.now();
    if (!info) {
      if (demuxErrors.length) return { reason: "failed", message: demuxErrors[0] };
      if (idle && src.kind === "file" && !existsSync(src.canonical))
        return { reason: "failed", message: `${src.spec}: no such file (waited ${src.idleTimeoutS} s for it to appear)` };
      if (idle) return { reason: "ended", message: `${src.spec}: nothing came for ${opts.startTimeoutS ?? src.idleTimeoutS} s` };
      const code = await demuxExit.catch((e: Error) => e.message);
      return {
        reason: "failed",
        message: `${src.spec}: no video stream came (ffmpeg ${typeof code === "string" ? code : `exit ${code}`}: ${ffmpegErrorSummary(demuxErr.text(), src.canonical)})`,
      };
    }
    const step = prefixStep(info.fps, opts.videoFps);
    opts.onInfo?.({ ...info, step });
    decode = spawnFfmpeg(
      [
        "-hide_banner",
        "-v",
        "error",
        "-noautorotate",
        "-probesize",
        "32",
        "-analyzeduration",
        "0",
        "-f",
        "nut",
        "-i",
        "pipe:0",
        "-vf",
        `select=not(mod(n\\,${step}))`,
        ...(await passthroughArgs()),
        ...RGB24_OUTPUT,
        "-flush_packets",
        "1",
        "pipe:1",
      ],
      ["pipe", "pipe", "pipe"],
    );
    demux.stdout!.pipe(decode.stdin!);
    demux.stdout!.on("data", () => (lastData = Date.now())); // after pipe(): a listener before it would take the header
    decode.stdin!.on("error", () => undefined);
    const decodeErr = collectStderr(decode, STDERR_LIMIT);
    const decodeExit = exitOf(decode, src.spec);
    let n = 0;
    for await (const rgb of rawFrames(decode.stdout! as AsyncIterable<Buffer>, info.width * info.height * 3)) {
      yield { n, index: n * step, width: info.width, height: info.height, rgb };
      n++;
    }
    const [dCode, dxCode] = await Promise.all([demuxExit.catch(() => -1), decodeExit.catch(() => -1)]);
    if (aborted()) return { reason: "stopped" };
    if (dxCode !== 0 && !idle)
      return { reason: "failed", message: `${src.spec}: decoding failed (ffmpeg: ${ffmpegErrorSummary(decodeErr.text(), src.canonical)})` };
    // Silence past the idle timeout is the end of this read (a network source is then read again).
    return dCode === 0 || idle ? { reason: "ended" } : { reason: "failed", message: `${src.spec}: ${ffmpegErrorSummary(demuxErr.text(), src.canonical)}` };
  } finally {
    clearInterval(idleTimer);
    follow.abort();
    // The followed file is ours to close; a caller's stdin is only let go of.
    if (src.kind === "file") input?.destroy();
    else input?.unpipe(demux.stdin!);
    opts.signal?.removeEventListener("abort", kill);
    if (demux.exitCode === null && demux.signalCode === null) demux.kill("SIGKILL");
    if (decode && decode.exitCode === null && decode.signalCode === null) decode.kill("SIGKILL");
    await demuxExit.catch(() => undefined);
  }
}
