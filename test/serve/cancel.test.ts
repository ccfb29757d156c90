// A client that leaves stops its work: an encode ends at its next batch (its finished parts stay, and the next
// request resumes them), a streamed answer stops generating; the queue is free for the next request either way.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { JobQueue } from "../../src/serve/queue.ts";
import { createServer } from "../../src/serve/server.ts";
import { MODEL, chatAnswers, useServer, videoQuestion } from "./server-fixture.ts";

const fx = useServer();
const idle = async () => {
  for (;;) {
    const h = (await (await fetch(`${fx.url}/health`)).json()) as { queue: { running: number; waiting: number } };
    if (h.queue.running === 0 && h.queue.waiting === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
};

test("an encode whose client leaves stops with its parts kept; the next question resumes it", { timeout: 120_000 }, async () => {
  const { memory_key: key } = (await (await fetch(`${fx.url}/v1/videos/${fx.demo}`)).json()) as { memory_key: string };
  const ctl = new AbortController();
  const res = await fetch(`${fx.url}/v1/videos/${fx.demo}/encode`, { method: "POST", signal: ctl.signal });
  const reader = res.body!.getReader();
  let seen = "";
  while (!seen.includes("event: progress")) seen += new TextDecoder().decode((await reader.read()).value);
  ctl.abort();
  await idle();
  const info = (await (await fetch(`${fx.url}/v1/videos/${fx.demo}`)).json()) as { cached: boolean };
  assert.equal(info.cached, false, "the encode stopped before its end");
  assert.ok(existsSync(join(fx.dir, "cache", `${key}.partial`)), "its finished batches are kept");
  const Q = "What colour is the circle?";
  const got = await fx.client.chat.completions.create({ model: MODEL, messages: [videoQuestion(fx.demo, Q)] });
  assert.equal(got.choices[0].message.content, (await chatAnswers(fx, join(fx.root, "demo.mp4"), [Q]))[0]);
});

test("a streamed answer whose client leaves frees the queue; the next request is answered", { timeout: 120_000 }, async () => {
  const ctl = new AbortController();
  const stream = await fx.client.chat.completions.create(
    { model: MODEL, messages: [videoQuestion(fx.clip, "Describe everything.")], stream: true, max_tokens: 2000, temperature: 1, seed: 1 },
    { signal: ctl.signal },
  );
  for await (const _ of stream) break; // the first chunk, then away
  ctl.abort();
  await idle();
  const next = await fx.client.chat.completions.create({ model: MODEL, messages: [videoQuestion(fx.clip, "What colour is the circle?")], max_tokens: 4 });
  assert.ok(next.choices[0].message.content !== null);
});

test("a request still waiting when --request-timeout runs out gets 504", async () => {
  const queue = new JobQueue({ maxWaiting: 4 });
  const server = await createServer({ app: fx.app, videoRoot: fx.root, cacheDir: join(fx.dir, "cache"), queue, requestTimeoutS: 0.2 });
  const url = await server.listen({ host: "127.0.0.1", port: 0 });
  let release!: () => void;
  const busy = queue.run(() => new Promise<void>((r) => (release = r)), new AbortController().signal); // holds the one slot
  try {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: MODEL, messages: [videoQuestion(fx.demo, "What colour is the circle?")] }),
    });
    assert.equal(res.status, 504);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, "timeout");
    assert.equal(queue.stats.waiting, 0);
  } finally {
    release();
    await busy;
    await server.close();
  }
});
