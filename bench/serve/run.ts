// `serve` under 1, 4 and 16 concurrent streaming clients (tiny model, the sample video, its memory cached):
// time to first token, decode tokens/s and requests/s, as JSON; and 4 clients with 2 compute jobs at once
// beside 1 (the --jobs default). Run: node --import tsx bench/serve/run.ts
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { HourLlavaApp } from "../../src/app/app.ts";
import { createServer } from "../../src/serve/server.ts";

const dir = mkdtempSync(join(tmpdir(), "hl-bench-serve-"));
const root = join(dir, "videos");
mkdirSync(root);
copyFileSync(join(import.meta.dirname, "..", "..", "samples", "demo.mp4"), join(root, "demo.mp4"));
const app = await HourLlavaApp.load(undefined, { cacheDir: join(dir, "cache"), quiet: true });
const video = `file://${join(root, "demo.mp4")}`;
const QUESTIONS = ["How many times did the scene change?", "What colour is the circle?", "What happened first?", "Where is the square?"];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function one(client: OpenAI, i: number) {
  const t0 = performance.now();
  let tFirst = 0;
  let tokens = 0;
  const stream = await client.chat.completions.create({
    model: "hourllava-tiny",
    messages: [{ role: "user", content: [{ type: "video_url", video_url: { url: video } } as never, { type: "text", text: QUESTIONS[i % 4] }] }],
    stream: true,
    stream_options: { include_usage: true },
    temperature: 1,
    seed: i,
    max_tokens: 64,
  });
  for await (const c of stream) {
    if (c.choices[0]?.delta.content && !tFirst) tFirst = performance.now();
    tokens = c.usage?.completion_tokens ?? tokens;
  }
  const t1 = performance.now();
  return { ttftS: ((tFirst || t1) - t0) / 1000, decodeS: (t1 - (tFirst || t1)) / 1000, tokens };
}

async function measure(jobs: number, clientCounts: number[]) {
  const server = await createServer({ app, videoRoot: root, cacheDir: join(dir, "cache"), maxWaiting: 64, jobs });
  const client = new OpenAI({ baseURL: `${await server.listen({ host: "127.0.0.1", port: 0 })}/v1`, apiKey: "none", maxRetries: 0 });
  await one(client, 0); // encodes the memory (first time) and compiles the graphs
  const rows = [];
  for (const clients of clientCounts) {
    const perClient = Math.max(2, 32 / clients);
    const t0 = performance.now();
    const runs = (
      await Promise.all(
        Array.from({ length: clients }, async (_, c) => {
          const out = [];
          for (let k = 0; k < perClient; k++) out.push(await one(client, c * 100 + k));
          return out;
        }),
      )
    ).flat();
    const wall = (performance.now() - t0) / 1000;
    const decodeTokens = runs.reduce((s, r) => s + Math.max(0, r.tokens - 1), 0);
    const decodeS = runs.reduce((s, r) => s + r.decodeS, 0);
    rows.push({
      jobs,
      clients,
      requests: runs.length,
      ttft_median_s: +median(runs.map((r) => r.ttftS)).toFixed(3),
      ttft_max_s: +Math.max(...runs.map((r) => r.ttftS)).toFixed(3),
      tokens_mean: +(runs.reduce((s, r) => s + r.tokens, 0) / runs.length).toFixed(1),
      decode_tokens_per_s: decodeS > 0 ? +(decodeTokens / decodeS).toFixed(1) : null,
      requests_per_s: +(runs.length / wall).toFixed(2),
    });
  }
  await server.close();
  return rows;
}

const rows = [...(await measure(1, [1, 4, 16])), ...(await measure(2, [4]))];
process.stdout.write(JSON.stringify({ model: "hourllava-tiny", video: "samples/demo.mp4 (150 frames, memory cached)", rows }, null, 1) + "\n");
rmSync(dir, { recursive: true, force: true });
