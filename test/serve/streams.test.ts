// Live streams over the API, on loopback in real time: ffmpeg -re writes a file under --video-root (and sends UDP),
// POST /v1/streams records it, GET shows it grow, a chat completion naming the stream answers over the memory so
// far (equal to the answer on the same video cut there) and says the second it saw, DELETE stops it. Every refusal:
// bad JSON and values, an unknown protocol, a pipe, a kind the operator did not allow, a file outside the root, an
// unknown id, too many streams, a stream with no frame yet.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { freeUdpPort } from "../helpers/udp-port.ts";
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { HourLlavaApp, finalAnswer } from "../../src/app/app.ts";
import { createServer } from "../../src/serve/server.ts";
import { ffmpegPath } from "../../src/video/ffmpeg-path.ts";
import { ffmpeg } from "../video/clips.ts";
import { MODEL, SAMPLE, useServer, videoQuestion } from "./server-fixture.ts";

const fx = useServer({ liveSources: ["udp", "file"] });
const Q = "How many times did the scene change?";
let src = ""; // 20 s of the sample at 4 fps, intra-only MPEG-2 in MPEG-TS: a cut by stream copy decodes the same frames
let prefixApp: HourLlavaApp; // answers the cut file as the live memory samples it (--sampling prefix)
const children: ChildProcess[] = [];

