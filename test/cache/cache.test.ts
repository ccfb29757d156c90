// The memory cache on its own: keys, resumable parts, pid locks (stale ones taken over), remove by prefix, gc.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync, existsSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryCache, memoryKey } from "../../src/cache/cache.ts";
import type { MemoryMeta } from "../../src/cache/cache.ts";
import { acquireLock } from "../../src/cache/lock.ts";

const H = 2;
const meta = (frames: number, video = "v.mp4"): MemoryMeta => ({
  video,
  contentSha256: "x",
  modelId: "m",
  durationS: frames,
  frameIndices: Array.from({ length: frames }, (_, i) => i),
  frameTimesS: Array.from({ length: frames }, (_, i) => i),
  hidden: H,
  created: "2026-01-01T00:00:00Z",
});
const frameTokens = (start: number, count: number) => new Float32Array(count * 64 * H).map((_, i) => start * 1000 + i);

test("keys change with content, model and sampling", () => {
  const k = memoryKey("a", "m", { fps: 1 });
  assert.equal(k.length, 32);
  assert.notEqual(k, memoryKey("b", "m", { fps: 1 }));
  assert.notEqual(k, memoryKey("a", "n", { fps: 1 }));
  assert.notEqual(k, memoryKey("a", "m", { fps: 2 }));
  assert.equal(k, memoryKey("a", "m", { fps: 1 }));
});

