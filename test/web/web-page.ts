// The browser build served and opened in headless Chromium: built into a temp folder, served from 127.0.0.1 with
// the samples beside it, pages on one fresh profile (so IndexedDB persists across reloads, not across runs).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { buildWeb } from "../../scripts/build-web.ts";
import { launchChromium } from "./chromium.ts";
import type { Chromium } from "./chromium.ts";
import { serveStatic } from "./static-server.ts";
import type { StaticServer } from "./static-server.ts";

export const SAMPLES = resolve("samples");

export interface WebPage {
  server: StaticServer;
  chromium: Chromium;
  /** A new tab on the page (`query` e.g. "device=cpu"); page errors are collected in `errors`. */
  open(query?: string): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

export async function startWebPage(opts: { webgpu?: boolean } = {}): Promise<WebPage> {
  const dist = mkdtempSync(join(tmpdir(), "hourllava-web-"));
  await buildWeb(dist);
  const server = await serveStatic({ "/": dist, "/samples/": SAMPLES });
  const chromium = await launchChromium(opts);
  return {
    server,
    chromium,
    async open(query = "device=cpu") {
      const page = await chromium.context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${server.url}?${query}`);
      await page.evaluate(() => (globalThis as unknown as HourLlavaPage).hourllava.ready());
      return { page, errors };
    },
    async close() {
      await chromium.close();
      await server.close();
      rmSync(dist, { recursive: true, force: true });
    },
  };
}

/** What src/web/main.ts puts on the page's window (the parts tests and the benchmark use). */
export interface HourLlavaPage {
  hourllava: {
    ready(): Promise<void>;
    offlineReady(): Promise<void>;
    state: {
      mem?: { frames: number; durationS: number; cache: { key: string; hit: boolean }; timings: { decodeS: number; encodeS: number; totalS: number } };
      events: { progress: [number, number][] };
    };
    ask(question: string): Promise<{ text: string; ids: number[]; timings: { memAugS: number; prefillS: number; generateS: number; tokens: number } }>;
    rememberRgb(b64: string, width: number, height: number, durationS: number): Promise<unknown>;
    memoryRows(): string;
    runtime(): { device: string; threads: number };
    warmUp(): Promise<void>;
    decodedFrames(url: string): Promise<string>;
  };
}

/** Picks `file` in the page's video input and waits until its memory is built (or the page shows an error). */
export async function pickVideo(page: Page, file: string): Promise<void> {
  await page.evaluate(() => {
    (globalThis as unknown as HourLlavaPage).hourllava.state.mem = undefined;
  });
  await page.setInputFiles("#video", file);
  // A string, as it runs in the page (this file's types are Node's, without the DOM).
  await page.waitForFunction("hourllava.state.mem || document.querySelector('#video-status.err')", null, { timeout: 0 });
  const err = await page.$eval("#video-status", (el) => (el.className === "err" ? el.textContent : null));
  if (err) throw new Error(`the page failed: ${err}`);
}

export function f32FromBase64(b64: string): Float32Array {
  const b = Buffer.from(b64, "base64");
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
