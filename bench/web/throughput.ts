// Browser vs Node on the same model in one run: vision-encoder frames/s over the demo video's sampled frames and
// decode tokens/s over answers to the demo questions; headless Chromium on onnxruntime-web (WASM) beside
// onnxruntime-node (CPU). Sessions are built before the timed questions on both sides (the encode includes its
// session build on both). Prints one JSON object with the ratios. Needs /usr/bin/chromium.
//   node --import tsx bench/web/throughput.ts [--questions N]
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HourLlavaApp } from "../../src/app/app.ts";
import { chromiumMissing } from "../../test/web/chromium.ts";
import { SAMPLES, pickVideo, startWebPage } from "../../test/web/web-page.ts";
import type { HourLlavaPage } from "../../test/web/web-page.ts";

const n = Number(process.argv[process.argv.indexOf("--questions") + 1]) || 5;
const missing = chromiumMissing();
if (missing) {
  console.error(missing);
  process.exit(1);
}
const demo = join(SAMPLES, "demo.mp4");
const questions = (JSON.parse(readFileSync(join(SAMPLES, "demo.json"), "utf8")) as { questions: { question: string }[] }).questions
  .slice(0, n)
  .map((q) => q.question);

interface Side {
  frames: number;
  decodeS: number;
  encodeS: number;
  tokens: number;
  generateS: number;
  memAugS: number;
  prefillS: number;
}

function rates(s: Side) {
  return {
    frames: s.frames,
    vision_frames_per_s: s.frames / s.encodeS,
    decode_frames_per_s: s.frames / s.decodeS,
    // The first token of each answer comes from the prefill; the rest are decode steps.
    decode_tokens_per_s: (s.tokens - questions.length) / s.generateS,
    tokens: s.tokens,
    memaug_s_per_question: s.memAugS / questions.length,
    prefill_s_per_question: s.prefillS / questions.length,
  };
}

async function nodeSide(): Promise<Side & { threads: number }> {
  const cacheDir = mkdtempSync(join(tmpdir(), "hourllava-bench-web-"));
  try {
    const app = await HourLlavaApp.load(undefined, { cacheDir, noCache: true, quiet: true });
    const mem = await app.remember(demo);
    const side = { frames: mem.frames, decodeS: mem.timings.decodeS, encodeS: mem.timings.encodeS, tokens: 0, generateS: 0, memAugS: 0, prefillS: 0 };
    await app.warmUp(); // the browser side warms up the same way: sessions built before the timed questions
    for (const q of questions) {
      const it = app.ask(mem, q);
      let r = await it.next();
      while (!r.done) r = await it.next();
      side.tokens += r.value.timings.tokens;
      side.generateS += r.value.timings.generateS;
      side.memAugS += r.value.timings.memAugS;
      side.prefillS += r.value.timings.prefillS;
    }
    return { ...side, threads: app.model.runtime.threads };
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

async function browserSide(): Promise<Side & { threads: number; device: string }> {
  const web = await startWebPage();
  try {
    const { page } = await web.open();
    await pickVideo(page, demo);
    const mem = await page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.state.mem!);
    const side = { frames: mem.frames, decodeS: mem.timings.decodeS, encodeS: mem.timings.encodeS, tokens: 0, generateS: 0, memAugS: 0, prefillS: 0 };
    await page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.warmUp());
    for (const q of questions) {
      const t = (await page.evaluate((question) => (globalThis as unknown as HourLlavaPage).hourllava.ask(question), q)).timings;
      side.tokens += t.tokens;
      side.generateS += t.generateS;
      side.memAugS += t.memAugS;
      side.prefillS += t.prefillS;
    }
    return { ...side, ...(await page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.runtime())) };
  } finally {
    await web.close();
  }
}

const node = await nodeSide();
const browser = await browserSide();
const b = rates(browser);
const nd = rates(node);
console.log(
  JSON.stringify(
    {
      model: "models/hourllava-tiny",
      video: "samples/demo.mp4",
      questions: questions.length,
      node: { runtime: "onnxruntime-node cpu", threads: node.threads, ...nd },
      browser: { runtime: `onnxruntime-web ${browser.device === "cpu" ? "wasm" : browser.device} in headless Chromium`, threads: browser.threads, ...b },
      browser_over_node: {
        vision_frames_per_s: b.vision_frames_per_s / nd.vision_frames_per_s,
        decode_tokens_per_s: b.decode_tokens_per_s / nd.decode_tokens_per_s,
        memaug_s: b.memaug_s_per_question / nd.memaug_s_per_question,
        prefill_s: b.prefill_s_per_question / nd.prefill_s_per_question,
      },
    },
    null,
    2,
  ),
);
