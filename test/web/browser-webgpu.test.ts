// The browser build on onnxruntime-web's WebGPU backend, in headless Chromium on SwiftShader (its bundled CPU
// Vulkan, so no GPU is needed): the demo's first frames give Node's memory and Node's answer tokens. SwiftShader
// runs the real WebGPU shaders slowly, so this suite asks one question of 16 frames (about 65 s here).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { join } from "node:path";
import { HourLlavaApp, finalAnswer } from "../../src/app/app.ts";
import type { VideoMemory } from "../../src/app/app.ts";
import { decodeFrames } from "../../src/video/frames.ts";
import { planFrames } from "../../src/video/video-frames.ts";
import { preprocessFrame } from "../../src/video/preprocess.ts";
import { f32ToHalfBits, halfBitsToF32 } from "../../src/io/dtype.ts";
import { relErr } from "../helpers/model-outputs.ts";
import { skipUnlessRequired } from "../helpers/needs.ts";
import { chromiumMissing } from "./chromium.ts";
import { SAMPLES, f32FromBase64, startWebPage } from "./web-page.ts";
import type { HourLlavaPage, WebPage } from "./web-page.ts";

const DEMO = join(SAMPLES, "demo.mp4");
const FRAMES = 16;
const SIDE = 64;
const QUESTION = "What scene is shown?";
/** The same frames on WebGPU and native ORT's CPU provider; f16 caching may flip a last bit (measured 9.8e-5). */
const ROWS_TOL = 1e-3;

const skip = chromiumMissing();

describe("the browser build in headless Chromium (WebGPU on SwiftShader)", { skip }, () => {
  let web: WebPage;
  let node: { mem: VideoMemory; ids: number[]; text: string };
  let rgb: Uint8Array;
  let noAdapter: string | undefined;

  before(async () => {
    const app = await HourLlavaApp.load(undefined, { quiet: true, noCache: true });
    const plan = await planFrames(DEMO);
    const frames: Uint8Array[] = [];
    for await (const f of decodeFrames(DEMO, plan.sample.indices.slice(0, FRAMES), { info: plan.info })) frames.push(f.rgb);
    rgb = Buffer.concat(frames);
    // Node's memory of the same packed frames, as the page's rememberRgb builds it (f16 as both caches keep it).
    const S = app.model.config.vision.image_size;
    const per = SIDE * SIDE * 3;
    const pixels = new Float32Array(FRAMES * 3 * S * S);
    for (let i = 0; i < FRAMES; i++) pixels.set(preprocessFrame(rgb.subarray(i * per, (i + 1) * per), SIDE, SIDE, S), i * 3 * S * S);
    const { tokens } = await app.model.encodeFrames(pixels, FRAMES);
    const bits = new Uint16Array(tokens.length);
    f32ToHalfBits("F16", tokens, bits);
    const f16 = new Float32Array(tokens.length);
    halfBitsToF32("F16", bits, f16);
    const memory = app.model.buildMemory(f16, FRAMES);
    const mem: VideoMemory = {
      video: "frames",
      durationS: FRAMES,
      frames: FRAMES,
      memory,
      cache: { key: "", hit: false, bytes: 0 },
      timings: { decodeS: 0, encodeS: 0, totalS: 0 },
    };
    const a = await finalAnswer(app.ask(mem, QUESTION));
    node = { mem, ids: a.ids, text: a.text };
    web = await startWebPage({ webgpu: true });
    const { page } = await web.open("device=cpu");
    const hasAdapter = await page.evaluate("(async () => !!(navigator.gpu && (await navigator.gpu.requestAdapter())))()");
    await page.close();
    if (!hasAdapter) noAdapter = skipUnlessRequired("chromium exposes no WebGPU adapter (SwiftShader)", "HOURLLAVA_REQUIRE_WEBGPU");
  });

  after(async () => {
    await web?.close();
  });

  test("16 demo frames on WebGPU: Node's memory rows and Node's answer tokens", async (t) => {
    if (noAdapter) return t.skip(noAdapter);
    const { page, errors } = await web.open("device=webgpu");
    assert.equal((await page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.runtime())).device, "webgpu");
    await page.evaluate(([b64, d]) => (globalThis as unknown as HourLlavaPage).hourllava.rememberRgb(b64, 64, 64, d), [
      Buffer.from(rgb).toString("base64"),
      FRAMES,
    ] as const);
    const rows = f32FromBase64(await page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.memoryRows()));
    const rel = relErr(rows, node.mem.memory.rows);
    t.diagnostic(`memory rows, WebGPU in Chromium vs Node's CPU: max |Δ| / max |row| = ${rel.toExponential(2)}`);
    assert.ok(rel <= ROWS_TOL, `relative difference ${rel}`);
    const browser = await page.evaluate((q) => (globalThis as unknown as HourLlavaPage).hourllava.ask(q), QUESTION);
    assert.ok(node.ids.length > 0);
    assert.deepEqual(browser.ids, node.ids, `browser "${browser.text}", Node "${node.text}"`);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
