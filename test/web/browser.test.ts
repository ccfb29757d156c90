// The inference path in real headless Chromium on onnxruntime-web's WASM backend, against the Node path: the demo
// video's memory (from the browser's own decoder, and from ffmpeg's frames handed to the page), answer tokens,
// and a reload that reuses the memory stored in IndexedDB.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HourLlavaApp, finalAnswer } from "../../src/app/app.ts";
import type { VideoMemory } from "../../src/app/app.ts";
import { decodeFrames } from "../../src/video/frames.ts";
import { planFrames } from "../../src/video/video-frames.ts";
import { relErr } from "../helpers/model-outputs.ts";
import { chromiumMissing } from "./chromium.ts";
import { SAMPLES, f32FromBase64, pickVideo, startWebPage } from "./web-page.ts";
import type { HourLlavaPage, WebPage } from "./web-page.ts";

const DEMO = join(SAMPLES, "demo.mp4");
const QUESTIONS = (JSON.parse(readFileSync(join(SAMPLES, "demo.json"), "utf8")) as { questions: { question: string }[] }).questions
  .slice(0, 2)
  .map((q) => q.question);

/** Chromium decodes the same YUV as ffmpeg; the page converts it to RGB as swscale does, to within 2 levels (measured: 2). */
const MAX_LEVEL_DIFF = 2;
/** Memory rows (f16-cached, as Node's default), browser-decoded vs ffmpeg frames: max |Δ| / max |Node row| (measured 5.3e-3). */
const DECODED_ROWS_TOL = 0.02;
/** The same frames on WASM and native ORT: kernels round differently, then f16 caching may flip a last bit (measured 2.0e-4). */
const SAME_FRAMES_ROWS_TOL = 1e-3;

const skip = chromiumMissing();

describe("the browser build in headless Chromium (WASM)", { skip }, () => {
  let web: WebPage;
  let app: HourLlavaApp;
  let mem: VideoMemory;
  let cacheDir: string;
  let ffmpegRgb: Uint8Array;

  before(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), "hourllava-web-cache-"));
    app = await HourLlavaApp.load(undefined, { cacheDir, quiet: true });
    mem = await app.remember(DEMO);
    const plan = await planFrames(DEMO);
    const frames: Uint8Array[] = [];
    for await (const f of decodeFrames(DEMO, plan.sample.indices, { info: plan.info })) frames.push(f.rgb);
    ffmpegRgb = Buffer.concat(frames);
    web = await startWebPage();
  });

  after(async () => {
    await web?.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  test("Chromium's decoded frames are ffmpeg's within a few levels", async (t) => {
    const { page } = await web.open();
    const b64 = await page.evaluate((url) => (globalThis as unknown as HourLlavaPage).hourllava.decodedFrames(url), "/samples/demo.mp4");
    const rgb = Buffer.from(b64, "base64");
    assert.equal(rgb.length, ffmpegRgb.length, "the page sampled another number of frames");
    let max = 0;
    let differ = 0;
    for (let i = 0; i < rgb.length; i++) {
      const d = Math.abs(rgb[i] - ffmpegRgb[i]);
      if (d > 0) differ++;
      max = Math.max(max, d);
    }
    t.diagnostic(`decoded RGB: max |Δ| ${max} levels, ${((100 * differ) / rgb.length).toFixed(2)} % of values differ`);
    assert.ok(max <= MAX_LEVEL_DIFF, `frames differ by up to ${max} levels`);
    await page.close();
  });

  test("the memory of the demo video: browser-decoded within tolerance of Node's, under the same cache key", async (t) => {
    const { page, errors } = await web.open();
    await pickVideo(page, DEMO);
    const s = await page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.state.mem!);
    assert.equal(s.cache.key, mem.cache.key, "the browser's cache key is not the Node cache's");
    assert.equal(s.frames, mem.frames);
    const rows = f32FromBase64(await page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.memoryRows()));
    const rel = relErr(rows, mem.memory.rows);
    t.diagnostic(`memory rows, browser-decoded frames vs ffmpeg's: max |Δ| / max |row| = ${rel.toExponential(2)}`);
    assert.ok(rel <= DECODED_ROWS_TOL, `relative difference ${rel}`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("the same frames give Node's memory and Node's answer tokens", async (t) => {
    const { page } = await web.open();
    await page.evaluate(([b64, d]) => (globalThis as unknown as HourLlavaPage).hourllava.rememberRgb(b64, 64, 64, d), [
      Buffer.from(ffmpegRgb).toString("base64"),
      mem.durationS,
    ] as const);
    const rows = f32FromBase64(await page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.memoryRows()));
    const rel = relErr(rows, mem.memory.rows);
    t.diagnostic(`memory rows, identical frames: max |Δ| / max |row| = ${rel.toExponential(2)}`);
    assert.ok(rel <= SAME_FRAMES_ROWS_TOL, `relative difference ${rel}`);
    for (const q of QUESTIONS) {
      const browser = await page.evaluate((question) => (globalThis as unknown as HourLlavaPage).hourllava.ask(question), q);
      const node = await finalAnswer(app.ask(mem, q));
      assert.ok(node.ids.length > 0);
      assert.deepEqual(browser.ids, node.ids, `answers to "${q}" differ: browser "${browser.text}", Node "${node.text}"`);
      assert.equal(browser.text, node.text);
      // The same question through the page's form streams the same text into the page.
      await page.fill("#question", q);
      await page.click("#ask");
      await page.waitForFunction("!document.querySelector('#ask').disabled", null, { timeout: 0 });
      assert.equal(await page.textContent("#answer"), node.text);
    }
    await page.close();
  });

  test("a model folder picked from disk loads in place of the site's", async () => {
    const { page, errors } = await web.open();
    await page.setInputFiles("#model-files", "models/hourllava-tiny");
    await page.waitForFunction("/hourllava-tiny: 4-layer/.test(document.querySelector('#model-status').textContent)", null, { timeout: 0 });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a reload reuses the memory stored in IndexedDB (no encode)", async () => {
    const first = await web.open();
    await pickVideo(first.page, DEMO);
    const rows = await first.page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.memoryRows());
    await first.page.reload();
    await first.page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.ready());
    await pickVideo(first.page, DEMO);
    const s = await first.page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.state);
    assert.equal(s.mem!.cache.hit, true);
    assert.deepEqual(s.events.progress, [], "the reloaded page encoded frames");
    assert.equal(s.mem!.timings.encodeS, 0);
    assert.equal(await first.page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.memoryRows()), rows);
    assert.match((await first.page.textContent("#video-status")) ?? "", /reused/);
    await first.page.close();
  });

  test("once loaded, the page works offline: files from its service worker, the memory from IndexedDB", async () => {
    const { page } = await web.open();
    await page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.offlineReady());
    await pickVideo(page, DEMO); // stored (or found) while online
    web.server.offline = true;
    try {
      const served = web.server.requests.length;
      await page.reload();
      await page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.ready());
      await pickVideo(page, DEMO);
      assert.equal((await page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.state.mem!)).cache.hit, true);
      const answer = await page.evaluate((q) => (globalThis as unknown as HourLlavaPage).hourllava.ask(q), QUESTIONS[0]);
      assert.ok(answer.ids.length > 0);
      assert.ok(web.server.requests.length > served, "the reload did not even try the network");
    } finally {
      web.server.offline = false;
    }
    await page.close();
  });
});
