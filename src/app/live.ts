// A memory that grows while its video arrives (`--live SOURCE`): frames are picked by the prefix-stable rule as the
// source delivers them, encoded in the background a few at a time and appended to the memory repository (and to
// its cache entry, which a later run on the same source resumes). A question takes the memory as it is: snapshot(n)
// is exactly the memory of the video cut after its n-th picked frame, so its answer equals `ask --sampling prefix`
// on that cut file (below 128 frames the model repeats the short memory to 128 by linspace, as for any short video).
import type { HourLlava } from "../model/arch/hourllava.ts";
import { TOKENS_PER_FRAME } from "../model/arch/projector.ts";
import { assertFinite } from "../model/generate/assert-finite.ts";
import { LiveStore, type TimelineLine } from "../cache/live-store.ts";
import type { CacheDtype } from "../cache/cache.ts";
import { liveFrames, type ByteStream, type LiveFrame, type LiveReadEnd, type LiveStreamInfo } from "../video/live-frames.ts";
import type { LiveSource } from "../video/live-source.ts";
import { preprocessFrame } from "../video/preprocess.ts";
import type { VideoMemory } from "./core.ts";

export interface LiveOptions {
  /** Picked frames per second of stream (default 1, the official rate); "auto": at most what this machine encodes. */
  videoFps?: number | "auto";
  /** Keep only the newest this-many seconds of stream (oldest frames evicted); default: keep everything. */
  windowS?: number;
  /** Stop once this many seconds of stream are recorded. */
  maxDurationS?: number;
  /** A network source silent this long is given up (default 120 s); it is read again until then. */
  giveUpS?: number;
  /** Most frames per vision-tower run (default 8): a backlog is encoded in batches, a live edge one at a time. */
  batch?: number;
  /** Where the memory is kept between runs; none: in this process only. */
  store?: { dir: string; modelId: string; dtype: CacheDtype };
  /** What a `-` source reads (default: stdin). */
  stdin?: ByteStream;
  /** Told what a user should know while it runs: falling behind, a drop and reconnection, an eviction, a resume. */
  onNotice?: (message: string) => void;
  /** Told after every encoded batch. */
  onFrames?: (status: LiveStatus) => void;
}

export interface LiveGap {
  /** Frames recorded before the gap. */
  afterFrame: number;
  fromMs: number;
  toMs: number;
  seconds: number;
  reason: string;
}

export type LiveState = "starting" | "live" | "reconnecting" | "ended" | "failed" | "stopped";

export interface LiveStatus {
  source: string;
  kind: string;
  state: LiveState;
  /** Frames in the memory now (a window keeps the newest). */
  frames: number;
  /** Frames recorded since the memory began (evicted and resumed ones included). */
  recorded: number;
  evicted: number;
  /** Frames found stored when this run started. */
  resumed: number;
  /** Seconds of stream the memory's frames cover (gaps not counted). */
  coveredS: number;
  /** Seconds of stream recorded since the memory began. */
  recordedS: number;
  /** Seconds of stream between the newest frame read from the source and the newest one encoded. */
  lagS: number;
  /** How old the memory's newest frame is against the live edge of a real-time source: wall-clock seconds since this
   * read's first frame arrived minus the stream time of the newest encoded one (what waits in ffmpeg's and the
   * network's buffers counts; ffmpeg's probe before the first frame, about a second, does not). */
  behindLiveS: number;
  videoFps: number;
  /** Frames per second the vision tower encodes here (measured at start), against `videoFps` needed. */
  encodeFps?: number;
  gaps: LiveGap[];
  stream?: LiveStreamInfo;
  error?: string;
}

/** What an answer over a live memory says about the memory it saw. */
export interface LiveSeen {
  /** Frames recorded up to the newest one the answer saw, and the stream seconds they span. */
  frames: number;
  seenS: number;
  lagS: number;
  behindLiveS: number;
  evicted: number;
  gaps: number;
}

const DEFAULT_BATCH = 8;

export class LiveMemory {
  private state: LiveState = "starting";
  private tokens: Float32Array = new Float32Array(0);
  private spans: number[] = []; // stream seconds per kept frame
  private first = 0; // memory frame of tokens' first row
  private count = 0; // kept frames
  private readFrames = 0; // frames of the current read
  private readStartMs = 0;
  private span = 1;
  private resumedFrames = 0;
  private lastFrameMs?: number;
  private gaps: LiveGap[] = [];
  private stream?: LiveStreamInfo;
  private error?: string;
  private encodeFps?: number;
  private videoFps = 1;
  private queue: { pixels: Float32Array; arrivedMs: number }[] = [];
  private encoding?: Promise<void>;
  private waiters: { frames: number; resolve: (ok: boolean) => void }[] = [];
  private readonly abort = new AbortController();
  private store?: LiveStore;
  private read = 0;
  private inFlight = 0; // frames taken from the queue whose encoding has not finished
  private reachedMax = false; // --max-duration: the end of the recording, not a stop
  /** Resolves with the final status when the source has ended or been stopped; rejects when it failed. */
  done!: Promise<LiveStatus>;