interface Stream {
  id: string;
  object: string;
  source: string;
  kind: string;
  state: string;
  frames: number;
  recorded: number;
  seconds_covered: number;
  lag_s: number;
  behind_live_s: number;
  evicted: number;
  window_s: number;
  gaps: unknown[];
  video_fps: number;
  encode_fps: number | null;
  deleted?: boolean;
  error?: string;
}
interface Seen {
  stream_id: string;
  seen_s: number;
  frames_seen: number;
  lag_s: number;
  behind_live_s: number;
  state: string;
}
interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** ffmpeg sending `seconds` of the test video in real time to `out`. */
function send(out: string[], seconds: number): ChildProcess {
  const c = spawn(
    ffmpegPath(),
    ["-hide_banner", "-nostdin", "-v", "error", "-re", "-i", src, "-t", String(seconds), "-c", "copy", "-flush_packets", "1", ...out],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  children.push(c);
  return c;
}

async function call(path: string, init: { method?: string; json?: unknown; body?: string; base?: string } = {}) {
  const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
  const res = await fetch(`${init.base ?? fx.url}${path}`, {
    method: init.method ?? (body !== undefined ? "POST" : "GET"),
    headers: body !== undefined ? { "content-type": "application/json" } : {},
    body,
  });
  return { status: res.status, body: (await res.json()) as Stream & ErrorBody & { data: Stream[]; live_sources: string[] } };
}

function assertError(r: { status: number; body: ErrorBody }, status: number, code: string, param?: string | null) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  assert.ok(r.body.error.message.length > 0);
  if (param !== undefined) assert.equal(r.body.error.param, param);
}

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutS = 30): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() - t0 > timeoutS * 1000) throw new Error(`${what}: not within ${timeoutS} s (${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The answer on the test video cut after `seconds` seconds (4 frames a second), as the live memory samples it. */
async function cutAnswer(seconds: number, maxNewTokens: number): Promise<string> {
  const cut = join(fx.dir, `cut-${seconds}.ts`);
  ffmpeg(["-i", src, "-c", "copy", "-frames:v", String(seconds * 4), cut]);
  const mem = await prefixApp.remember(cut);
  assert.equal(mem.frames, seconds);
  return (await finalAnswer(prefixApp.ask(mem, Q, { maxNewTokens }))).text;
}

before(async () => {
  src = join(fx.dir, "demo4.ts");
  ffmpeg(["-i", SAMPLE, "-t", "20", "-vf", "fps=4", "-c:v", "mpeg2video", "-g", "1", "-bf", "0", "-q:v", "1", "-f", "mpegts", src]);
  prefixApp = await HourLlavaApp.load(undefined, { noCache: true, quiet: true, sampling: "prefix" });
});

after(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
});

describe("streams in real time", { concurrency: true }, () => {
  test("a file being written under the root: it grows, a question answers over it saying seen_s, DELETE stops it", { timeout: 90_000 }, async () => {
    send(["-f", "mpegts", join(fx.root, "growing.ts")], 16);
    const created = await call("/v1/streams", { json: { source: "growing.ts", idle_timeout_s: 4 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const s = created.body;
    assert.match(s.id, /^stream-[0-9a-f]{24}$/);
    assert.equal(s.object, "stream");
    assert.equal(s.source, "growing.ts");
    assert.equal(s.kind, "file");
    assert.ok(["starting", "live"].includes(s.state), s.state);
    assert.equal(s.video_fps, 1);
    assert.equal(s.window_s, 7200); // every stream keeps a window: the server's --stream-window unless it asks for less

    const get = async () => (await call(`/v1/streams/${s.id}`)).body;
    const early = await until("3 s recorded", get, (b) => b.frames >= 3);
    assert.equal(early.state, "live");
    assert.ok(early.lag_s >= 0 && early.behind_live_s >= 0 && typeof early.encode_fps === "number", JSON.stringify(early));
    const later = await until("the status grows", get, (b) => b.seconds_covered >= early.seconds_covered + 2);
    assert.ok(later.frames > early.frames);
    assert.ok((await call("/v1/streams")).body.data.some((x) => x.id === s.id && x.state === "live"));
    assertError(await call("/v1/streams", { json: { source: join(fx.root, "growing.ts") } }), 409, "stream_exists", "source");

    // A whole completion: the answer over what was recorded when the job started, equal to the cut file's.
    const whole = (await fx.client.chat.completions.create({ model: MODEL, messages: [videoQuestion(s.id, Q)], max_tokens: 8 })) as unknown as {
      choices: { message: { content: string } }[];
      live: Seen;
    };
    const seen = whole.live;
    assert.equal(seen.stream_id, s.id);
    assert.ok(seen.seen_s >= later.seconds_covered && seen.seen_s === seen.frames_seen, JSON.stringify(seen)); // 1 frame a second
    assert.ok(seen.lag_s >= 0 && seen.behind_live_s >= 0 && seen.state === "live", JSON.stringify(seen));
    assert.equal(whole.choices[0].message.content, await cutAnswer(seen.seen_s, 8));

    // Streamed: the first chunk says what it saw (the page labels the answer with it), the last one again.
    const res = await fetch(`${fx.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, messages: [videoQuestion(s.id, Q)], stream: true, max_tokens: 8 }),
    });
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const chunks = [...(await res.text()).matchAll(/^data: (\{.*\})$/gm)].map((m) => JSON.parse(m[1]) as { live?: Seen; timings?: object });
    const first = chunks[0].live!;
    assert.ok(first.seen_s >= seen.seen_s, JSON.stringify(first));
    assert.deepEqual(chunks[chunks.length - 1].live, first);
    assert.ok(chunks[chunks.length - 1].timings);

    const del = await call(`/v1/streams/${s.id}`, { method: "DELETE" });
    assert.equal(del.status, 200);
    assert.equal(del.body.deleted, true);
    assert.equal(del.body.state, "stopped");
    assertError(await call(`/v1/streams/${s.id}`), 404, "stream_not_found", "id");
    assertError(await call("/v1/chat/completions", { json: { model: MODEL, messages: [videoQuestion(s.id, Q)] } }), 404, "stream_not_found", "messages");
    assert.ok(readdirSync(join(fx.dir, "cache", "live")).length > 0, "what was recorded stays in the memory cache");
  });

  test("UDP on loopback: recorded as it arrives", { timeout: 60_000 }, async () => {
    const port = await freeUdpPort();
    const created = await call("/v1/streams", { json: { source: `udp://127.0.0.1:${port}`, idle_timeout_s: 4 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.kind, "udp");
    await new Promise((r) => setTimeout(r, 1000)); // the reading ffmpeg binds its port (a datagram before is lost)
    send(["-f", "mpegts", `udp://127.0.0.1:${port}?pkt_size=1316`], 8);
    const st = await until(
      "4 s of UDP recorded",
      async () => (await call(`/v1/streams/${created.body.id}`)).body,
      (b) => b.frames >= 4,
    );
    assert.equal(st.state, "live");
    assert.ok(st.seconds_covered >= 4);
    const del = await call(`/v1/streams/${created.body.id}`, { method: "DELETE" });
    assert.equal(del.body.state, "stopped");
  });
});

