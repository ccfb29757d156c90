// Keeping up with a live stream. Two parts, one JSON object:
//  tiny: a real-time UDP stream (ffmpeg -re, testsrc2 640×360 at 25 fps, MPEG-2 in MPEG-TS) recorded at 1 fps
//        by the embedded model for --minutes; every second the lag (newest frame read vs newest encoded) and how far
//        behind live the memory is; a question every --every seconds of stream while encoding goes on (time to answer).
//  3b:   the official 3B shape's vision tower + projector (SigLIP-so400m at 384, random weights, f32 and int8 as q4
//        and q8 run it; bench/scale/vision.ts) plus this CPU's Pillow-exact resize of a 640×360 frame: the highest
//        rate a live memory of that model sustains here, against the 1 frame per second a stream needs.
// Usage: node --import tsx bench/live/run.ts [--minutes 10] [--every 60] [--part tiny|3b|both]
import { execFileSync, spawn } from "node:child_process";
import { HourLlavaApp, finalAnswer } from "../../src/app/app.ts";
import { ffmpegPath } from "../../src/video/ffmpeg-path.ts";
import { preprocessFrame } from "../../src/video/preprocess.ts";
import { freeUdpPort } from "../../test/helpers/udp-port.ts";

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? process.argv[i + 1] : d;
};
const minutes = Number(arg("minutes", "10"));
const every = Number(arg("every", "60"));
const part = arg("part", "both");

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : null;
};

async function tiny() {
  const app = await HourLlavaApp.load(undefined, { noCache: true, quiet: true });
  const port = await freeUdpPort();
  const url = `udp://127.0.0.1:${port}`;
  const live = await app.rememberLive(url, { idleTimeoutS: 5, giveUpS: 30, onNotice: () => undefined });
  await new Promise((r) => setTimeout(r, 1000)); // the reader binds its port
  const seconds = Math.round(minutes * 60);
  const sender = spawn(
    ffmpegPath(),
    [
      "-hide_banner",
      "-v",
      "error",
      "-re",
      "-f",
      "lavfi",
      "-i",
      `testsrc2=size=640x360:rate=25`,
      "-t",
      String(seconds),
      "-c:v",
      "mpeg2video",
      "-q:v",
      "4",
      "-f",
      "mpegts",
      `${url}?pkt_size=1316`,
    ],
    { stdio: "ignore" },
  );
  const lag: number[] = [];
  const behind: number[] = [];
  const sampler = setInterval(() => {
    const st = live.status();
    if (st.state === "live") {
      lag.push(st.lagS);
      behind.push(st.behindLiveS);
    }
  }, 1000);
  const answers: { seen_s: number; answer_s: number; frames_during_answer: number }[] = [];
  for (let k = 1; k * every <= seconds - 2; k++) {
    if (!(await live.waitForFrames(k * every))) break;
    const before = live.frames;
    const t0 = performance.now();
    await finalAnswer(app.ask(live.snapshot(k * every), "What happened in the last minute?"));
    answers.push({ seen_s: k * every, answer_s: (performance.now() - t0) / 1000, frames_during_answer: live.frames - before });
    process.stderr.write(`live bench: ${k * every} s of ${seconds} s\n`);
  }
  await new Promise((r) => sender.on("close", r));
  const end = await live.stop();
  clearInterval(sampler);
  return {
    stream: "testsrc2 640x360 25 fps MPEG-2 over UDP, real time",
    seconds,
    video_fps: end.videoFps,
    frames_recorded: end.recorded,
    frames_expected: seconds,
    gaps: end.gaps.length,
    encode_fps_measured_at_start: end.encodeFps,
    lag_s: { p50: quantile(lag, 0.5), p95: quantile(lag, 0.95), max: lag.length ? Math.max(...lag) : null },
    behind_live_s: { p50: quantile(behind, 0.5), p95: quantile(behind, 0.95), max: behind.length ? Math.max(...behind) : null },
    answers,
  };
}

function threeB() {
  const vision = JSON.parse(
    execFileSync(process.execPath, ["--import", "tsx", "bench/scale/vision.ts", "--frames", "2"], { encoding: "utf8" }).trim().split("\n").pop()!,
  );
  // The per-frame resize a live memory does on the main thread beside the tower.
  const rgb = new Uint8Array(640 * 360 * 3).map((_, i) => (i * 37) & 255);
  preprocessFrame(rgb, 640, 360, 384);
  const t0 = performance.now();
  const reps = 5;
  for (let i = 0; i < reps; i++) preprocessFrame(rgb, 640, 360, 384);
  const preprocessS = (performance.now() - t0) / 1000 / reps;
  const sustain = (towerFps: number) => 1 / (1 / towerFps + preprocessS);
  return {
    model: "official 3B shape: SigLIP-so400m 384, 26 layers, projector to 2048 (random weights)",
    preprocess_640x360_to_384_s: preprocessS,
    f32: { tower_frames_per_s: vision.f32.frames_per_s, sustainable_fps: sustain(vision.f32.frames_per_s), tower_vs_fp32_peak: vision.f32.vs_peak },
    int8_as_q4_q8: {
      tower_frames_per_s: vision.int8_dynamic.frames_per_s,
      sustainable_fps: sustain(vision.int8_dynamic.frames_per_s),
      // --fps auto records at 80 % of the measured rate
      fps_auto_would_pick: Number((0.8 * sustain(vision.int8_dynamic.frames_per_s)).toPrecision(2)),
    },
    needed_fps: 1,
    gflop_per_frame: vision.gflop_per_frame,
    fp32_matmul_peak_gflop_per_s: vision.fp32_matmul_peak_gflop_per_s,
  };
}

const out: Record<string, unknown> = { cpu_cores: (await import("node:os")).availableParallelism() };
if (part === "3b" || part === "both") out["3b"] = threeB();
if (part === "tiny" || part === "both") out.tiny = await tiny();
process.stdout.write(JSON.stringify(out) + "\n");