  private constructor(
    private readonly model: HourLlava,
    readonly source: LiveSource,
    private readonly opts: LiveOptions,
  ) {}

  /** Starts reading `source`; resolves once the stored memory (if any) is loaded and the rate is chosen. */
  static async start(model: HourLlava, source: LiveSource, opts: LiveOptions = {}): Promise<LiveMemory> {
    const m = new LiveMemory(model, source, opts);
    let ready!: () => void;
    const started = new Promise<void>((res) => (ready = res));
    m.done = m.run(ready);
    m.done.catch(() => undefined); // a caller that never awaits `done` gets no unhandled rejection
    await Promise.race([started, m.done]);
    return m;
  }

  /** Stops reading; what was recorded stays (and stays stored). */
  async stop(): Promise<LiveStatus> {
    this.abort.abort();
    return this.done;
  }

  get frames(): number {
    return this.first + this.count;
  }

  status(): LiveStatus {
    const recordedS = this.spanOf(0, this.frames);
    return {
      source: this.source.spec,
      kind: this.source.kind,
      state: this.state,
      frames: this.count,
      recorded: this.frames,
      evicted: this.first,
      resumed: this.resumedFrames,
      coveredS: this.spanOf(this.first, this.frames),
      recordedS,
      lagS: this.pending * this.span,
      behindLiveS: this.behindLive(),
      videoFps: this.videoFps,
      ...(this.encodeFps !== undefined ? { encodeFps: this.encodeFps } : {}),
      gaps: [...this.gaps],
      ...(this.stream ? { stream: this.stream } : {}),
      ...(this.error ? { error: this.error } : {}),
    };
  }

  /** Resolves true once `frames` frames are recorded, false if the source ends first. */
  waitForFrames(frames: number): Promise<boolean> {
    if (this.frames >= frames) return Promise.resolve(true);
    if (this.finished) return Promise.resolve(false);
    return new Promise((resolve) => this.waiters.push({ frames, resolve }));
  }

  /** The memory over the recorded frames up to `upTo` (default: all so far), the window's newest when one is set:
   * what a question asked now sees. */
  snapshot(upTo = this.frames): VideoMemory & { live: LiveSeen } {
    const end = Math.min(Math.max(upTo, 0), this.frames);
    const start = Math.max(this.first, end - this.windowFrames);
    const T = end - start;
    if (T < 1) throw new Error(`${this.source.spec}: no frame has been encoded yet; ask again once the stream has started`);
    const per = TOKENS_PER_FRAME * this.model.hidden;
    const tokens = this.tokens.slice((start - this.first) * per, (end - this.first) * per);
    const durationS = this.spanOf(start, end);
    return {
      video: this.source.spec,
      durationS,
      frames: T,
      memory: this.model.buildMemory(tokens, T),
      cache: { key: this.store ? this.store.dir : "", hit: this.resumedFrames > 0, bytes: tokens.byteLength, ...(this.store ? { path: this.store.dir } : {}) },
      timings: { decodeS: 0, encodeS: 0, totalS: 0 },
      live: {
        frames: end,
        seenS: this.spanOf(0, end),
        lagS: this.pending * this.span,
        behindLiveS: this.behindLive(),
        evicted: start,
        gaps: this.gaps.filter((g) => g.afterFrame < end).length,
      },
    };
  }

  /** The vision tower's input size. */
  private get size(): number {
    return this.model.config.vision.image_size;
  }

  /** Frames a window keeps (Infinity without one). */
  private get windowFrames(): number {
    return this.opts.windowS !== undefined ? Math.max(1, Math.round(this.opts.windowS * this.videoFps)) : Infinity;
  }

  /** Frames read from the source and not yet in the memory (queued or being encoded). */
  private get pending(): number {
    return this.queue.length + this.inFlight;
  }

  private get finished(): boolean {
    return this.state === "ended" || this.state === "failed" || this.state === "stopped";
  }

  private behindLive(): number {
    if (!this.readStartMs || this.state !== "live") return 0;
    // The newest encoded frame of this read is (encoded - 1) spans after its first; the live edge is the time since
    // that first frame arrived (ffmpeg's probe of about a second before it is not counted).
    const encoded = this.readFrames - this.pending;
    return Math.max(0, (Date.now() - this.readStartMs) / 1000 - Math.max(0, encoded - 1) * this.span);
  }

