// Through the binary: chat survives a bad turn; bad sampling options fail before any encode; a cache that
// cannot be written still serves the memory it holds, and a hit rewrites nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { runBinary, useTinyModelAndClip } from "./tiny-model.ts";

const fx = useTinyModelAndClip("hl-app-");

const hl = runBinary;

test("chat reports a turn over the context and answers the next one", () => {
  const long = "word ".repeat(3000); // far over the test model's 2048-token context
  const r = hl(
    ["chat", fx.video, "--model", fx.model, "--quiet", "--max-tokens", "2", "--cache-dir", join(fx.dir, "c-chat")],
    `${long}\nwhat colour is the circle?\n/exit\n`,
  );
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /^hourllava: the conversation needs \d+ tokens plus 2 to answer, over the model's context of 2048\n$/);
  assert.equal(r.out.split("> ").length - 1, 3, JSON.stringify(r.out)); // a prompt before each of the three lines
});

test("bad sampling options fail in one line before the video is touched", () => {
  const cache = join(fx.dir, "c-opts");
  for (const [opt, msg] of [
    ["--top-p=2", '--top-p: expected a number > 0 and ≤ 1, got "2"'],
    ["--temperature=-1", '--temperature: expected a number ≥ 0, got "-1"'],
    ["--max-tokens=0", '--max-tokens: expected an integer ≥ 1, got "0"'],
  ]) {
    const r = hl(["ask", fx.video, "what?", "--model", fx.model, "--cache-dir", cache, opt]);
    assert.equal(r.code, 1);
    assert.equal(r.err, `hourllava: ${msg}\n`);
  }
  assert.ok(!existsSync(cache) || readdirSync(cache).length === 0);
});

/** Makes a folder and its files unwritable, even for root (chattr +i) where it can; false if it cannot. */
function makeReadOnly(path: string, on: boolean): boolean {
  const entries = [path, ...readdirSync(path).map((n) => join(path, n))];
  if (process.getuid?.() !== 0) {
    for (const p of entries) chmodSync(p, on ? (statSync(p).isDirectory() ? 0o555 : 0o444) : statSync(p).isDirectory() ? 0o755 : 0o644);
    return true;
  }
  const r = spawnSync("chattr", [on ? "+i" : "-i", ...entries]);
  return r.status === 0;
}

test("a hit rewrites nothing, and a read-only cache serves it", (t) => {
  const cache = join(fx.dir, "c-ro");
  const args = ["encode", fx.video, "--model", fx.model, "--cache-dir", cache, "--json"];
  const first = hl(args);
  assert.equal(first.code, 0, first.err);
  assert.equal(JSON.parse(first.out).cache.hit, false);
  const index = join(cache, "file-hashes.json");
  const before = statSync(index).mtimeMs;
  const names = readdirSync(cache).sort();
  const again = hl(args);
  assert.equal(JSON.parse(again.out).cache.hit, true);
  assert.equal(statSync(index).mtimeMs, before, "file-hashes.json rewritten on a hit");
  assert.deepEqual(readdirSync(cache).sort(), names);
  if (!makeReadOnly(cache, true)) return t.skip("cannot make a folder read-only here");
  try {
    const ro = hl(args);
    assert.equal(ro.code, 0, ro.err);
    assert.equal(JSON.parse(ro.out).cache.hit, true);
  } finally {
    makeReadOnly(cache, false);
  }
});
