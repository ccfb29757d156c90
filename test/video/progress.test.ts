// src/util/progress.ts is owned by the video layer's author; its tests live here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createProgress, formatDuration, progressCallback } from "../../src/util/progress.ts";

function fakeStream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, columns: 200, write: (s: string) => chunks.push(s) };
}

function fakeClock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test("not a TTY: one plain line per 10%, then a final line", () => {
  const s = fakeStream(false);
  const clock = fakeClock();
  const p = createProgress({ label: "encode", total: 50, unit: "frames", stream: s, now: clock.now });
  for (let i = 0; i < 50; i++) {
    clock.advance(200); // 5 frames/s
    p.tick();
  }
  p.done();
  assert.equal(s.chunks.length, 10);
  assert.equal(s.chunks[0], "encode: 5/50 frames (10%), 5.00 frames/s, ETA 0:09\n");
  assert.equal(s.chunks[4], "encode: 25/50 frames (50%), 5.00 frames/s, ETA 0:05\n");
  assert.equal(s.chunks[8], "encode: 45/50 frames (90%), 5.00 frames/s, ETA 0:01\n");
  assert.equal(s.chunks[9], "encode: 50/50 frames (100%), 5.00 frames/s, done in 0:10\n");
});

test("not a TTY: big ticks print one line per decile crossed, not per tick", () => {
  const s = fakeStream(false);
  const clock = fakeClock();
  const p = createProgress({ label: "hash", total: 1000, unit: "MB", stream: s, now: clock.now });
  clock.advance(2000);
  p.tick(350); // crosses 10, 20, 30 % at once
  clock.advance(2000);
  p.tick(50);
  assert.deepEqual(s.chunks, ["hash: 350/1000 MB (35%), 175 MB/s, ETA 0:04\n", "hash: 400/1000 MB (40%), 100 MB/s, ETA 0:06\n"]);
  assert.equal(p.count, 400);
});

test("TTY: redrawn in place with \\r, throttled, newline at the end", () => {
  const s = fakeStream(true);
  const clock = fakeClock();
  const p = createProgress({ label: "decode", total: 100, unit: "frames", stream: s, now: clock.now, redrawMs: 100 });
  clock.advance(1000);
  p.tick(10); // drawn
  clock.advance(50);
  p.tick(10); // within 100 ms of the last draw: skipped
  clock.advance(50);
  p.tick(10); // drawn
  p.done();
  assert.deepEqual(s.chunks, [
    "\rdecode: 10/100 frames (10%), 10.0 frames/s, ETA 0:09\x1b[K",
    "\rdecode: 30/100 frames (30%), 27.3 frames/s, ETA 0:03\x1b[K",
    "\rdecode: 30/100 frames (30%), 27.3 frames/s, done in 0:01\x1b[K\n",
  ]);
});

test("quiet writes nothing; unknown total shows count and rate only", () => {
  const s = fakeStream(false);
  const q = createProgress({ label: "x", total: 10, stream: s, quiet: true });
  for (let i = 0; i < 10; i++) q.tick();
  q.done();
  assert.deepEqual(s.chunks, []);
  const clock = fakeClock();
  const p = createProgress({ label: "scan", unit: "files", stream: s, now: clock.now });
  clock.advance(4000);
  p.tick(8);
  p.done();
  p.done(); // a second done is ignored
  assert.deepEqual(s.chunks, ["scan: 8 files, 2.00 files/s, done in 0:04\n"]);
});

test("formatDuration", () => {
  assert.deepEqual([0, 9.4, 65, 3725, -1].map(formatDuration), ["0:00", "0:09", "1:05", "1:02:05", "?"]);
});

test("progressCallback: one bar made at the first call, counted in units of unitSize, ending at the total", () => {
  const s = fakeStream(false);
  const clock = fakeClock();
  const report = progressCallback({ label: "pull", unit: "MB", stream: s, now: clock.now }, 1e6);
  for (const done of [0, 2.5e6, 5e6, 5.83e6]) {
    clock.advance(1000);
    report(done, 5.83e6);
  }
  assert.equal(s.chunks.at(-1), "pull: 6/6 MB (100%), 2.00 MB/s, done in 0:03\n"); // timed from the first call
  assert.match(s.chunks[0], /^pull: 2\/6 MB \(33%\)/);
});
