// `ask --live SOURCE` and `chat --live SOURCE`: questions about a stream while it arrives. ask answers every
// --every seconds of stream (and once more when the stream ends), chat answers whatever is typed, each answer
// saying up to which second of stream it saw and how far the memory was behind.
import { createInterface } from "node:readline";
import type { Command } from "commander";
import type { AskOptions, HourLlavaApp } from "../app/app.ts";
import type { LiveMemory, LiveStatus } from "../app/live.ts";
import { open, type CommonOpts } from "./model-options.ts";
import { intOption, secondsOption } from "./options.ts";
import { formatDuration } from "../util/progress.ts";

export interface LiveOpts {
  live?: string;
  every?: number;
  maxDuration?: number;
  window?: number;
  idleTimeout?: number;
  giveUp?: number;
}

/** The options `ask` and `chat` take for a live source. */
export function withLiveOptions(c: Command): Command {
  return c
    .option(
      "--live <source>",
      "a stream instead of a file: a file still being written, - (stdin), udp:// srt:// rtmp:// rtsp:// URLs, http(s)://….m3u8, /dev/videoN",
    )
    .option("--every <seconds>", "with --live: answer every this many seconds of stream (60, 5m)", secondsOption("every"))
    .option("--max-duration <seconds>", "with --live: stop after this much stream (3600, 1h)", secondsOption("max-duration"))
    .option("--window <duration>", "with --live: keep only the newest stretch of stream (2h, 30m); default: all of it", secondsOption("window"))
    .option("--idle-timeout <seconds>", "with --live: a source silent this long has ended (a network one is read again)", secondsOption("idle-timeout"), 10)
    .option("--give-up <seconds>", "with --live: stop reading a network source again after this long without frames", secondsOption("give-up"), 120)
    .option("--live-batch <n>", "with --live: most frames per vision-tower run when behind", intOption("live-batch", 1), 8);
}

/** Options that only mean something with --live are refused without it, in one line. */
export function checkLiveOptions(o: LiveOpts & CommonOpts): void {
  if (o.live !== undefined) return;
  for (const [flag, v] of [
    ["--every", o.every],
    ["--max-duration", o.maxDuration],
    ["--window", o.window],
  ] as const)
    if (v !== undefined) throw new Error(`${flag} is for --live sources`);
}

async function startLive(o: LiveOpts & CommonOpts & { liveBatch?: number }): Promise<{ app: HourLlavaApp; live: LiveMemory }> {
  const app = await open({ ...o, fps: undefined });
  const say = (m: string) => process.stderr.write(`${m}\n`);
  const live = await app.rememberLive(o.live!, {
    videoFps: o.fps ?? 1,
    windowS: o.window,
    maxDurationS: o.maxDuration,
    idleTimeoutS: o.idleTimeout,
    giveUpS: o.giveUp,
    batch: o.liveBatch,
    onNotice: say,
  });
  // Ctrl-C ends the reading; what was recorded stays stored and the last answer is still given.
  process.once("SIGINT", () => void live.stop());
  await app.warmUp();
  return { app, live };
}

/** One answer over the memory up to `frames`, printed as text or as one JSON line. */
async function answerAt(app: HourLlavaApp, live: LiveMemory, frames: number, question: string, ask: AskOptions, o: CommonOpts): Promise<void> {
  const snap = live.snapshot(frames);
  const it = app.ask(snap, question, ask);
  const head = `[${formatDuration(Math.floor(snap.live.seenS))} seen, lag ${snap.live.lagS.toFixed(1)} s] `;
  if (!o.json) process.stdout.write(head);
  let r = await it.next();
  for (; !r.done; r = await it.next()) if (!o.json) process.stdout.write(r.value);
  const a = r.value;
  if (!o.json) return void process.stdout.write("\n");
  const st = live.status();
  process.stdout.write(
    JSON.stringify({
      answer: a.text,
      question,
      source: live.source.spec,
      seen_s: snap.live.seenS,
      frames_seen: snap.live.frames,
      memory_frames: snap.frames,
      duration_s: snap.durationS,
      evicted_frames: snap.live.evicted,
      lag_s: snap.live.lagS,
      behind_live_s: snap.live.behindLiveS,
      gaps: snap.live.gaps,
      state: st.state,
      video_fps: st.videoFps,
      encode_fps: st.encodeFps ?? null,
      model: app.modelDir,
      device: app.device,
      timings_s: { memaug: a.timings.memAugS, prefill: a.timings.prefillS, generation: a.timings.generateS },
      tokens: a.timings.tokens,
    }) + "\n",
  );
}

function summary(st: LiveStatus): string {
  const gaps = st.gaps.length ? `, ${st.gaps.length} gap${st.gaps.length > 1 ? "s" : ""} (${st.gaps.map((g) => `${g.seconds.toFixed(0)} s`).join(", ")})` : "";
  const evicted = st.evicted ? `, ${st.evicted} oldest frames evicted by the window` : "";
  return `${st.source}: ${st.state}; ${st.recorded} frames (${st.recordedS.toFixed(0)} s of stream) recorded${st.resumed ? `, ${st.resumed} of them before this run` : ""}${gaps}${evicted}${st.error ? `: ${st.error}` : ""}`;
}

export async function liveAsk(question: string, o: LiveOpts & CommonOpts, ask: AskOptions): Promise<void> {
  const { app, live } = await startLive(o);
  let answered = 0; // frames the last answer saw
  try {
    if (o.every !== undefined) {
      const perAnswer = Math.max(1, Math.round(o.every * live.status().videoFps));
      for (let k = Math.floor(live.frames / perAnswer) + 1; ; k++) {
        if (!(await live.waitForFrames(k * perAnswer))) break;
        await answerAt(app, live, k * perAnswer, question, ask, o);
        answered = k * perAnswer;
      }
    }
    const end = await live.done.catch(() => live.status()); // a failure is in the status, said below
    // The stream's end (or --max-duration, or Ctrl-C) gets one more answer over everything not yet answered.
    if (live.frames > answered && live.frames > 0) await answerAt(app, live, live.frames, question, ask, o);
    if (!o.quiet || end.state === "failed") process.stderr.write(`${summary(end)}\n`);
    if (end.state === "failed") process.exitCode = 1;
  } finally {
    await live.stop().catch(() => undefined);
  }
}

export async function liveChat(o: LiveOpts & CommonOpts, ask: AskOptions): Promise<void> {
  if (o.live === "-" || o.live === "pipe:" || o.live === "pipe:0")
    throw new Error("chat --live - would read the questions and the stream from the same stdin; use ask --live - --every N, or a named pipe or file");
  const { app, live } = await startLive(o);
  const rl = createInterface({ input: process.stdin, terminal: process.stdin.isTTY === true });
  process.stdout.write(`${o.live}: recording (${live.frames} frames so far). Ask away; /status for the memory, /exit to leave.\n> `);
  try {
    for await (const line of rl) {
      const q = line.trim();
      if (q === "/exit" || q === "/quit") break;
      if (q === "/status") process.stdout.write(`${summary(live.status())}\n`);
      else if (q) {
        try {
          // Each question is its own conversation over the memory as it is now: earlier answers saw less of it.
          await answerAt(app, live, live.frames, q, ask, o);
        } catch (e) {
          process.stderr.write(`hourllava: ${(e as Error).message.split("\n")[0]}\n`);
        }
      }
      process.stdout.write("> ");
    }
  } finally {
    rl.close();
    const st = await live.stop().catch(() => live.status());
    if (!o.quiet) process.stderr.write(`${summary(st)}\n`);
  }
}
