// Quantize once: --quant converts the float folder the first time and keeps the copy in the cache; the next load
// converts nothing, and the app keeps the source's identity (modelDir, memory cache keys).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HourLlavaApp, finalAnswer } from "../../src/app/app.ts";
import { quantizedCopy, quantizedCopyDir } from "../../src/app/quantized-copy.ts";

const MODEL = "models/hourllava-tiny";

test("--quant q8 converts once into the cache; the second load reuses the copy and answers the same", async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), "hl-qonce-"));
  try {
    const where = await quantizedCopyDir(MODEL, "q8", cacheDir);
    assert.match(where, /quantized\/hourllava-tiny-[0-9a-f]{16}-q8$/);
    const first = await HourLlavaApp.load(MODEL, { quant: "q8", cacheDir, quiet: true });
    const made = statSync(join(where, "model.safetensors")).mtimeMs;
    assert.equal(first.modelDir, MODEL, "the app keeps the source's identity");
    const again = await quantizedCopy(MODEL, "q8", cacheDir);
    assert.deepEqual(again, { dir: where, made: false });
    const second = await HourLlavaApp.load(MODEL, { quant: "q8", cacheDir, quiet: true });
    assert.equal(statSync(join(where, "model.safetensors")).mtimeMs, made, "nothing was converted again");
    const ask = async (app: HourLlavaApp) =>
      (await finalAnswer(app.ask(await app.rememberImage("samples/demo.png"), "What scene is shown?", { maxNewTokens: 4 }))).text;
    assert.equal(await ask(second), await ask(first));
    assert.equal(await second.modelId(), await first.modelId());
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
