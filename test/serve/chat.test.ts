// The OpenAI client against `serve`: answers (whole and streamed) equal the app's and the CLI's for the same
// video, question and seed; multi-turn history; uploads and data: URLs; images; models, videos, memories.
import OpenAI from "openai";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { toFile } from "openai";
import { finalAnswer } from "../../src/app/app.ts";
import { MODEL, SAMPLE, chatAnswers, useServer, videoQuestion, streamedChat } from "./server-fixture.ts";

const fx = useServer();
const Q = "How many times did the scene change?";

const streamed = (messages: OpenAI.Chat.ChatCompletionMessageParam[], extra: object = {}) => streamedChat(fx, messages, extra);

test("a whole answer and a streamed one equal the app's answer for the same video, question and seed", async () => {
  const path = join(fx.root, "demo.mp4");
  for (const opts of [{}, { temperature: 1, seed: 7, max_tokens: 12 }]) {
    const ask = {
      maxNewTokens: (opts as { max_tokens?: number }).max_tokens,
      temperature: (opts as { temperature?: number }).temperature,
      seed: (opts as { seed?: number }).seed,
    };
    const [want] = await chatAnswers(fx, path, [Q], ask);
    const whole = await fx.client.chat.completions.create({ model: MODEL, messages: [videoQuestion(fx.demo, Q)], ...opts });
    assert.equal(whole.choices[0].message.content, want);
    assert.equal(whole.object, "chat.completion");
    assert.ok(["stop", "length"].includes(whole.choices[0].finish_reason));
    assert.ok(whole.usage!.prompt_tokens > 64 && whole.usage!.completion_tokens >= 1); // the prompt holds the video tokens
    const s = await streamed([videoQuestion(`file://${path}`, Q)], opts);
    assert.equal(s.text, want);
    assert.equal(s.finish, whole.choices[0].finish_reason);
    assert.deepEqual(s.usage, whole.usage);
  }
});

test("the answer equals `hourllava ask --json` for the same video, question and seed", async () => {
  const r = spawnSync(process.execPath, ["bin/hourllava.js", "ask", SAMPLE, Q, "--json", "--seed", "3", "--temperature", "1", "--max-tokens", "10"], {
    encoding: "utf8",
    env: { ...process.env, HOURLLAVA_CACHE: join(fx.dir, "cache") },
  });
  assert.equal(r.status, 0, r.stderr);
  const cli = JSON.parse(r.stdout) as { answer: string };
  const got = await fx.client.chat.completions.create({ model: MODEL, messages: [videoQuestion(fx.demo, Q)], seed: 3, temperature: 1, max_tokens: 10 });
  assert.equal(got.choices[0].message.content, cli.answer);
});

test("multi-turn: history sent back by the client gives the app Chat's answers", async () => {
  const qs = ["What colour is the circle?", "And after that?", Q];
  const want = await chatAnswers(fx, join(fx.root, "clip.mp4"), qs, { temperature: 1, seed: 5, maxNewTokens: 8 });
  const messages: Parameters<typeof fx.client.chat.completions.create>[0]["messages"] = [];
  const got: string[] = [];
  for (const [i, q] of qs.entries()) {
    messages.push(i === 0 ? videoQuestion(fx.clip, q) : { role: "user", content: q });
    const r = await fx.client.chat.completions.create({ model: MODEL, messages, temperature: 1, seed: 5, max_tokens: 8 });
    got.push(r.choices[0].message.content!);
    messages.push({ role: "assistant", content: r.choices[0].message.content! });
  }
  assert.deepEqual(got, want);
});

test("an image_url (data: URL, or a file under --video-root) is answered as `hourllava ask photo.png` answers it", async () => {
  const png = join(import.meta.dirname, "..", "..", "samples", "demo.png");
  const q = "What scene is shown?";
  const want = await finalAnswer(fx.app.ask(await fx.app.rememberImage(png), q));
  copyFileSync(png, join(fx.root, "demo.png"));
  for (const url of [`data:image/png;base64,${readFileSync(png).toString("base64")}`, `file://${join(fx.root, "demo.png")}`]) {
    const got = await fx.client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: "user",
          content: [
            { type: "image_url", image_url: { url } },
            { type: "text", text: q },
          ],
        },
      ],
    });
    assert.equal(got.choices[0].message.content, want.text);
    assert.equal(got.usage!.prompt_tokens, want.promptTokens);
  }
});

