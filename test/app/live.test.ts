// Live memory on real streams made by ffmpeg in real time on loopback (-re): a file still being written, a pipe
// into the CLI, UDP, HLS served over HTTP, and RTMP from ffmpeg as a server. An answer at stream second t must
// equal the answer on the same video cut at t (`--sampling prefix`), token for token, with the memory's rows equal;
// a killed run resumes; a dropped UDP source is read again with the gap marked; a window evicts. The scenarios run
// side by side (about 65 s).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HourLlavaApp, finalAnswer } from "../../src/app/app.ts";
import { ffmpegPath } from "../../src/video/ffmpeg-path.ts";
import { ffmpeg } from "../video/clips.ts";
import { parseLiveSource } from "../../src/video/live-source.ts";
import { freeUdpPort } from "../helpers/udp-port.ts";

const Q = "How many times did the scene change?";
const BIN = join(import.meta.dirname, "../../bin/hourllava.js");
let dir = "";
let flv = "";
let src = ""; // samples/demo.mp4 at 4 fps, intra-only MPEG-2 in MPEG-TS: a cut by stream copy decodes the same frames
const expected = new Map<number, { text: string; rows: Float32Array }>();
let fileApp: HourLlavaApp;
let liveApp: HourLlavaApp;
const children: ChildProcess[] = [];

/** ffmpeg sending `seconds` of the test video in real time to `out` (a file, a URL, a folder's playlist, or - ). */
function send(out: string[], opts: { seconds?: number; from?: number } = {}): ChildProcess {
  const args = ["-hide_banner", "-nostdin", "-v", "error", "-re", ...(opts.from ? ["-ss", String(opts.from)] : []), "-i", src];
  const c = spawn(ffmpegPath(), [...args, "-t", String(opts.seconds ?? 62), "-c", "copy", "-flush_packets", "1", ...out], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(c);
  return c;
}

async function expectedAt(seconds: number): Promise<{ text: string; rows: Float32Array }> {
  const hit = expected.get(seconds);
  if (hit) return hit;
  const cut = join(dir, `cut-${seconds}.ts`);
  ffmpeg(["-i", src, "-c", "copy", "-frames:v", String(seconds * 4), cut]);
  const mem = await fileApp.remember(cut);
  assert.equal(mem.frames, seconds);
  const r = { text: (await finalAnswer(fileApp.ask(mem, Q))).text, rows: mem.memory.rows };
  expected.set(seconds, r);
  return r;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Answers over a live memory at t = 30 and 60 s, each checked against the cut file's. */
async function answersMatch(live: Awaited<ReturnType<HourLlavaApp["rememberLive"]>>, at: number[]): Promise<void> {
  for (const t of at) {
    assert.ok(await live.waitForFrames(t), `the stream ended before ${t} s (${JSON.stringify(live.status())})`);
    const snap = live.snapshot(t);
    assert.equal(snap.frames, t);
    assert.equal(snap.durationS, t);
    const want = await expectedAt(t);
    assert.ok(maxDiff(snap.memory.rows, want.rows) < 1e-5, `memory rows at ${t} s differ from the cut file's`);
    assert.equal((await finalAnswer(liveApp.ask(snap, Q))).text, want.text, `answer at ${t} s`);
  }
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "hourllava-live-"));
  src = join(dir, "demo4.ts");
  ffmpeg([
    "-i",
    join(import.meta.dirname, "../../samples/demo.mp4"),
    "-vf",
    "fps=4",
    "-c:v",
    "mpeg2video",
    "-g",
    "1",
    "-bf",
    "0",
    "-q:v",
    "1",
    "-f",
    "mpegts",
    src,
  ]);
  // The same frames as H.264 (intra only, no B-frames) in FLV, for RTMP: a cut by stream copy decodes the same frames.
  flv = join(dir, "demo4.flv");
  ffmpeg(["-i", src, "-t", "16", "-c:v", "libx264", "-g", "1", "-bf", "0", "-qp", "0", "-f", "flv", flv]);
  fileApp = await HourLlavaApp.load(undefined, { noCache: true, quiet: true, sampling: "prefix" });
  liveApp = await HourLlavaApp.load(undefined, { noCache: true, quiet: true, onWarning: () => undefined });
  await expectedAt(30);
  await expectedAt(60);
});

