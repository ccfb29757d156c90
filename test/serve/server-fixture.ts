// A running `serve` on loopback for a test file: the tiny default model, a fresh cache and upload folder, and a
// --video-root holding the sample video and a generated testsrc clip; an `openai` client pointed at it.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import OpenAI from "openai";
import type { FastifyInstance } from "fastify";
import { HourLlavaApp, finalAnswer } from "../../src/app/app.ts";
import { createServer, type ServeOptions } from "../../src/serve/server.ts";
import { testsrcClip } from "../video/clips.ts";

export const SAMPLE = join(import.meta.dirname, "..", "..", "samples", "demo.mp4");
export const MODEL = "hourllava-tiny";

export interface ServerFixture {
  dir: string;
  root: string;
  url: string;
  app: HourLlavaApp;
  server: FastifyInstance;
  client: OpenAI;
  /** Video ids under the root: the sample and the testsrc clip. */
  demo: string;
  clip: string;
}

/** Starts the server before the file's tests and stops it after them. */
export function useServer(opts: Partial<ServeOptions> = {}): ServerFixture {
  const fx = {} as ServerFixture;
  before(async () => {
    fx.dir = mkdtempSync(join(tmpdir(), "hl-serve-"));
    fx.root = join(fx.dir, "videos");
    mkdirSync(fx.root);
    copyFileSync(SAMPLE, join(fx.root, "demo.mp4"));
    testsrcClip(fx.root, "clip.mp4");
    fx.app = await HourLlavaApp.load(undefined, { cacheDir: join(fx.dir, "cache"), quiet: true });
    fx.server = await createServer({ app: fx.app, videoRoot: fx.root, cacheDir: join(fx.dir, "cache"), ...opts });
    fx.url = await fx.server.listen({ host: "127.0.0.1", port: 0 });
    fx.client = new OpenAI({ baseURL: `${fx.url}/v1`, apiKey: opts.apiKey ?? "none", maxRetries: 0 });
    const ids = new Map(
      ((await (await fetch(`${fx.url}/v1/videos`, { headers: auth(opts.apiKey) })).json()) as { data: { id: string; name: string }[] }).data.map(
        (v: { id: string; name: string }) => [v.name, v.id],
      ),
    );
    fx.demo = ids.get("demo.mp4") as string;
    fx.clip = ids.get("clip.mp4") as string;
  });
  after(async () => {
    await fx.server?.close();
    rmSync(fx.dir, { recursive: true, force: true });
  });
  return fx;
}

export const auth = (key?: string): Record<string, string> => (key ? { authorization: `Bearer ${key}` } : {});

/** A user message holding the video and the question, as OpenAI clients send it. */
export function videoQuestion(url: string, question: string) {
  return {
    role: "user" as const,
    content: [
      { type: "video_url", video_url: { url } },
      { type: "text", text: question },
    ] as unknown as OpenAI.Chat.ChatCompletionContentPart[], // video_url is the vLLM extension the SDK does not type
  };
}

/** The answers of the app's Chat (what `hourllava ask`/`chat` run) to questions asked in turn about one video. */
export async function chatAnswers(fx: ServerFixture, path: string, questions: string[], opts = {}): Promise<string[]> {
  const chat = fx.app.chat(await fx.app.remember(path));
  const out: string[] = [];
  for (const q of questions) {
    out.push((await finalAnswer(chat.send(q, opts))).text);
  }
  return out;
}

/** A streamed chat completion collected: the text, its pieces, the finish reason and the usage chunk. */
export async function streamedChat(fx: ServerFixture, messages: OpenAI.Chat.ChatCompletionMessageParam[], extra: object = {}) {
  const stream = await fx.client.chat.completions.create({ model: MODEL, messages, stream: true, stream_options: { include_usage: true }, ...extra });
  const pieces: string[] = [];
  let finish: string | null = null;
  let usage: OpenAI.Completions.CompletionUsage | undefined;
  for await (const c of stream) {
    if (c.choices[0]?.delta.content) pieces.push(c.choices[0].delta.content);
    finish = c.choices[0]?.finish_reason ?? finish;
    usage = c.usage ?? usage;
  }
  return { text: pieces.join(""), pieces, finish, usage };
}
