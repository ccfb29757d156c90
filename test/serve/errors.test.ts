// Every refusal of `serve` as OpenAI-style JSON with its status, type and code: through the openai client
// (its error classes) and through plain fetch for what the client cannot send (bad JSON, foreign hosts).
import assert from "node:assert/strict";
import { symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import OpenAI from "openai";
import { JobQueue } from "../../src/serve/queue.ts";
import { MODEL, SAMPLE, auth, useServer, videoQuestion } from "./server-fixture.ts";

const KEY = "sk-test-key";
const queue = new JobQueue({ maxWaiting: 1 });
const fx = useServer({ apiKey: KEY, maxBodyBytes: 64 * 1024, maxUploadBytes: 16 * 1024, queue });
const Q = "What colour is the circle?";

interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Sends a request with fetch; returns status, headers and the parsed error body. */
async function call(path: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = { ...auth(KEY), ...(init.json !== undefined ? { "content-type": "application/json" } : {}), ...(init.headers as Record<string, string>) };
  const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
  const res = await fetch(`${fx.url}${path}`, { method: init.json !== undefined ? "POST" : "GET", ...init, headers, body });
  return { status: res.status, headers: res.headers, body: (await res.json()) as ErrorBody };
}

const chat = (body: object) => call("/v1/chat/completions", { json: { model: MODEL, ...body } });

function assertError(r: { status: number; body: ErrorBody }, status: number, type: string, code: string, param?: string | null) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.type, type);
  assert.equal(r.body.error.code, code);
  assert.ok(r.body.error.message.length > 0);
  if (param !== undefined) assert.equal(r.body.error.param, param);
}

test("the openai client sees a missing or wrong key as 401, an unknown model as 404; /health needs no key", async () => {
  const anon = new OpenAI({ baseURL: `${fx.url}/v1`, apiKey: "wrong", maxRetries: 0 });
  await assert.rejects(
    anon.models.list(),
    (e: unknown) => e instanceof OpenAI.AuthenticationError && (e.error as ErrorBody["error"]).code === "invalid_api_key",
  );
  const none = await fetch(`${fx.url}/v1/models`);
  assert.equal(none.status, 401);
  assert.equal(((await none.json()) as ErrorBody).error.code, "missing_api_key");
  assert.equal((await fetch(`${fx.url}/health`)).status, 200);
  await assert.rejects(
    fx.client.chat.completions.create({ model: "gpt-4o", messages: [videoQuestion(fx.demo, Q)] }),
    (e: unknown) => e instanceof OpenAI.NotFoundError && (e.error as ErrorBody["error"]).code === "model_not_found",
  );
});