test("upload, then ask by file id; a data: URL asks the same; the video and its memory are listed", async () => {
  const bytes = readFileSync(join(fx.root, "clip.mp4"));
  const f = await fx.client.files.create({ file: await toFile(bytes, "my clip.mp4"), purpose: "user_data" });
  assert.match(f.id, /^file-[0-9a-f]{24}$/);
  assert.equal(f.bytes, bytes.length);
  assert.equal(f.filename, "my clip.mp4");
  const [want] = await chatAnswers(fx, join(fx.root, "clip.mp4"), [Q]);
  const byId = await fx.client.chat.completions.create({ model: MODEL, messages: [videoQuestion(f.id, Q)] });
  assert.equal(byId.choices[0].message.content, want);
  const dataUrl = `data:video/mp4;base64,${bytes.toString("base64")}`;
  const byData = await fx.client.chat.completions.create({ model: MODEL, messages: [videoQuestion(dataUrl, Q)] });
  assert.equal(byData.choices[0].message.content, want);

  const info = (await (await fetch(`${fx.url}/v1/videos/${f.id}`)).json()) as { frames: number; duration_s: number; cached: boolean; memory_key: string };
  assert.equal(info.frames, 100); // 4 s at 25 fps: every frame (fewer than 128: the model repeats them)
  assert.equal(info.duration_s, 4);
  assert.equal(info.cached, true);
  const list = (await (await fetch(`${fx.url}/v1/videos`)).json()) as { data: { id: string; source: string }[] };
  assert.ok(list.data.some((v) => v.id === f.id && v.source === "upload"));
  const mems = (await (await fetch(`${fx.url}/v1/memories`)).json()) as { data: { key: string; bytes: number }[] };
  assert.ok(mems.data.some((m) => m.key === info.memory_key && m.bytes > 0));
});

test("encode streams progress events, then done; deleting the memory makes the video uncached", async () => {
  const res = await fetch(`${fx.url}/v1/videos/${fx.clip}/encode`, { method: "POST" });
  assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const text = await res.text();
  const events = [...text.matchAll(/event: (\w+)\ndata: (.*)\n/g)].map((m) => ({ event: m[1], data: JSON.parse(m[2]) }));
  const last = events[events.length - 1];
  assert.equal(last.event, "done");
  assert.equal(last.data.cached, true);
  const key = last.data.memory_key as string;
  assert.ok(events.every((e) => e.event !== "error"));
  const del = await fetch(`${fx.url}/v1/memories/${key}`, { method: "DELETE" });
  assert.equal(del.status, 200);
  const info = (await (await fetch(`${fx.url}/v1/videos/${fx.clip}`)).json()) as { cached: boolean };
  assert.equal(info.cached, false);
  const again = await fetch(`${fx.url}/v1/videos/${fx.clip}/encode`, { method: "POST" });
  const progress = [...(await again.text()).matchAll(/event: progress\ndata: (.*)\n/g)].map((m) => JSON.parse(m[1]) as { done: number; total: number });
  assert.ok(progress.length >= 2, "an encode from scratch reports progress per batch");
  assert.deepEqual(progress[progress.length - 1], { done: 100, total: 100 });
});

test("models, health and a thumbnail", async () => {
  const models = await fx.client.models.list();
  assert.deepEqual(
    models.data.map((m) => m.id),
    [MODEL],
  );
  const h = (await (await fetch(`${fx.url}/health`)).json()) as { status: string };
  assert.equal(h.status, "ok");
  const th = await fetch(`${fx.url}/v1/videos/${fx.demo}/thumbnail?t=10&w=64`);
  assert.equal(th.headers.get("content-type"), "image/jpeg");
  const jpeg = Buffer.from(await th.arrayBuffer());
  assert.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8]);
});
