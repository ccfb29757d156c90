// `hourllava ask photo.png "…"` on the embedded tiny model: the image path end to end (ffmpeg decode, anyres
// tiles at the tiny tower's own size, image memory, the one answer loop), the image prompt, and bad images.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderConversation } from "../../src/io/chat-template.ts";

const cache = mkdtempSync(join(tmpdir(), "hl-ask-image-"));

function hl(args: string[]) {
  const r = spawnSync(process.execPath, ["bin/hourllava.js", ...args, "--cache-dir", cache], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("ask about a PNG with the embedded tiny model: anyres tiles, an answer, no video fields", () => {
  const r = hl(["ask", "samples/demo.png", "What scene is shown?", "--json", "--max-tokens", "4"]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.image, "samples/demo.png");
  assert.deepEqual([j.width, j.height], [64, 64]);
  // 64×64 at the tiny tower's 32-px tiles: the default pinpoints (1x1)…(6x6)×32 pick 64×64, a 2×2 grid + the whole image.
  assert.deepEqual(j.grid, { cols: 2, rows: 2 });
  assert.equal(j.tiles, 5);
  assert.ok(j.tokens >= 1 && j.tokens <= 4, `tokens ${j.tokens}`);
  assert.equal(typeof j.answer, "string");
  assert.equal(j.frames, undefined);
  // Same question, same answer (uniform or seeded forgetting, greedy decoding).
  const again = JSON.parse(hl(["ask", "samples/demo.png", "What scene is shown?", "--json", "--max-tokens", "4"]).out);
  assert.equal(again.answer, j.answer);
});

test("a bad image is one line on stderr and a non-zero exit", () => {
  const bad = join(cache, "broken.png");
  writeFileSync(bad, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]));
  const r = hl(["ask", bad, "What is it?"]);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /broken\.png: not a readable image; corrupt, truncated or not an image file/);
  assert.equal(r.err.trim().split("\n").length, 1, r.err);
  const missing = hl(["ask", join(cache, "gone.jpg"), "What is it?"]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.err, /gone\.jpg: no such file/);
});

test("the image prompt opens the first user turn with <image>\\n and has no time instruction", () => {
  const text = renderConversation([{ role: "user", content: "What is shown?" }], { image: true, addGenerationPrompt: true });
  assert.equal(
    text,
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n<image>\nWhat is shown?<|im_end|>\n<|im_start|>assistant\n",
  );
  assert.throws(() => renderConversation([{ role: "user", content: "q" }], { image: true, video: { duration: 1, nFrames: 1 } }), /video or an image, not both/);
});