test("bad requests: no question, bad JSON, bad parameter values, unsupported parts and roles", async () => {
  // A text-only request is answered (test/serve/text-only.test.ts); a role serve does not know is refused.
  assertError(
    await chat({
      messages: [
        { role: "tool", content: "x" },
        { role: "user", content: Q },
      ],
    }),
    400,
    "invalid_request_error",
    "invalid_value",
    "messages[0].role",
  );
  assertError(await chat({ messages: [videoQuestion(fx.demo, " ")] }), 400, "invalid_request_error", "missing_question");
  assertError(await chat({ messages: [videoQuestion(fx.demo, Q), videoQuestion(fx.clip, Q)] }), 400, "invalid_request_error", "too_many_videos");
  assertError(await chat({ messages: [videoQuestion(fx.demo, Q), { role: "assistant", content: "x" }] }), 400, "invalid_request_error", "invalid_value");
  // A system message replaces the template's at the start; after the user's turn it is refused.
  assertError(
    await chat({ messages: [videoQuestion(fx.demo, Q), { role: "system", content: "be brief" }] }),
    400,
    "invalid_request_error",
    "invalid_value",
    "messages[1].role",
  );
  const image = (url: string) => ({
    role: "user",
    content: [
      { type: "image_url", image_url: { url } },
      { type: "text", text: Q },
    ],
  });
  assertError(await chat({ messages: [image("x"), videoQuestion(fx.demo, Q)] }), 400, "invalid_request_error", "too_many_videos", "messages");
  assertError(await chat({ messages: [image("data:video/mp4;base64,aGk=")] }), 400, "invalid_request_error", "invalid_url", "messages");
  writeFileSync(join(fx.root, "notes.png"), "this is not an image\n");
  assertError(await chat({ messages: [image(`file://${join(fx.root, "notes.png")}`)] }), 422, "invalid_request_error", "unreadable_image", "messages");
  const audio = { role: "user", content: [{ type: "input_audio", input_audio: { data: "", format: "wav" } }] };
  assertError(await chat({ messages: [audio, videoQuestion(fx.demo, Q)] }), 400, "invalid_request_error", "unsupported_content", "messages[0].content[0]");
  assertError(await chat({ messages: [] }), 400, "invalid_request_error", "invalid_value", "messages");
  for (const [param, value] of [
    ["temperature", -1],
    ["temperature", 3],
    ["top_p", 0],
    ["max_tokens", 0],
    ["max_tokens", 1.5],
    ["seed", -1],
    ["n", 2],
    ["stream", "yes"],
  ] as const) {
    assertError(await chat({ messages: [videoQuestion(fx.demo, Q)], [param]: value }), 400, "invalid_request_error", "invalid_value", param);
  }
  const bad = await call("/v1/chat/completions", { method: "POST", body: "{not json", headers: { "content-type": "application/json" } });
  assertError(bad, 400, "invalid_request_error", "invalid_json");
  assertError(await call("/v1/nothing"), 404, "not_found_error", "unknown_route");
});

test("videos: outside --video-root 403 (also through a symlink), unknown id 404, unreadable 422, a URL to fetch 400", async () => {
  assertError(await chat({ messages: [videoQuestion(`file://${SAMPLE}`, Q)] }), 403, "permission_error", "outside_video_root", "messages");
  assertError(await chat({ messages: [videoQuestion(`file://${fx.root}/../../etc/passwd`, Q)] }), 403, "permission_error", "outside_video_root");
  symlinkSync("/etc/hostname", join(fx.root, "escape.mp4"));
  assertError(await chat({ messages: [videoQuestion(`file://${join(fx.root, "escape.mp4")}`, Q)] }), 403, "permission_error", "outside_video_root");
  assertError(await chat({ messages: [videoQuestion("file-000000000000000000000000", Q)] }), 404, "not_found_error", "file_not_found");
  assertError(await chat({ messages: [videoQuestion("../../etc/passwd", Q)] }), 404, "not_found_error", "file_not_found");
  assertError(await chat({ messages: [videoQuestion(`file://${join(fx.root, "nope.mp4")}`, Q)] }), 404, "not_found_error", "video_not_found");
  writeFileSync(join(fx.root, "notes.mp4"), "this is not a video\n".repeat(20));
  assertError(await chat({ messages: [videoQuestion(`file://${join(fx.root, "notes.mp4")}`, Q)] }), 422, "invalid_request_error", "unreadable_video");
  assertError(await chat({ messages: [videoQuestion("https://example.com/v.mp4", Q)] }), 400, "invalid_request_error", "unsupported_url");
  assertError(await chat({ messages: [videoQuestion("data:text/plain;base64,aGk=", Q)] }), 400, "invalid_request_error", "invalid_url");
  assertError(await call(`/v1/videos/root-${Buffer.from("/etc/passwd").toString("base64url")}`), 404, "not_found_error", "video_not_found");
  assertError(await chat({ messages: [videoQuestion(fx.demo, Q)], max_tokens: 100_000 }), 400, "invalid_request_error", "context_length_exceeded", "messages");
});

