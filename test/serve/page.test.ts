// The web page in real headless Chromium (Debian's package, driven by playwright-core; no browser download):
// load, pick the sample, ask, see the streamed answer equal the app's, and write a screenshot as an artifact
// (to $HOURLLAVA_ARTIFACTS, else a temp folder). Skips with one line when chromium is absent, unless
// HOURLLAVA_REQUIRE_CHROMIUM=1 (set by .ci/run).
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { chromium, type BrowserContext } from "playwright-core";
import { missingProgram } from "../helpers/needs.ts";
import { chatAnswers, useServer } from "./server-fixture.ts";

const skip = missingProgram("chromium", "apt-get install -y chromium (Debian)", "HOURLLAVA_REQUIRE_CHROMIUM");
const Q = "How many times did the scene change?";

describe("the web page in headless Chromium", { skip }, () => {
  const fx = useServer();
  let browser: BrowserContext;
  before(async () => {
    const profile = mkdtempSync(join(tmpdir(), "hl-chromium-"));
    const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking"];
    args.push("--disable-component-update", "--disable-sync");
    // A fresh profile (--user-data-dir): playwright takes it as the persistent context's folder.
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: "/usr/bin/chromium",
      args,
      headless: true,
      viewport: { width: 1280, height: 900 },
    });
  });
  after(async () => browser?.close());

  test("load, pick the sample, ask: the streamed answer appears with its timings; a screenshot is written", { timeout: 120_000 }, async (t) => {
    const [want] = await chatAnswers(fx, join(fx.root, "demo.mp4"), [Q], { maxNewTokens: 12, temperature: 1, seed: 3 });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(fx.url);
    await page.getByLabel("Pick a video").selectOption({ label: "demo.mp4 (folder)" });
    await page.getByText(/150\.0 s, \d+×\d+, 150 frames sampled/).waitFor();
    await page.locator("#timeline img[src^='blob:']").first().waitFor(); // thumbnails arrive
    assert.equal(await page.locator("#timeline button").count(), 22); // 150 s, one per ceil(150 / 24) = 7 s

    await page.getByLabel("Question").fill(Q);
    await page.getByLabel("Max tokens").fill("12");
    await page.getByLabel("Temperature").fill("1");
    await page.getByLabel("Seed").fill("3");
    await page.getByRole("button", { name: "Ask" }).click();
    const answer = page.locator("#messages li.assistant");
    await answer.locator(".timings").waitFor({ timeout: 60_000 });
    assert.equal(await answer.locator(".text").textContent(), want);
    assert.match((await answer.locator(".timings").textContent()) ?? "", /first token [\d.]+ s · \d+ tokens? in [\d.]+ s/);
    await page.getByRole("row", { name: /demo\.mp4/ }).waitFor(); // the memory the question built is listed

    const dir = process.env.HOURLLAVA_ARTIFACTS ?? mkdtempSync(join(tmpdir(), "hl-artifacts-"));
    mkdirSync(dir, { recursive: true });
    const shot = join(dir, "serve-page.png");
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000);
    t.diagnostic(`screenshot: ${shot}`);
    assert.deepEqual(errors, []);
  });

  test("upload a clip, encode its memory with progress, then delete the memory", { timeout: 120_000 }, async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(fx.url);
    await page.getByLabel("Or upload one").setInputFiles(join(fx.root, "clip.mp4"));
    await page.getByRole("status").getByText("uploaded clip.mp4").waitFor();
    assert.match(await page.getByLabel("Pick a video").inputValue(), /^file-[0-9a-f]{24}$/); // the upload is picked
    await page.getByText(/4\.0 s, 160×90, 100 frames sampled; memory not encoded yet/).waitFor();
    // Every text the status line shows (each assignment adds a new text node, kept by the records).
    // (A string runs in the page: DOM types stay out of the Node program.)
    await page.evaluate(
      `new MutationObserver((rs) => rs.forEach((r) => r.addedNodes.forEach((n) => (window.statuses ??= []).push(n.textContent ?? "")))).observe(document.getElementById("status"), { childList: true })`,
    );
    await page.getByRole("button", { name: "Encode memory" }).click();
    await page.getByRole("status").getByText("memory encoded").waitFor({ timeout: 60_000 });
    await page.getByText(/memory cached/).waitFor();
    const statuses = (await page.evaluate("window.statuses ?? []")) as string[];
    assert.ok(statuses.includes("encoding: 100/100 frames"), statuses.join(" | "));
    assert.ok(
      statuses.some((x) => /^encoding: \d\d?\/100 frames$/.test(x)),
      "progress before the end",
    );
    await page.getByRole("button", { name: "delete the memory of clip.mp4" }).click();
    await page.getByText(/memory not encoded yet/).waitFor();
    assert.equal(await page.getByRole("row", { name: /clip\.mp4/ }).count(), 0);
    assert.deepEqual(errors, []);
  });
});