test("refusals: bad JSON and values, unknown protocol, a pipe, kinds not allowed, files outside the root, unknown ids", async () => {
  assertError(await call("/v1/streams", { body: "{not json" }), 400, "invalid_json");
  assertError(await call("/v1/streams", { json: {} }), 400, "invalid_value", "source");
  assertError(await call("/v1/streams", { json: { source: "udp://127.0.0.1:9", fps: -1 } }), 400, "invalid_value", "fps");
  const wide = await call("/v1/streams", { json: { source: "udp://127.0.0.1:9", window_s: 7201 } });
  assertError(wide, 400, "invalid_value", "window_s");
  assert.match(wide.body.error.message, /over this server's --stream-window of 7200 s/);
  const ftp = await call("/v1/streams", { json: { source: "ftp://127.0.0.1/x.ts" } });
  assertError(ftp, 400, "invalid_source", "source");
  assert.match(ftp.body.error.message, /ftp:\/\/ is not a live source/);
  assertError(await call("/v1/streams", { json: { source: "http://127.0.0.1/video.mp4" } }), 400, "invalid_source", "source");
  assertError(await call("/v1/streams", { json: { source: "-" } }), 403, "live_source_not_allowed", "source");
  const rtmp = await call("/v1/streams", { json: { source: "rtmp://127.0.0.1/app/key" } });
  assertError(rtmp, 403, "live_source_not_allowed", "source");
  assert.match(rtmp.body.error.message, /kind rtmp are not allowed on this server; it allows udp, file/);
  assertError(await call("/v1/streams", { json: { source: "/dev/video0" } }), 403, "live_source_not_allowed");
  // Files: only under --video-root, symlinks resolved, relative paths taken under the root.
  const outside = mkdtempSync(join(tmpdir(), "hl-outside-"));
  try {
    writeFileSync(join(outside, "secret.ts"), "x");
    symlinkSync(join(outside, "secret.ts"), join(fx.root, "link.ts"));
    for (const source of ["/etc/passwd", join(outside, "secret.ts"), "../secret.ts", `file://${join(outside, "secret.ts")}`, "link.ts"]) {
      const r = await call("/v1/streams", { json: { source } });
      assertError(r, 403, "outside_video_root", "source");
      assert.doesNotMatch(r.body.error.message, new RegExp(outside), "no server path in the message");
    }
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
  for (const method of ["GET", "DELETE"]) assertError(await call("/v1/streams/stream-nope", { method }), 404, "stream_not_found", "id");
  assertError(await call("/v1/chat/completions", { json: { messages: [videoQuestion("stream-nope", Q)] } }), 404, "stream_not_found", "messages");
  assert.deepEqual((await call("/v1/config")).body, { object: "config", model: MODEL, live_sources: ["udp", "file"], video_root: true });
});

describe("other servers", () => {
  const servers: FastifyInstance[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });
  const start = async (o: Parameters<typeof createServer>[0]) => {
    const s = await createServer(o);
    servers.push(s);
    return s.listen({ host: "127.0.0.1", port: 0 });
  };

  test("without --live-sources every source is refused with 403; a file source needs a video root", async () => {
    const base = await start({ app: fx.app, videoRoot: fx.root, cacheDir: join(fx.dir, "cache") });
    assert.deepEqual((await call("/v1/config", { base })).body.live_sources, []);
    for (const source of ["udp://127.0.0.1:9", "growing.ts", join(fx.root, "demo.mp4"), "https://127.0.0.1/live.m3u8", "srt://127.0.0.1:9"]) {
      const r = await call("/v1/streams", { json: { source }, base });
      assertError(r, 403, "live_source_not_allowed", "source");
      assert.match(r.body.error.message, /hourllava serve --live-sources/);
    }
    const noRoot = await start({ app: fx.app, cacheDir: join(fx.dir, "cache"), liveSources: ["file"] });
    for (const source of [join(fx.root, "demo.mp4"), "demo.mp4"])
      assertError(await call("/v1/streams", { json: { source }, base: noRoot }), 403, "outside_video_root", "source");
  });

  test("--max-streams: one more is a 429; a stream with no frame yet answers 409 stream_not_ready; a memory recorded elsewhere 422", async () => {
    const base = await start({ app: fx.app, cacheDir: join(fx.dir, "cache"), liveSources: ["udp"], maxStreams: 1 });
    const a = await call("/v1/streams", { json: { source: `udp://127.0.0.1:${await freeUdpPort()}` }, base });
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assertError(await call("/v1/streams", { json: { source: `udp://127.0.0.1:${await freeUdpPort()}` }, base }), 429, "too_many_streams");
    assertError(await call("/v1/chat/completions", { json: { messages: [videoQuestion(a.body.id, Q)] }, base }), 409, "stream_not_ready", "messages");
    assert.equal((await call(`/v1/streams/${a.body.id}`, { method: "DELETE", base })).status, 200);
    const port = await freeUdpPort();
    const b = await call("/v1/streams", { json: { source: `udp://127.0.0.1:${port}` }, base });
    assert.equal(b.status, 201, "a deleted stream frees its place");
    // The same source on another server over the same cache: its memory is being recorded, so it cannot start.
    const busy = await call("/v1/streams", { json: { source: `udp://127.0.0.1:${port}` } });
    assertError(busy, 422, "stream_failed", "source");
    assert.match(busy.body.error.message, /being recorded by another process/);
    assert.ok(!(await call("/v1/streams")).body.data.some((s) => s.source === `udp://127.0.0.1:${port}`), "a stream that failed to start is not kept");
  });
});
