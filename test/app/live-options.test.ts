// The live memory's edges that need no real-time stream: its stored entry (append-only, a row cut short by a kill,
// window compaction), the rate check at start, chat --live and the CLI's refusals.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LiveStore } from "../../src/cache/live-store.ts";
import { HourLlavaApp } from "../../src/app/app.ts";
import { ffmpeg } from "../video/clips.ts";

const BIN = join(import.meta.dirname, "../../bin/hourllava.js");
let dir = "";
let clip = "";

before(() => {
  dir = mkdtempSync(join(tmpdir(), "hourllava-live-opts-"));
  clip = join(dir, "clip.ts");
  // 12 s at 4 fps: a finished file read as a live one goes at decoding speed and ends at the idle timeout.
  ffmpeg(["-i", join(import.meta.dirname, "../../samples/demo.mp4"), "-t", "12", "-vf", "fps=4", "-c:v", "mpeg2video", "-g", "1", "-f", "mpegts", clip]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const meta = (hidden: number) => ({ source: "/x.ts", kind: "file", modelId: "m", hidden, dtype: "f32" as const, videoFps: 1, size: 32, created: "" });

test("stored live memory: appends survive a reopen, a row cut short by a kill is dropped, a window compacts", async () => {
  const d = join(dir, "store");
  const H = 2;
  const row = 64 * H;
  let s = await LiveStore.open(d, meta(H));
  s.append(new Float32Array(2 * row).fill(1), { count: 2, wallMs: 1, spanS: 1, read: 0 });
  s.append(new Float32Array(row).fill(2), { count: 1, wallMs: 2, spanS: 1, read: 0 });
  await assert.rejects(LiveStore.open(d, meta(H)), /being recorded by another process/);
  s.close();
  appendFileSync(join(d, "tokens-0.bin"), Buffer.alloc(100)); // a kill mid-write
  appendFileSync(join(d, "timeline.jsonl"), '{"frame":3,"cou'); // and mid-line
  s = await LiveStore.open(d, meta(H));
  assert.equal(s.frames, 3);
  assert.equal(s.timeline.length, 2); // the torn line is cut off the file, so the next line starts on its own
  assert.equal(statSync(join(d, "tokens-0.bin")).size, 3 * row * 4);
  assert.deepEqual([...s.readTokens().subarray(2 * row, 2 * row + 3)], [2, 2, 2]);
  s.evictBefore(2);
  assert.deepEqual(
    readdirSync(d)
      .filter((f) => f.startsWith("tokens"))
      .sort(),
    ["tokens-2.bin"],
  );
  s.close();
  s = await LiveStore.open(d, meta(H));
  assert.equal(s.frames, 3);
  assert.equal(s.firstKept, 2);
  assert.equal(s.readTokens().length, row);
  assert.deepEqual(
    s.timeline.map((l) => Object.keys(l)[0]),
    ["frame", "frame", "evictedBefore"],
  );
  await assert.rejects(LiveStore.open(join(dir, "store"), { ...meta(3) }), /another process|another shape/);
  s.close();
  await assert.rejects(LiveStore.open(join(dir, "store"), { ...meta(3) }), /a live memory of another shape/);
});

test("a rate the machine cannot encode is said at start; a finished file read live gives all its frames", async () => {
  const app = await HourLlavaApp.load(undefined, { noCache: true, quiet: true });
  const notices: string[] = [];
  const live = await app.rememberLive(clip, { videoFps: 1e6, idleTimeoutS: 1, onNotice: (m) => notices.push(m) });
  const end = await live.done;
  assert.match(notices[0], /this machine encodes [\d.]+ frames\/s but the stream needs 1000000: the memory will fall behind live/);
  assert.equal(end.recorded, 48); // step max(1, round(4 / 1e6)) = 1: every frame
  const auto = await app.rememberLive(clip, { videoFps: "auto", idleTimeoutS: 1 });
  const st = await auto.done;
  assert.equal(st.videoFps, 1); // the tiny model encodes thousands of frames per second: the official rate
  assert.equal(st.recorded, 12);
  assert.equal(auto.snapshot().durationS, 12);
  // --max-duration ends the recording there (state ended, not stopped), and nothing keeps running after it.
  const capped = await app.rememberLive(clip, { idleTimeoutS: 1, maxDurationS: 5 });
  const c = await capped.done;
  assert.equal(c.state, "ended");
  assert.equal(c.recorded, 5);
});

test("chat --live answers what is typed, each answer saying what it saw; /status tells the memory", async () => {
  const cache = join(dir, "cache-chat");
  const c = spawn(process.execPath, [BIN, "chat", "--live", clip, "--idle-timeout", "3", "--cache-dir", cache], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  c.stdout!.on("data", (d) => (out += d));
  c.stderr!.on("data", (d) => (err += d));
  while (!out.includes("Ask away")) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 2000)); // the finished file is read in well under that
  c.stdin!.write("How many times did the scene change?\n/status\n/exit\n");
  assert.equal(await new Promise((r) => c.on("close", r)), 0, err);
  assert.match(out, /\[0:12 seen, lag 0\.0 s\] \S/);
  assert.match(out, /: (live|ended); 12 frames \(12 s of stream\) recorded/);
  assert.match(err, /stopped; 12 frames/);
  // The memory stays in the cache: listed (stopped, resumable) and removable by key.
  const ls = spawnSync(process.execPath, [BIN, "cache", "ls", "--cache-dir", cache], { encoding: "utf8" });
  const row = /\n([0-9a-f]{12}) +12 +0 +[\d.]+ MiB .*stopped \(resumes with --live on the same source\) +(\S+)/.exec(ls.stdout);
  assert.ok(row, ls.stdout);
  assert.equal(row[2], clip);
  const rm = spawnSync(process.execPath, [BIN, "cache", "rm", row[1], "--cache-dir", cache], { encoding: "utf8" });
  assert.match(rm.stdout, /removed live memory [0-9a-f]{32}/);
  assert.doesNotMatch(spawnSync(process.execPath, [BIN, "cache", "ls", "--cache-dir", cache], { encoding: "utf8" }).stdout, /live memories/);
});

test("the CLI refuses live options without --live, a pipe for chat, and a stray argument, in one line each", () => {
  const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });
  for (const [args, msg] of [
    [["ask", "--every", "10", "v.mp4", "q"], /--every is for --live sources/],
    [["ask", "--window", "2h", "v.mp4", "q"], /--window is for --live sources/],
    [["ask", "--live", "udp://127.0.0.1:9", "q", "extra"], /ask --live takes the question only/],
    [["chat", "--live", "-"], /chat --live - would read the questions and the stream from the same stdin/],
    [["ask", "--live", "gopher://h/x", "q"], /gopher:\/\/ is not a live source/],
    [["ask", "--fps", "auto", "v.mp4", "q"], /--fps auto is for --live sources/],
    [["ask", "--live", "x.ts", "--every", "soon", "q"], /--every: expected seconds, or a duration like 2h/],
  ] as const) {
    const r = run([...args]);
    assert.equal(r.status, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});
