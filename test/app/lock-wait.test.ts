// Through the binary: an encode that finds the video's lock held by a live process that is not an encoder
// (an old bare-pid lock naming pid 1) says whom it waits for and gives up at --lock-timeout, exit 1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { runBinary, useTinyModelAndClip } from "./tiny-model.ts";

const fx = useTinyModelAndClip("hl-app-");

const hl = runBinary;

test("a lock held by an unrelated live pid: one line saying whom it waits for, then the timeout error", () => {
  const cache = join(fx.dir, "cache");
  const first = hl(["encode", fx.video, "--model", fx.model, "--cache-dir", cache, "--json"]);
  assert.equal(first.code, 0, first.err);
  const key = JSON.parse(first.out).cache.key as string;
  assert.equal(hl(["cache", "rm", key, "--cache-dir", cache]).code, 0);
  const lock = join(cache, `${key}.lock`);
  writeFileSync(lock, "1");
  const r = hl(["encode", fx.video, "--model", fx.model, "--cache-dir", cache, "--quiet", "--lock-timeout", "1"]);
  assert.equal(r.code, 1);
  const lines = r.err.trim().split("\n");
  assert.deepEqual(lines, [
    `waiting for process 1 on ${hostname()}, which is encoding ${fx.video} into the same cache entry; giving up after 1 s (--lock-timeout)`,
    `hourllava: ${lock} is held by process 1 on ${hostname()}; gave up waiting after 1 s`,
  ]);
});
