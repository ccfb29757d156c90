// The serve page with a live stream, in headless Chromium: ffmpeg -re writes a file under --video-root, the page
// starts recording it, its live timeline grows (seconds covered, lag, state, polled every second), and a question
// asked while it grows is answered with the label "seen up to m:ss" naming a second it had recorded. A server
// without --live-sources shows no way to start one. Skips with one line when chromium is absent, unless
// HOURLLAVA_REQUIRE_CHROMIUM=1.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { createServer } from "../../src/serve/server.ts";
import { ffmpegPath } from "../../src/video/ffmpeg-path.ts";
import { ffmpeg } from "../video/clips.ts";
import { SAMPLE, useServer } from "../serve/server-fixture.ts";
import { chromiumMissing, launchChromium, type Chromium } from "./chromium.ts";

const skip = chromiumMissing();
const Q = "How many times did the scene change?";

const seconds = (clock: string) => {
  const [m, s] = clock.split(":").map(Number);
  return m * 60 + s;
};

describe("the serve page records a live stream", { skip }, () => {
  const fx = useServer({ liveSources: ["file"] });
  let browser: Chromium;
  const children: ChildProcess[] = [];
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await browser?.close();
  });

  async function open(url: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url);
    await page.locator("#video-select option", { hasText: "demo.mp4 (folder)" }).waitFor({ state: "attached" }); // config and lists loaded
    return { page, errors };
  }

  test("start a stream, watch its timeline grow, ask while it grows: the answer says the second it saw", { timeout: 120_000 }, async (t) => {
    // 20 s of the sample at 4 fps, intra-only MPEG-2 in MPEG-TS (as the live tests send it), written in real time into the video root.
    const src = join(fx.dir, "demo.ts");
    ffmpeg(["-i", SAMPLE, "-t", "20", "-vf", "fps=4", "-c:v", "mpeg2video", "-g", "1", "-bf", "0", "-q:v", "1", "-f", "mpegts", src]);
    const writer = spawn(
      ffmpegPath(),
      ["-hide_banner", "-nostdin", "-v", "error", "-re", "-i", src, "-t", "18", "-c", "copy", "-flush_packets", "1", "-f", "mpegts", join(fx.root, "cam.ts")],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    children.push(writer);

    const { page, errors } = await open(fx.url);
    await page.getByLabel("Or record a live stream").fill("cam.ts");
    await page.getByRole("button", { name: "Start stream" }).click();
    await page.getByRole("status").getByText("recording cam.ts").waitFor({ timeout: 30_000 });
    assert.match(await page.getByLabel("Pick a video").inputValue(), /^stream-[0-9a-f]{24}$/);
    assert.equal(await page.locator("#file-view").isHidden(), true); // no thumbnails for a stream
    const bar = page.getByRole("progressbar", { name: "stream recorded" });
    const covered = async () => Number(await bar.getAttribute("aria-valuenow"));

    await page.waitForFunction("Number(document.getElementById('live-bar').getAttribute('aria-valuenow')) >= 3", null, { timeout: 30_000 });
    const early = await covered();
    const earlyWidth = (await page.locator("#live-fill").boundingBox())!.width;
    assert.match((await page.locator("#live-status").textContent()) ?? "", /^live · 0:0\d covered · lag [\d.]+ s · [\d.]+ s behind live · \d+ frames/);
    await page.waitForFunction(`Number(document.getElementById('live-bar').getAttribute('aria-valuenow')) >= ${early + 2}`, null, { timeout: 30_000 });
    await page.waitForTimeout(900); // the bar's width follows with a short transition
    assert.ok((await page.locator("#live-fill").boundingBox())!.width > earlyWidth, "the bar grows");

    // A question while the stream grows: the answer is labelled with the second of stream it saw.
    const before = await covered();
    await page.getByLabel("Question").fill(Q);
    await page.getByLabel("Max tokens").fill("8");
    await page.getByRole("button", { name: "Ask" }).click();
    const answer = page.locator("#messages li.assistant");
    await answer.locator(".timings").waitFor({ timeout: 60_000 });
    const label = (await answer.locator(".seen").textContent()) ?? "";
    const m = /^seen up to (\d+:\d\d) · lag [\d.]+ s$/.exec(label);
    assert.ok(m, label);
    const seen = seconds(m[1]);
    // At least what the bar showed when asked (it is polled, so it may be a second behind), at most what the server
    // has recorded now.
    const id = await page.getByLabel("Pick a video").inputValue();
    const now = ((await (await fetch(`${fx.url}/v1/streams/${id}`)).json()) as { seconds_covered: number }).seconds_covered;
    assert.ok(seen >= before && seen <= now, `seen ${seen} s, covered ${before} s on the bar before asking, ${now} s after`);
    assert.ok(((await answer.locator(".text").textContent()) ?? "").length > 0);
    t.diagnostic(`${label}; covered ${before} s when asked`);
    const shot = join(process.env.HOURLLAVA_ARTIFACTS ?? mkdtempSync(join(tmpdir(), "hl-artifacts-")), "serve-page-live.png");
    mkdirSync(join(shot, ".."), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    t.diagnostic(`screenshot: ${shot}`);

    await page.getByRole("button", { name: "Stop stream" }).click();
    await page
      .getByRole("status")
      .getByText(/^stopped cam\.ts: 0:\d\d of stream recorded$/)
      .waitFor();
    assert.equal(await page.locator("#video-select option", { hasText: "(live)" }).count(), 0);
    assert.deepEqual(errors, []);
  });

  test("a server without --live-sources shows no way to start a stream", { timeout: 60_000 }, async () => {
    const server = await createServer({ app: fx.app, videoRoot: fx.root, cacheDir: join(fx.dir, "cache") });
    try {
      const url = await server.listen({ host: "127.0.0.1", port: 0 });
      const { page, errors } = await open(url);
      assert.equal(await page.getByLabel("Or record a live stream").count(), 1);
      assert.equal(await page.locator("#live-form").isHidden(), true);
      await page.close();
      assert.deepEqual(errors, []);
    } finally {
      await server.close();
    }
  });
});