test("an encode that fails mid-way keeps its parts; the rerun encodes only the rest", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-cache-"));
  try {
    const cache = MemoryCache.open(dir);
    const calls: number[] = [];
    await assert.rejects(
      cache.encode({
        key: "k1",
        meta: meta(10),
        batch: 4,
        dtype: "f32", // exact values, so the expected tokens are the encoder's own
        encode: async (s, n) => {
          if (s >= 4) throw new Error("boom");
          calls.push(s);
          return frameTokens(s, n);
        },
      }),
      /boom/,
    );
    assert.equal(cache.lookup("k1"), undefined, "no entry before completion");
    assert.deepEqual(
      readdirSync(join(dir, "k1.partial")).filter((n) => n.startsWith("part-")),
      ["part-00000000.safetensors"],
    );
    let resumedAt = -1;
    const res = await cache.encode({
      key: "k1",
      meta: meta(10),
      batch: 4,
      dtype: "f32",
      encode: async (s, n) => {
        calls.push(s);
        return frameTokens(s, n);
      },
      onResume: (n) => (resumedAt = n),
    });
    assert.equal(resumedAt, 4);
    assert.deepEqual(calls, [0, 4, 8]);
    const expect = new Float32Array(10 * 64 * H);
    for (const s of [0, 4, 8]) expect.set(frameTokens(s, Math.min(4, 10 - s)), s * 64 * H);
    assert.deepEqual(res.tokens, expect);
    assert.ok(!existsSync(join(dir, "k1.partial")));
    assert.deepEqual(cache.lookup("k1")!.tokens, expect);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a lock left by a dead process is taken over; a live one is waited for", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-lock-"));
  try {
    writeFileSync(join(dir, "a.lock"), "999999999"); // no such pid
    const l = await acquireLock(join(dir, "a.lock"));
    l.release();
    const held = await acquireLock(join(dir, "b.lock"));
    let waitedFor = 0;
    const second = acquireLock(join(dir, "b.lock"), { onWait: (o) => (waitedFor = o.pid) });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(waitedFor, process.pid);
    held.release();
    (await second).release();
    await assert.rejects(
      (async () => {
        const h = await acquireLock(join(dir, "c.lock"));
        try {
          await acquireLock(join(dir, "c.lock"), { waitMs: 100 });
        } finally {
          h.release();
        }
      })(),
      new RegExp(`c\\.lock is held by process ${process.pid} on ${hostname()} since [0-9T:-]+Z; gave up waiting after 0 s`),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("ls, rm by prefix and gc by size (least recently used first) and by age", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-gc-"));
  try {
    const cache = MemoryCache.open(dir);
    for (const [i, key] of ["aaa1", "bbb2", "ccc3"].entries()) {
      await cache.encode({ key, meta: meta(2, `${key}.mp4`), batch: 2, encode: async (s, n) => frameTokens(s, n) });
      const t = new Date(Date.UTC(2026, 0, 1 + i)); // aaa1 used longest ago
      utimesSync(cache.pathOf(key), t, t);
    }
    const ls = cache.list();
    assert.deepEqual(
      ls.map((e) => e.key),
      ["ccc3", "bbb2", "aaa1"],
    );
    assert.equal(ls[0].frames, 2);
    const size = ls[0].bytes;
    assert.deepEqual(
      cache.gc({ maxBytes: 2 * size }).entries.map((e) => e.key),
      ["aaa1"],
    );
    assert.deepEqual(
      cache
        .gc({ olderThanDays: 0 })
        .entries.map((e) => e.key)
        .sort(),
      ["bbb2", "ccc3"],
    );
    await cache.encode({ key: "ddd4", meta: meta(2), batch: 2, encode: async (s, n) => frameTokens(s, n) });
    assert.throws(() => cache.remove("zzz"), /no cached memory matches "zzz"/);
    assert.deepEqual(cache.remove("dd"), ["ddd4"]);
    assert.equal(cache.list().length, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tokens are stored as f16 by default: half the bytes, within f16 rounding, the same on a hit; f32 on request", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-cache-"));
  try {
    const cache = MemoryCache.open(dir);
    const T = 6;
    const values = new Float32Array(T * 64 * H).map((_, i) => Math.sin(i * 0.37) * 3);
    const job = (key: string, dtype?: "f16" | "f32") => ({
      key,
      meta: meta(T),
      batch: 4,
      dtype,
      encode: async (s: number, n: number) => values.slice(s * 64 * H, (s + n) * 64 * H),
    });
    const half = await cache.encode(job("h"));
    const full = await cache.encode(job("f", "f32"));
    assert.deepEqual(full.tokens, values);
    let maxRel = 0;
    for (let i = 0; i < values.length; i++) maxRel = Math.max(maxRel, Math.abs(half.tokens[i] - values[i]) / Math.max(Math.abs(values[i]), 6.1e-5));
    assert.ok(maxRel <= 2 ** -11, `f16 rounding error ${maxRel}`);
    assert.ok(maxRel > 0, "values really were rounded");
    assert.deepEqual(cache.lookup("h")!.tokens, half.tokens, "a hit gives what the fresh encode gave");
    const sizes = Object.fromEntries(cache.list().map((e) => [e.key, e.bytes]));
    assert.ok(sizes.h < 0.6 * sizes.f, JSON.stringify(sizes));
    await assert.rejects(
      cache.encode({ ...job("big"), encode: async (_s: number, n: number) => new Float32Array(n * 64 * H).fill(1e6) }),
      /a video token of 1000000 is beyond f16's range: encode with --cache-dtype f32/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("unrecoverable entries: a truncated or garbage entry is shown by ls, removed by rm and gc, and re-encoded on use", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-cache-broken-"));
  try {
    const c = new MemoryCache(dir);
    const job = (key: string) => ({ key, meta: meta(3), batch: 2, encode: async (s: number, n: number) => frameTokens(s, n) });
    const good = await c.encode(job("a".repeat(32)));
    const bytes = readFileSync(good.path);
    writeFileSync(good.path, bytes.subarray(0, bytes.length - 100)); // truncated
    writeFileSync(c.pathOf("b".repeat(32)), "garbage, not safetensors");
    const ls = c.list();
    assert.deepEqual(ls.map((e) => [e.key.slice(0, 1), !!e.broken]).sort(), [
      ["a", true],
      ["b", true],
    ]);
    assert.match(ls.find((e) => e.key.startsWith("b"))!.broken!, /.+/);
    assert.equal(c.lookup("a".repeat(32)), undefined); // a broken entry is a miss...
    let encoded = 0;
    const again = await c.encode({ ...job("a".repeat(32)), encode: async (s: number, n: number) => ((encoded += n), frameTokens(s, n)) });
    assert.equal(encoded, 3); // ...and is encoded again
    assert.deepEqual(again.tokens, good.tokens);
    assert.equal(c.list().find((e) => e.key.startsWith("a"))!.broken, undefined);
    assert.deepEqual(c.remove("b"), ["b".repeat(32)]);
    writeFileSync(c.pathOf("c".repeat(32)), "garbage");
    assert.deepEqual(
      c.gc({}).entries.map((e) => e.key),
      ["c".repeat(32)],
    );
    assert.deepEqual(readdirSync(dir).sort(), [`${"a".repeat(32)}.safetensors`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("exit codes and messages: a memory another process encoded while this one waited is reported as encoded elsewhere", async () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-cache-race-"));
  try {
    const c = new MemoryCache(dir);
    const key = "e".repeat(32);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = c.encode({ key, meta: meta(2), batch: 2, encode: async (s, n) => (await gate, frameTokens(s, n)) });
    await new Promise((r) => setTimeout(r, 50)); // the first holds the lock
    let encodedBySecond = 0;
    const second = c.encode({ key, meta: meta(2), batch: 2, encode: async (s, n) => ((encodedBySecond += n), frameTokens(s, n)) });
    release();
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a.encodedElsewhere, undefined);
    assert.equal(b.encodedElsewhere, true);
    assert.equal(encodedBySecond, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