test("bodies and uploads over their limits are 413; an upload that is no video is 422 and not kept", async () => {
  const big = `data:video/mp4;base64,${Buffer.alloc(100 * 1024).toString("base64")}`;
  assertError(await chat({ messages: [videoQuestion(big, Q)] }), 413, "invalid_request_error", "payload_too_large");
  const form = (bytes: Buffer) => {
    const f = new FormData();
    f.append("purpose", "user_data");
    f.append("file", new Blob([new Uint8Array(bytes)]), "v.mp4");
    return f;
  };
  assertError(await call("/v1/files", { method: "POST", body: form(Buffer.alloc(32 * 1024)) }), 413, "invalid_request_error", "payload_too_large");
  assertError(
    await call("/v1/files", { method: "POST", body: form(Buffer.from("not a video at all\n".repeat(10))) }),
    422,
    "invalid_request_error",
    "unreadable_video",
    "file",
  );
  assertError(await call("/v1/files", { json: { file: "x" } }), 415, "invalid_request_error", "unsupported_media_type");
  const files = (await (await fetch(`${fx.url}/v1/files`, { headers: auth(KEY) })).json()) as { data: unknown[] };
  assert.deepEqual(files.data, []);
});

test("paths do not leak: no error body names the server's folders (uploads, cache, video root, temp, home)", async () => {
  const bodies: ErrorBody[] = [];
  const keep = (r: { body: ErrorBody }) => (bodies.push(r.body), r);
  writeFileSync(join(fx.root, "broken.mp4"), "this is not a video\n".repeat(20));
  keep(await chat({ messages: [videoQuestion(`file://${join(fx.root, "broken.mp4")}`, Q)] }));
  keep(await chat({ messages: [videoQuestion(`file://${fx.root}/../secret.mp4`, Q)] }));
  keep(await chat({ messages: [videoQuestion(`file://${join(fx.root, "missing", "v.mp4")}`, Q)] }));
  keep(await chat({ messages: [videoQuestion(`data:video/mp4;base64,${Buffer.from("garbage video bytes".repeat(9)).toString("base64")}`, Q)] }));
  const f = new FormData();
  f.append("file", new Blob([new Uint8Array(Buffer.from("no video\n".repeat(30)))]), "v.mp4");
  keep(await call("/v1/files", { method: "POST", body: f }));
  keep(await call(`/v1/videos/root-${Buffer.from("missing/v.mp4").toString("base64url")}/encode`, { method: "POST" }));
  assert.equal(bodies.length, 6);
  // orphans: the rejected data: URL video is not kept in uploads/
  const files = (await (await fetch(`${fx.url}/v1/files`, { headers: auth(KEY) })).json()) as { data: unknown[] };
  assert.deepEqual(files.data, []);
  for (const b of bodies) {
    assert.ok(b.error?.message, JSON.stringify(b));
    for (const secret of [fx.dir, fx.root, tmpdir(), homedir()])
      assert.ok(!b.error.message.includes(secret), `${JSON.stringify(b.error.message)} names ${secret}`);
  }
});

test("a Host header naming another site is refused on a loopback server", async () => {
  const { request } = await import("node:http");
  const status = await new Promise<number>((resolve, reject) => {
    const u = new URL(fx.url);
    const req = request({ host: u.hostname, port: u.port, path: "/health", headers: { host: "evil.example:80" } }, (res) => resolve(res.statusCode!));
    req.on("error", reject);
    req.end();
  });
  assert.equal(status, 403);
});

test("a full queue answers 429 with Retry-After; a waiting request whose client leaves is dropped from the queue", async () => {
  let release!: () => void;
  const done = queue.stats.done;
  const busy = queue.run(() => new Promise<void>((r) => (release = r)), new AbortController().signal); // holds the one slot
  const leaver = new AbortController();
  const waiting = fx.client.chat.completions.create({ model: MODEL, messages: [videoQuestion(fx.demo, Q)] }, { signal: leaver.signal });
  while (queue.stats.waiting < 1) await new Promise((r) => setTimeout(r, 10));
  const full = await chat({ messages: [videoQuestion(fx.demo, Q)] });
  assertError(full, 429, "rate_limit_error", "queue_full");
  assert.match(full.headers.get("retry-after") ?? "", /^[1-9]\d*$/);
  leaver.abort();
  await assert.rejects(waiting, (e: unknown) => e instanceof OpenAI.APIUserAbortError);
  while (queue.stats.waiting > 0) await new Promise((r) => setTimeout(r, 10)); // hangs (test timeout) if never dropped
  release();
  await busy;
  assert.equal(queue.stats.done, done + 1, "the abandoned request never ran");
});