  private spanOf(from: number, to: number): number {
    // Frames before the kept ones count at the current span (their spans are not kept once evicted).
    let s = 0;
    for (let f = from; f < to; f++) s += f >= this.first ? this.spans[f - this.first] : this.span;
    return s;
  }

  private notice(m: string): void {
    this.opts.onNotice?.(m);
  }

  private async run(ready: () => void): Promise<LiveStatus> {
    try {
      await this.chooseRate();
      await this.openStore();
      ready();
      await this.readLoop();
      if (!this.finished) this.state = this.abort.signal.aborted ? "stopped" : "ended";
    } catch (e) {
      this.state = this.abort.signal.aborted ? "stopped" : "failed";
      this.error = (e as Error).message;
      ready();
    } finally {
      this.store?.close();
      for (const w of this.waiters.splice(0)) w.resolve(this.frames >= w.frames);
    }
    if (this.state === "failed") throw new Error(this.error);
    return this.status();
  }

  /** Times the vision tower on two blank frames and says at start whether it keeps up with the asked rate. */
  private async chooseRate(): Promise<void> {
    const blank = new Float32Array(2 * 3 * this.size * this.size);
    await this.model.encodeFrames(blank, 2); // builds the session
    const t0 = performance.now();
    await this.model.encodeFrames(blank, 2);
    this.encodeFps = 2 / Math.max(1e-6, (performance.now() - t0) / 1000);
    const asked = this.opts.videoFps ?? 1;
    if (asked === "auto") {
      // 80 % of the measured rate, at most the official 1 fps, so the memory keeps up with some room to answer.
      this.videoFps = Math.min(1, Number((0.8 * this.encodeFps).toPrecision(2)));
      if (this.videoFps < 1)
        this.notice(`this machine encodes ${this.encodeFps.toFixed(2)} frames/s: recording at ${this.videoFps} frames per second of stream (--fps auto)`);
    } else {
      if (!(asked > 0)) throw new Error(`the frame rate must be a positive number, got ${asked}`);
      this.videoFps = asked;
      if (this.encodeFps < asked)
        this.notice(
          `this machine encodes ${this.encodeFps.toFixed(2)} frames/s but the stream needs ${asked}: the memory will fall behind live (its lag is in every answer); --fps auto records at what it sustains`,
        );
    }
  }

  private async openStore(): Promise<void> {
    const st = this.opts.store;
    if (!st) return;
    const meta = {
      source: this.source.canonical,
      kind: this.source.kind,
      modelId: st.modelId,
      hidden: this.model.hidden,
      dtype: st.dtype,
      videoFps: this.videoFps,
      size: this.size,
      created: new Date().toISOString(),
    };
    this.store = await LiveStore.open(st.dir, meta);
    const stored = this.store.frames;
    if (stored === 0) return;
    if (this.opts.videoFps === "auto") this.videoFps = this.store.meta.videoFps; // one rate per memory
    this.resumedFrames = stored;
    this.first = this.store.firstKept;
    this.tokens = this.store.readTokens();
    this.count = stored - this.first;
    const spans = new Map<number, number>();
    for (const l of this.store.timeline) {
      if ("frame" in l) for (let f = l.frame; f < l.frame + l.count; f++) spans.set(f, l.spanS);
      if ("gap" in l) this.gaps.push({ ...l.gap, seconds: (l.gap.toMs - l.gap.fromMs) / 1000 });
    }
    this.spans = Array.from({ length: this.count }, (_, i) => spans.get(this.first + i) ?? 1 / this.videoFps);
    const lastLine = [...this.store.timeline].reverse().find((l): l is Extract<TimelineLine, { frame: number }> => "frame" in l);
    this.lastFrameMs = lastLine?.wallMs;
    this.notice(`resuming the live memory of ${this.source.spec}: ${stored} frames (${this.spanOf(0, stored).toFixed(0)} s) recorded before`);
  }

