// Through the binary: an encode that finds the video's lock held by a live process that is not an encoder
// (an old bare-pid lock naming pid 1) says whom it waits for and gives up at --lock-timeout, exit 1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { ffmpeg } from "../video/clips.ts";
import { writeTinyModel } from "./tiny-model.ts";

let dir = "";
let model = "";
let video = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "hl-lock-wait-"));
  model = join(dir, "model");
  writeTinyModel(model);
  video = join(dir, "v.mp4");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=32x32:rate=1:duration=4", "-pix_fmt", "yuv420p", video]);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const hl = (args: string[]) => {
  const r = spawnSync(process.execPath, ["bin/hourllava.js", ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test("a lock held by an unrelated live pid: one line saying whom it waits for, then the timeout error", () => {
  const cache = join(dir, "cache");
  const first = hl(["encode", video, "--model", model, "--cache-dir", cache, "--json"]);
  assert.equal(first.code, 0, first.err);
  const key = JSON.parse(first.out).cache.key as string;
  assert.equal(hl(["cache", "rm", key, "--cache-dir", cache]).code, 0);
  const lock = join(cache, `${key}.lock`);
  writeFileSync(lock, "1");
  const r = hl(["encode", video, "--model", model, "--cache-dir", cache, "--quiet", "--lock-timeout", "1"]);
  assert.equal(r.code, 1);
  const lines = r.err.trim().split("\n");
  assert.deepEqual(lines, [
    `waiting for process 1 on ${hostname()}, which is encoding ${video} into the same cache entry; giving up after 1 s (--lock-timeout)`,
    `hourllava: ${lock} is held by process 1 on ${hostname()}; gave up waiting after 1 s`,
  ]);
});
