// Stale memory: the content hash is remembered per file version; a file rewritten in place with the same size
// and a restored mtime is a new version, and its hash is computed again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { contentHash, sha256File } from "../../src/cache/file-hash.ts";

test("stale memory: a rewrite with the same size and a restored mtime gets a fresh content hash", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-hash-"));
  try {
    const video = join(dir, "v.mp4");
    const cache = join(dir, "cache");
    // Whole seconds, so the restored time is exactly the first one (a Date would drop the sub-millisecond part).
    const when = 1_700_000_000;
    writeFileSync(video, Buffer.alloc(300_000, 1));
    utimesSync(video, when, when);
    const first = await contentHash(video, cache);
    const mtimeMs = statSync(video).mtimeMs;
    const other = Buffer.alloc(300_000, 1);
    other[150_000] = 2; // one byte in the middle
    writeFileSync(video, other);
    utimesSync(video, when, when);
    assert.equal(statSync(video).mtimeMs, mtimeMs);
    const second = await contentHash(video, cache);
    assert.notEqual(second, first);
    assert.equal(second, await sha256File(video));
    assert.equal(await contentHash(video, cache), second); // and it is remembered again
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
