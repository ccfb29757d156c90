// Live streams started over the API (POST /v1/streams): each is a LiveMemory (app/live.ts) that grows in the
// background while its source arrives; a chat completion naming its id answers over the memory as it is then.
// Nothing is read unless the operator allowed its kind (`serve --live-sources udp,hls,…`; default none): a client
// must not make the server read local files or reach hosts it was not told to. A `file` source must also lie
// under --video-root (symlinks resolved, as for file:// videos); a pipe (`-`, the server's stdin) never.
import { randomBytes } from "node:crypto";
import { existsSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { HourLlavaApp } from "../app/app.ts";
import type { LiveMemory, LiveSeen, LiveStatus } from "../app/live.ts";
import { isStreamUrl, parseLiveSource, type LiveKind, type LiveSource } from "../video/live-source.ts";
import { ApiError, badRequest, notFound } from "./errors.ts";
import type { Redact } from "./redact.ts";

/** The kinds an operator may allow over the API (a pipe is the server's own stdin: never). */
export const API_LIVE_KINDS = ["udp", "srt", "rtmp", "rtsp", "hls", "file", "v4l2"] as const satisfies readonly LiveKind[];
export type ApiLiveKind = (typeof API_LIVE_KINDS)[number];

/** Parses `--live-sources udp,hls` (empty or "none": none); throws one line for anything else. */
export function parseLiveKinds(spec: string): ApiLiveKind[] {
  const kinds = spec
    .split(",")
    .map((k) => k.trim().toLowerCase())
    .filter((k) => k && k !== "none");
  for (const k of kinds) {
    if (k === "pipe" || k === "-") throw new Error("--live-sources: a pipe (-) is the server's own stdin and is never a source a client may start");
    if (!(API_LIVE_KINDS as readonly string[]).includes(k))
      throw new Error(`--live-sources: unknown kind "${k}"; use a comma list of ${API_LIVE_KINDS.join(",")}`);
  }
  return [...new Set(kinds as ApiLiveKind[])];
}

const opt = <T extends z.ZodType>(t: T) => t.nullable().optional();
const Body = z.object({
  source: z
    .string()
    .trim()
    .min(1, "a live source is needed (udp://…, srt://…, rtmp://…, rtsp://…, http(s)://….m3u8, a file under the video root, /dev/videoN)"),
  fps: opt(z.union([z.number().gt(0).max(30), z.literal("auto")])),
  window_s: opt(z.number().gt(0)),
  max_duration_s: opt(z.number().gt(0)),
  idle_timeout_s: opt(z.number().gt(0).max(600)),
});

const NOTICES = 20;

interface Stream {
  id: string;
  created: number;
  /** As the client wrote it. */
  given: string;
  source: LiveSource;
  live: LiveMemory;
  notices: string[];
  windowS: number;
}

const forbidden = (message: string, code: string) => new ApiError(403, "permission_error", message, "source", code);
const noRoot = () => forbidden("file sources need the server started with --video-root DIR (and file in --live-sources)", "outside_video_root");
const FINISHED = new Set(["ended", "failed", "stopped"]);
/** The longest stretch of stream a server's stream keeps by default (--stream-window): 2 h at 1 fps is 7,200 frames,
 * 7200 × 65 × H floats in memory (240 MB for the embedded model, 3.8 GB for the 3B). */
export const DEFAULT_STREAM_WINDOW_S = 7200;

export class LiveStreams {
  private readonly held = new Map<string, Stream>();
  /** Sources being started (between the checks and the stream being held), so two requests cannot both pass them. */
  private readonly starting = new Set<string>();
  private readonly root?: string;
  private readonly allowed: Set<ApiLiveKind>;
  private readonly maxStreams: number;
  private readonly maxWindowS: number;
  private readonly redact: Redact;

  constructor(
    private readonly app: HourLlavaApp,
    o: { allowed?: readonly ApiLiveKind[]; videoRoot?: string; maxStreams?: number; maxWindowS?: number; redact?: Redact },
  ) {
    this.allowed = new Set(o.allowed ?? []);
    this.root = o.videoRoot ? realpathSync(o.videoRoot) : undefined;
    this.maxStreams = o.maxStreams ?? 4;
    this.maxWindowS = o.maxWindowS ?? DEFAULT_STREAM_WINDOW_S;
    this.redact = o.redact ?? ((m) => m);
  }

  /** What the page needs to know: which kinds it may offer. */
  get kinds(): ApiLiveKind[] {
    return [...this.allowed];
  }

  /** POST /v1/streams: checks the body and the source, then starts reading it. */
  async create(body: unknown): Promise<object> {
    const r = Body.safeParse(body);
    if (!r.success) {
      const issue = r.error.issues[0];
      const param = issue.path.map(String).join(".");
      throw badRequest(`${param || "body"}: ${issue.message}`, param || null, "invalid_value");
    }
    const b = r.data;
    // A stream that never ends must not grow the server's memory without bound: every stream keeps a window.
    if (b.window_s != null && b.window_s > this.maxWindowS)
      throw badRequest(`window_s: ${b.window_s} s is over this server's --stream-window of ${this.maxWindowS} s`, "window_s", "invalid_value");
    const source = this.admit(b.source, b.idle_timeout_s ?? undefined);
    if (this.starting.has(source.canonical))
      throw new ApiError(409, "invalid_request_error", `${b.source} is being started by another request`, "source", "stream_exists");
    for (const s of this.held.values())
      if (s.source.canonical === source.canonical && !FINISHED.has(s.live.status().state))
        throw new ApiError(
          409,
          "invalid_request_error",
          `${b.source} is being recorded already as ${s.id}; ask about that one, or DELETE it first`,
          "source",
          "stream_exists",
        );
    if (this.held.size + this.starting.size >= this.maxStreams)
      throw new ApiError(
        429,
        "rate_limit_error",
        `this server holds ${this.held.size} streams, its most (--max-streams ${this.maxStreams}); DELETE /v1/streams/{id} one first`,
        null,
        "too_many_streams",
      );
    const notices: string[] = [];
    this.starting.add(source.canonical);
    try {
      const windowS = b.window_s ?? this.maxWindowS;
      const live = await this.app.rememberLive(source, {
        videoFps: b.fps ?? 1,
        windowS,
        maxDurationS: b.max_duration_s ?? undefined,
        onNotice: (m) => {
          notices.push(m);
          if (notices.length > NOTICES) notices.shift();
        },
      });
      const first = live.status();
      if (first.state === "failed")
        // Before reading anything (the memory's store is held by another recording, the vision tower fails): not kept.
        throw new ApiError(422, "invalid_request_error", `the stream cannot start: ${this.redact(first.error ?? "unknown error")}`, "source", "stream_failed");
      const id = `stream-${randomBytes(12).toString("hex")}`;
      const s: Stream = { id, created: Math.floor(Date.now() / 1000), given: b.source, source, live, notices, windowS };
      this.held.set(s.id, s);
      return this.describe(s);
    } finally {
      this.starting.delete(source.canonical);
    }
  }

  list(): object[] {
    return [...this.held.values()].map((s) => this.describe(s));
  }

  get(id: string, param: string | null = "id"): Stream {
    const s = this.held.get(id);
    if (!s) throw notFound(`no stream with id "${id}" (GET /v1/streams lists them)`, "stream_not_found", param);
    return s;
  }

  status(id: string): object {
    return this.describe(this.get(id));
  }

  /** DELETE: stops reading and forgets the stream (what was recorded stays in the memory cache, resumable). */
  async remove(id: string): Promise<object> {
    const s = this.get(id);
    this.held.delete(id);
    await s.live.stop().catch(() => undefined);
    return { ...this.describe(s), deleted: true };
  }

  /** The memory a question asked now sees, with what it saw (a 409 before the first frame is encoded). */
  snapshot(id: string): ReturnType<LiveMemory["snapshot"]> {
    const s = this.get(id, "messages");
    if (s.live.frames === 0) {
      const st = s.live.status();
      if (st.state === "failed")
        throw new ApiError(
          422,
          "invalid_request_error",
          `the stream failed before its first frame: ${st.error ?? "no video came"}`,
          "messages",
          "unreadable_video",
        );
      throw new ApiError(
        409,
        "invalid_request_error",
        `${s.source.spec}: no frame has been recorded yet (${st.state}); ask again in a moment`,
        "messages",
        "stream_not_ready",
      );
    }
    return s.live.snapshot();
  }

  /** Every stream stops with the server. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.held.values()].map((s) => s.live.stop().catch(() => undefined)));
  }

  /** The source a client named, refused unless its kind is allowed here (and a file lies under the video root). */
  private admit(spec: string, idleTimeoutS?: number): LiveSource {
    let s = spec.trim();
    if (s === "-" || s === "pipe:" || s === "pipe:0")
      throw forbidden("a pipe (-) is the server's own stdin: it is never a source over the API", "live_source_not_allowed");
    if (/^file:/i.test(s)) {
      try {
        s = fileURLToPath(s);
      } catch {
        throw badRequest(`not a valid file:// URL: ${s.slice(0, 80)}`, "source", "invalid_source");
      }
    } else if (!isStreamUrl(s) && !isAbsolute(s) && !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) {
      // A relative path names a file under the video root (never the server's working folder).
      if (!this.allowed.has("file")) throw this.refuseKind("file");
      if (!this.root) throw noRoot();
      s = join(this.root, s);
    }
    let src: LiveSource;
    try {
      src = parseLiveSource(s, { idleTimeoutS });
    } catch (e) {
      throw badRequest(`source: ${(e as Error).message.replace(/^--live /, "")}`, "source", "invalid_source");
    }
    if (src.kind === "pipe") throw forbidden("a pipe (-) is the server's own stdin: it is never a source over the API", "live_source_not_allowed");
    if (!this.allowed.has(src.kind)) throw this.refuseKind(src.kind);
    if (src.kind === "file") return parseLiveSource(this.underRoot(src.canonical), { idleTimeoutS });
    return src;
  }

  private refuseKind(kind: LiveKind): ApiError {
    const allowed = this.allowed.size
      ? `it allows ${[...this.allowed].join(", ")}`
      : "it allows none (the operator enables them with hourllava serve --live-sources KINDS)";
    return forbidden(`live sources of kind ${kind} are not allowed on this server; ${allowed}`, "live_source_not_allowed");
  }

  /** A file source's real path, if it lies under the video root: the file itself when it exists, else its folder
   * (a file the writer has not created yet). */
  private underRoot(path: string): string {
    if (!this.root) throw noRoot();
    const root = this.root;
    const inside = (p: string) => p === root || p.startsWith(root + sep);
    const abs = resolve(path);
    if (!inside(abs)) throw forbidden(`${abs} is outside the server's --video-root`, "outside_video_root");
    let real: string;
    if (existsSync(abs)) real = realpathSync(abs);
    else {
      const dir = dirname(abs);
      if (!existsSync(dir)) throw notFound(`no folder ${dir} under --video-root`, "video_not_found", "source");
      real = join(realpathSync(dir), basename(abs));
    }
    if (!inside(real) || real === root) throw forbidden(`${abs} leads outside the server's --video-root`, "outside_video_root");
    return real;
  }

  private describe(s: Stream): object {
    const st: LiveStatus = s.live.status();
    return {
      id: s.id,
      object: "stream",
      created: s.created,
      source: s.given,
      kind: st.kind,
      state: st.state,
      frames: st.frames,
      recorded: st.recorded,
      seconds_covered: st.coveredS,
      seconds_recorded: st.recordedS,
      lag_s: st.lagS,
      behind_live_s: st.behindLiveS,
      evicted: st.evicted,
      window_s: s.windowS,
      resumed: st.resumed,
      gaps: st.gaps.map((g) => ({ after_frame: g.afterFrame, seconds: g.seconds, reason: g.reason })),
      video_fps: st.videoFps,
      encode_fps: st.encodeFps ?? null,
      stream: st.stream ? { codec: st.stream.codec, width: st.stream.width, height: st.stream.height, fps: st.stream.fps } : null,
      notices: s.notices.map(this.redact),
      ...(st.error ? { error: this.redact(st.error) } : {}),
    };
  }
}

/** What a chat completion over a stream reports about the memory it answered over. */
export function seenFields(id: string, live: LiveSeen, memoryFrames: number, state: string) {
  return {
    stream_id: id,
    seen_s: live.seenS,
    frames_seen: live.frames,
    memory_frames: memoryFrames,
    lag_s: live.lagS,
    behind_live_s: live.behindLiveS,
    evicted: live.evicted,
    gaps: live.gaps,
    state,
  };
}
