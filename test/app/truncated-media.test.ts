// A silent wrong answer: a video cut off mid-file is answered over what decodes, and the user is told so — a
// warning on stderr and the decodable share in --json — or refused with --strict-media.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { truncatedClip, useTestsrcClip } from "../video/clips.ts";
import { runBinary } from "./tiny-model.ts";

const fx = useTestsrcClip();

test("a truncated video is answered with a warning and its decodable share in --json; --strict-media refuses it", () => {
  const { whole: wholeClip, cut } = truncatedClip(fx.dir);
  const cache = ["--cache-dir", join(fx.dir, "cache")];
  const r = runBinary(["ask", cut, "What scene is shown?", "--json", "--max-tokens", "2", ...cache]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /warning: .*cut\.mp4: the file says 20\.0 s but only \d+\.\d s of video decode/);
  const out = JSON.parse(r.out) as { header_duration_s: number | null; decodable_share: number; duration_s: number };
  assert.equal(out.header_duration_s, 20);
  assert.ok(out.decodable_share > 0.2 && out.decodable_share < 0.6, String(out.decodable_share));
  assert.ok(Math.abs(out.duration_s - 20 * out.decodable_share) < 0.2);
  const strict = runBinary(["ask", cut, "What scene is shown?", "--strict-media", ...cache]);
  assert.equal(strict.code, 1);
  assert.match(strict.err, /the file says 20\.0 s .* \(--strict-media refuses it\)/);
  assert.equal(strict.err.trim().split("\n").length, 1);
  const whole = runBinary(["ask", wholeClip, "What scene is shown?", "--json", "--max-tokens", "2", "--strict-media", ...cache]);
  assert.equal(whole.code, 0, whole.err);
  assert.equal((JSON.parse(whole.out) as { decodable_share: number }).decodable_share, 1);
});

test("hangs: a FIFO named .mp4 (or .png) is refused in one line instead of blocking forever", () => {
  for (const name of ["pipe.mp4", "pipe.png"]) {
    const fifo = join(fx.dir, name);
    execFileSync("mkfifo", [fifo]);
    const r = spawnSync(process.execPath, ["bin/hourllava.js", "ask", fifo, "What scene is shown?", "--cache-dir", join(fx.dir, "cache")], {
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.notEqual(r.signal, "SIGTERM", "timed out: the command blocked on the FIFO");
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`${name}: not a regular file`));
  }
});
