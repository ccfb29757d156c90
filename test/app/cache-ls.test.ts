// `cache ls` through the binary: unfinished encodes are listed with their age and state, and a video name with
// terminal escape codes is printed escaped, never raw.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryCache } from "../../src/cache/cache.ts";
import { writeSafetensors } from "../../src/io/safetensors.ts";

test("cache ls shows partial entries with age; control characters in names are escaped", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-cache-ls-"));
  try {
    const c = MemoryCache.open(dir);
    const video = "/videos/\x1b[2J\x1b[31mred\r.mp4";
    const meta = { video, contentSha256: "x", modelId: "m", durationS: 2, frameIndices: [0, 1], frameTimesS: [0, 1], hidden: 4, created: "" };
    await c.encode({ key: "abc123", meta, batch: 2, encode: async (_s, n) => new Float32Array(n * 64 * 4) });
    const p = join(dir, "def456.partial");
    mkdirSync(p);
    writeSafetensors(join(p, "part-00000000.safetensors"), { tokens: { dtype: "F32", shape: [3, 64, 4], data: new Float32Array(3 * 64 * 4) } });
    const t = new Date(Date.now() - 3 * 3600_000);
    utimesSync(join(p, "part-00000000.safetensors"), t, t);
    utimesSync(p, t, t);
    const r = spawnSync(process.execPath, ["bin/hourllava.js", "cache", "ls", "--cache-dir", dir], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!/[\x00-\x09\x0b-\x1f]/.test(r.stdout), JSON.stringify(r.stdout));
    assert.ok(r.stdout.includes("/videos/\\x1b[2J\\x1b[31mred\\x0d.mp4"));
    assert.match(r.stdout, /partial \(unfinished\) encodes:\nkey +frames +size +age +state\ndef456 +3 +0\.0 MiB +3 h +interrupted/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