after(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("live sources in real time", { concurrency: true }, () => {
  test("a file still being written: answers at 30 s and 60 s equal the cut file's", async () => {
    const file = join(dir, "growing.ts");
    send(["-f", "mpegts", file]);
    const live = await liveApp.rememberLive(file, { idleTimeoutS: 5 });
    try {
      await answersMatch(live, [30, 60]);
    } finally {
      await live.stop();
    }
  });

  test("UDP: answers at 30 s and 60 s equal the cut file's", async () => {
    const port = await freeUdpPort();
    const live = await liveApp.rememberLive(`udp://127.0.0.1:${port}`, { idleTimeoutS: 5 });
    await listening();
    send(["-f", "mpegts", `udp://127.0.0.1:${port}?pkt_size=1316`]);
    try {
      await answersMatch(live, [30, 60]);
    } finally {
      await live.stop();
    }
  });

  test("HLS over HTTP: answers at 30 s and 60 s equal the cut file's", async () => {
    const hls = join(dir, "hls");
    mkdirSync(hls);
    send(["-f", "hls", "-hls_time", "2", "-hls_list_size", "0", join(hls, "index.m3u8")]);
    const server = await serveFolder(hls);
    const port = (server.address() as { port: number }).port;
    while (!existsSync(join(hls, "index.m3u8"))) await new Promise((r) => setTimeout(r, 100));
    const live = await liveApp.rememberLive(`http://127.0.0.1:${port}/index.m3u8`, { idleTimeoutS: 8 });
    try {
      await answersMatch(live, [30, 60]);
    } finally {
      await live.stop();
      server.close();
    }
  });

  test("RTMP (ffmpeg as a one-client server): the answer at 10 s equals the cut file's", async () => {
    const port = await freeUdpPort(); // a port free for UDP is almost surely free for TCP on loopback too
    const url = `rtmp://127.0.0.1:${port}/live/test`;
    const server = spawn(ffmpegPath(), ["-hide_banner", "-nostdin", "-v", "error", "-re", "-i", flv, "-c", "copy", "-f", "flv", "-listen", "1", url], {
      stdio: "ignore",
    });
    children.push(server);
    await new Promise((r) => setTimeout(r, 1000)); // listening
    const live = await liveApp.rememberLive(url, { idleTimeoutS: 5 });
    try {
      assert.ok(await live.waitForFrames(10), JSON.stringify(live.status()));
      const snap = live.snapshot(10);
      const cut = join(dir, "cut-rtmp-10.flv");
      ffmpeg(["-i", flv, "-c", "copy", "-frames:v", "40", cut]);
      const mem = await fileApp.remember(cut);
      assert.equal(mem.frames, 10);
      assert.ok(maxDiff(snap.memory.rows, mem.memory.rows) < 1e-5, "memory rows at 10 s differ from the cut file's");
      assert.equal((await finalAnswer(liveApp.ask(snap, Q))).text, (await finalAnswer(fileApp.ask(mem, Q))).text);
    } finally {
      await live.stop();
    }
  });

  test("a pipe into `ask --live - --every 30 --json`: one JSON line per 30 s, equal to the cut file's answers", async () => {
    const cache = join(dir, "cache-pipe");
    const feeder = send(["-f", "mpegts", "-"], { seconds: 61 });
    const cli = spawn(process.execPath, [BIN, "ask", "--live", "-", "--every", "30", "--json", "--cache-dir", cache, "--idle-timeout", "5", Q], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    children.push(cli);
    feeder.stdout!.pipe(cli.stdin!);
    let out = "";
    let err = "";
    cli.stdout!.on("data", (c) => (out += c));
    cli.stderr!.on("data", (c) => (err += c));
    const code = await new Promise((r) => cli.on("close", r));
    assert.equal(code, 0, err);
    const lines = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    // Two points, then the end of the stream (61 s) gets one more answer over everything.
    assert.deepEqual(lines.map((l) => l.seen_s).slice(0, 2), [30, 60]);
    assert.equal(lines[0].answer, (await expectedAt(30)).text);
    assert.equal(lines[1].answer, (await expectedAt(60)).text);
    for (const l of lines) assert.ok(l.lag_s >= 0 && typeof l.behind_live_s === "number" && l.source === "-", JSON.stringify(l));
  });

  test("a killed `--live` run on a growing file resumes its stored memory without a gap", async () => {
    const cache = join(dir, "cache-resume");
    const file = join(dir, "resume.ts");
    send(["-f", "mpegts", file], { seconds: 24 });
    const args = [BIN, "ask", "--live", file, "--every", "5", "--json", "--cache-dir", cache, "--idle-timeout", "4", Q];
    const first = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    children.push(first);
    let out1 = "";
    first.stdout!.on("data", (c) => (out1 += c));
    while (!out1.includes('"seen_s":10')) await new Promise((r) => setTimeout(r, 100));
    first.kill("SIGKILL");
    await new Promise((r) => first.on("close", r));
    const second = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    children.push(second);
    let out2 = "";
    let err2 = "";
    second.stdout!.on("data", (c) => (out2 += c));
    second.stderr!.on("data", (c) => (err2 += c));
    assert.equal(await new Promise((r) => second.on("close", r)), 0, err2);
    assert.match(err2, /resuming the live memory of .*: 1\d frames/);
    const lines = out2
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.ok(lines.length >= 2, out2);
    const at20 = lines.find((l) => l.seen_s === 20);
    assert.ok(at20, out2);
    assert.equal(at20.gaps, 0);
    assert.equal(at20.answer, (await expectedAt(20)).text);
    assert.match(err2, /ended; 2[45] frames \(2[45] s of stream\) recorded, 1\d of them before this run/);
  });

  test("a dropped UDP source is read again and the gap is in the memory's timeline", async () => {
    const port = await freeUdpPort();
    const live = await liveApp.rememberLive(`udp://127.0.0.1:${port}`, { idleTimeoutS: 2, giveUpS: 30 });
    await listening();
    const a = send(["-f", "mpegts", `udp://127.0.0.1:${port}?pkt_size=1316`], { seconds: 10 });
    await new Promise((r) => a.on("close", r));
    await new Promise((r) => setTimeout(r, 5000));
    send(["-f", "mpegts", `udp://127.0.0.1:${port}?pkt_size=1316`], { seconds: 8, from: 30 });
    assert.ok(await live.waitForFrames(16), JSON.stringify(live.status()));
    const st = live.status();
    assert.equal(st.gaps.length, 1, JSON.stringify(st.gaps));
    assert.ok(st.gaps[0].seconds > 3, `gap of ${st.gaps[0].seconds} s`);
    assert.ok(st.gaps[0].afterFrame >= 9 && st.gaps[0].afterFrame <= 10, `gap after frame ${st.gaps[0].afterFrame}`);
    assert.equal(live.snapshot().live.gaps, 1);
    await live.stop();
  });

  test("--window keeps the newest stretch and says what it evicted", async () => {
    const notices: string[] = [];
    const file = join(dir, "window.ts");
    send(["-f", "mpegts", file], { seconds: 22 });
    const live = await liveApp.rememberLive(file, { idleTimeoutS: 6, windowS: 8, onNotice: (m) => notices.push(m) });
    const end = await live.done;
    assert.ok(end.recorded === 22 || end.recorded === 23, JSON.stringify(end)); // -t 22 may pass the frame at 22 s
    assert.ok(end.evicted >= 8, JSON.stringify(end));
    const snap = live.snapshot();
    assert.equal(snap.frames, 8);
    assert.equal(snap.durationS, 8);
    assert.equal(snap.live.evicted, end.recorded - 8);
    assert.ok(
      notices.some((n) => /window 8 s: evicted the oldest \d+ frames/.test(n)),
      notices.join("\n"),
    );
  });
});

test("sources: each kind is confined to its protocol; anything else is refused in one line", () => {
  assert.deepEqual(parseLiveSource("udp://127.0.0.1:5000").inputArgs.slice(0, 2), ["-protocol_whitelist", "udp"]);
  assert.deepEqual(parseLiveSource("rtmp://h/app/key").inputArgs.slice(0, 2), ["-protocol_whitelist", "rtmp,tcp"]);
  assert.equal(parseLiveSource("https://h/live/x.m3u8").kind, "hls");
  assert.equal(parseLiveSource("-").kind, "pipe");
  assert.equal(parseLiveSource("/dev/video0").kind, "v4l2");
  assert.equal(parseLiveSource("rec.ts").kind, "file");
  assert.throws(() => parseLiveSource("ftp://h/x.ts"), /ftp:\/\/ is not a live source; use a file still being written/);
  assert.throws(() => parseLiveSource("http://h/video.mp4"), /must be an HLS playlist/);
  assert.throws(() => parseLiveSource("concat:a.ts|b.ts"), /concat: is not a live source/);
  assert.throws(() => parseLiveSource(" "), /--live needs a source/);
});

test("a stream URL given as a file is refused with the --live spelling", async () => {
  await assert.rejects(liveApp.remember("udp://127.0.0.1:5000"), /udp:\/\/127\.0\.0\.1:5000: is a stream, not a file; name it with --live/);
});

/** A moment for the reading ffmpeg to bind its UDP port (a datagram sent before that is lost). */
const listening = () => new Promise((r) => setTimeout(r, 1000));

function serveFolder(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const name = (req.url ?? "/").split("?")[0].replace(/^\/+/, "");
    const path = join(root, name);
    if (name.includes("..") || !existsSync(path)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": name.endsWith(".m3u8") ? "application/vnd.apple.mpegurl" : "video/mp2t" }).end(readFileSync(path));
  });
  return new Promise((r) => server.listen(0, "127.0.0.1", () => r(server)));
}