  private async readLoop(): Promise<void> {
    let silentSince = Date.now();
    for (;;) {
      // A growing file read again from its start skips what is stored: the memory continues without a gap.
      let skip = this.source.kind === "file" && this.read === 0 ? this.resumedFrames : 0;
      let gapPending = this.frames > 0 && skip === 0;
      this.readFrames = 0;
      this.readStartMs = 0;
      const it = liveFrames(this.source, {
        videoFps: this.videoFps,
        signal: this.abort.signal,
        stdin: this.opts.stdin,
        // A network source may not have started (or come back) yet: wait for it as long as one would keep trying.
        ...(this.source.reconnects ? { startTimeoutS: this.opts.giveUpS ?? 120 } : {}),
        onInfo: (i) => {
          this.stream = i;
          this.span = i.step / i.fps;
        },
      });
      let r: IteratorResult<LiveFrame, LiveReadEnd>;
      while (!(r = await it.next()).done) {
        const now = Date.now();
        if (skip > 0) {
          skip--;
          continue;
        }
        if (!this.readStartMs) this.readStartMs = now; // the first frame marks this read's start
        if (gapPending) {
          this.markGap(now, this.read === 0 ? "not recording (the previous run ended)" : "the source dropped");
          gapPending = false;
        }
        this.state = "live";
        this.readFrames++;
        this.queue.push({ pixels: preprocessFrame(r.value.rgb, r.value.width, r.value.height, this.size), arrivedMs: now });
        silentSince = now;
        this.kick();
        if (this.opts.maxDurationS !== undefined && this.spanOf(0, this.frames) + this.pending * this.span >= this.opts.maxDurationS) {
          this.reachedMax = true;
          await it.return({ reason: "stopped" }); // ends both ffmpeg processes and the read's timers
          break;
        }
      }
      await this.encoding;
      if (this.reachedMax) return void (this.state = "ended");
      const end = r.done ? r.value : { reason: "stopped" as const };
      if (this.abort.signal.aborted || end.reason === "stopped") return void (this.state = "stopped");
      if (end.reason === "failed" && !this.source.reconnects) throw new Error(end.message);
      if (!this.source.reconnects) {
        if (this.readFrames === 0 && this.frames === this.resumedFrames && end.message) throw new Error(end.message); // never started
        return;
      }
      if ((Date.now() - silentSince) / 1000 > (this.opts.giveUpS ?? 120)) {
        this.notice(`${this.source.spec}: nothing for ${this.opts.giveUpS ?? 120} s; the live memory stops at ${this.frames} frames`);
        return;
      }
      this.state = "reconnecting";
      if (this.readFrames > 0)
        this.notice(`${this.source.spec}: ${end.message ?? "the source went silent"}; reading it again (the gap is marked in the memory's timeline)`);
      await new Promise((res) => setTimeout(res, 500));
      this.read++;
    }
  }

  private markGap(now: number, reason: string): void {
    const from = this.lastFrameMs ?? now;
    const gap = { afterFrame: this.frames + this.pending, fromMs: from, toMs: now, reason };
    this.gaps.push({ ...gap, seconds: (now - from) / 1000 });
    this.store?.note({ gap });
  }

  /** Encodes what is queued, a batch at a time, while frames keep arriving. */
  private kick(): void {
    this.encoding ??= (async () => {
      try {
        while (this.queue.length > 0) await this.encodeBatch();
      } finally {
        this.encoding = undefined;
      }
    })();
  }

  private async encodeBatch(): Promise<void> {
    const batch = this.queue.splice(0, this.opts.batch ?? DEFAULT_BATCH);
    this.inFlight = batch.length;
    const per = 3 * this.size * this.size;
    const pixels = new Float32Array(batch.length * per);
    batch.forEach((f, i) => pixels.set(f.pixels, i * per));
    const out = await this.model.encodeFrames(pixels, batch.length);
    assertFinite(out.tokens, `the vision encoder (live frames ${this.frames}..${this.frames + batch.length - 1})`);
    const arrived = batch[batch.length - 1].arrivedMs;
    const tokens = this.store ? this.store.append(out.tokens, { count: batch.length, wallMs: arrived, spanS: this.span, read: this.read }) : out.tokens;
    this.appendRows(tokens, batch.length);
    this.inFlight = 0;
    this.lastFrameMs = arrived;
    this.evict();
    for (const w of this.waiters.filter((w) => this.frames >= w.frames)) w.resolve(true);
    this.waiters = this.waiters.filter((w) => this.frames < w.frames);
    this.opts.onFrames?.(this.status());
  }

  private appendRows(rows: Float32Array, n: number): void {
    const per = TOKENS_PER_FRAME * this.model.hidden;
    const need = (this.count + n) * per;
    if (need > this.tokens.length) {
      const grown = new Float32Array(Math.max(need, 2 * this.tokens.length));
      grown.set(this.tokens.subarray(0, this.count * per));
      this.tokens = grown;
    }
    this.tokens.set(rows, this.count * per);
    for (let i = 0; i < n; i++) this.spans.push(this.span);
    this.count += n;
  }

  /** A window drops the oldest frames (in memory and on disk) once it holds a window and a half of them. */
  private evict(): void {
    const keep = this.windowFrames;
    if (this.count <= keep + Math.ceil(keep / 2)) return; // never with no window: keep is Infinity
    const drop = this.count - keep;
    const per = TOKENS_PER_FRAME * this.model.hidden;
    this.tokens.copyWithin(0, drop * per, this.count * per);
    this.spans.splice(0, drop);
    this.first += drop;
    this.count -= drop;
    this.store?.evictBefore(this.first);
    this.notice(`window ${this.opts.windowS} s: evicted the oldest ${drop} frames; the memory now starts at frame ${this.first}`);
  }
}
