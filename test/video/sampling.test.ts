import { test } from "node:test";
import assert from "node:assert/strict";
import { linspaceInt, pyRound, sampleOneFpsMin, samplePrefix, sampleStreaming } from "../../src/video/sampling.ts";

const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);

// Expected values below were computed with numpy 1.24: np.linspace(start, stop, n, dtype=int).
test("linspaceInt(0, 999, 128) equals numpy", () => {
  const want = [
    0, 7, 15, 23, 31, 39, 47, 55, 62, 70, 78, 86, 94, 102, 110, 117, 125, 133, 141, 149, 157, 165, 173, 180, 188, 196, 204, 212, 220, 228, 235, 243, 251, 259,
    267, 275, 283, 291, 298, 306, 314, 322, 330, 338, 346, 353, 361, 369, 377, 385, 393, 401, 409, 416, 424, 432, 440, 448, 456, 464, 471, 479, 487, 495, 503,
    511, 519, 527, 534, 542, 550, 558, 566, 574, 582, 589, 597, 605, 613, 621, 629, 637, 645, 652, 660, 668, 676, 684, 692, 700, 707, 715, 723, 731, 739, 747,
    755, 763, 770, 778, 786, 794, 802, 810, 818, 825, 833, 841, 849, 857, 865, 873, 881, 888, 896, 904, 912, 920, 928, 936, 943, 951, 959, 967, 975, 983, 991,
    999,
  ];
  assert.deepEqual(linspaceInt(0, 999, 128), want);
});

test("linspaceInt small and degenerate cases equal numpy", () => {
  assert.deepEqual(linspaceInt(0, 6, 4), [0, 2, 4, 6]);
  assert.deepEqual(linspaceInt(0, 11, 1), [0]);
  assert.deepEqual(linspaceInt(3, 3, 5), [3, 3, 3, 3, 3]);
  assert.deepEqual(linspaceInt(0, 5, 0), []);
  assert.deepEqual(linspaceInt(0, 99, 128).slice(0, 20), [0, 0, 1, 2, 3, 3, 4, 5, 6, 7, 7, 8, 9, 10, 10, 11, 12, 13, 14, 14]);
});

test("linspaceInt keeps numpy's float rounding where exact arithmetic differs", () => {
  // 23*26/46 is exactly 13, but numpy's 23*(26/46) is 12.999999999999998 → 12.
  assert.equal(linspaceInt(0, 26, 47)[23], 12);
  assert.equal(linspaceInt(0, 30, 23)[11], 14);
  assert.equal(linspaceInt(0, 30, 27)[13], 14);
});

test("linspaceInt rejects a bad count", () => {
  assert.throws(() => linspaceInt(0, 10, -1), { message: "linspace: n must be a non-negative integer, got -1" });
  assert.throws(() => linspaceInt(0, 10, 2.5), { message: "linspace: n must be a non-negative integer, got 2.5" });
});

test("pyRound rounds halves to even like Python's round()", () => {
  assert.deepEqual([12.5, 13.5, 0.5, 29.97, 23.976, 2.4999].map(pyRound), [12, 14, 0, 30, 24, 2]);
});

test("one-fps-min: a 200-s 25-fps video gives 200 frames by linspace(0, 4999, 200)", () => {
  const s = sampleOneFpsMin({ frameCount: 5000, fps: 25 });
  assert.equal(s.indices.length, 200);
  assert.deepEqual(s.indices.slice(0, 10), [0, 25, 50, 75, 100, 125, 150, 175, 200, 226]);
  assert.deepEqual(s.indices.slice(-3), [4948, 4973, 4999]);
  assert.equal(sum(s.indices), 499801);
  assert.equal(s.durationS, 200);
  assert.deepEqual(s.timesS.slice(0, 3), [0, 1, 2]);
  assert.equal(s.timesS[9], 226 / 25);
  assert.equal(s.timesS[199], 4999 / 25);
});

test("one-fps-min: a 100-s video still gets 128 frames", () => {
  const s = sampleOneFpsMin({ frameCount: 2500, fps: 25 });
  assert.equal(s.indices.length, 128);
  assert.deepEqual(s.indices.slice(0, 6), [0, 19, 39, 59, 78, 98]);
  assert.deepEqual(s.indices.slice(-3), [2459, 2479, 2499]);
  assert.equal(sum(s.indices), 159873);
});

test("one-fps-min: duration is floor(frames/fps), and a video shorter than 128 frames keeps them all", () => {
  // 4000 frames at 29.97 fps = 133.47 s → 133 frames.
  assert.equal(sampleOneFpsMin({ frameCount: 4000, fps: 30000 / 1001 }).indices.length, 133);
  const short = sampleOneFpsMin({ frameCount: 50, fps: 25 });
  assert.deepEqual(
    short.indices,
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.equal(short.durationS, 2);
});

test("one-fps-min rejects impossible inputs", () => {
  assert.throws(() => sampleOneFpsMin({ frameCount: 0, fps: 25 }), { message: "sampleOneFpsMin: frameCount must be a positive integer, got 0" });
  assert.throws(() => sampleOneFpsMin({ frameCount: 10, fps: 0 }), { message: "sampleOneFpsMin: fps must be a positive number, got 0" });
});

test("streaming: every round(fps)-th frame when that gives at least 128", () => {
  const s = sampleStreaming({ frameCount: 5000, fps: 25 });
  assert.equal(s.indices.length, 200);
  assert.deepEqual(s.indices.slice(0, 3), [0, 25, 50]);
  assert.equal(s.indices[199], 4975);
  assert.deepEqual(s.officialTimesS.slice(0, 3), [0, 1, 2]);
  // 29.97 fps: step 30, the official times divide by the step, the true times by the fps.
  const ntsc = sampleStreaming({ frameCount: 9000, fps: 30000 / 1001 });
  assert.equal(ntsc.indices.length, 300);
  assert.equal(ntsc.officialTimesS[299], 299);
  assert.equal(ntsc.timesS[299], (8970 * 1001) / 30000);
});

test("streaming: fewer than 128 stepped frames falls back to linspace over min(frames, 128)", () => {
  const s = sampleStreaming({ frameCount: 1798, fps: 30000 / 1001 });
  assert.equal(s.indices.length, 128);
  assert.deepEqual(s.indices.slice(0, 6), [0, 14, 28, 42, 56, 70]);
  assert.deepEqual(s.indices.slice(-3), [1768, 1782, 1797]);
  assert.equal(sum(s.indices), 114945);
  assert.deepEqual(s.officialTimesS, s.timesS);
  assert.deepEqual(
    sampleStreaming({ frameCount: 40, fps: 25 }).indices,
    Array.from({ length: 40 }, (_, i) => i),
  );
});

test("streaming: frames_upbound caps with linspace; a 12.5-fps video steps by 12 (Python rounding)", () => {
  assert.deepEqual(sampleStreaming({ frameCount: 5000, fps: 25 }, { framesUpbound: 4 }).indices, [0, 1666, 3332, 4999]);
  assert.deepEqual(sampleStreaming({ frameCount: 5000, fps: 25 }, { framesUpbound: 500 }).indices.length, 200);
  assert.deepEqual(sampleStreaming({ frameCount: 5000, fps: 25 }, { framesUpbound: 500, forceSample: true }).indices.length, 500);
  assert.deepEqual(sampleStreaming({ frameCount: 3000, fps: 12.5 }).indices.slice(0, 3), [0, 12, 24]);
  assert.throws(() => sampleStreaming({ frameCount: 30, fps: 0.4 }), { message: "sampleStreaming: step round(0.4 / 1) is 0; fps too low for videoFps 1" });
});

test("--fps and --max-frames: half the rate halves the frames, a cap spreads its frames over the whole video", () => {
  const hour = { frameCount: 90000, fps: 25 };
  assert.equal(sampleOneFpsMin(hour).indices.length, 3600);
  assert.deepEqual(sampleOneFpsMin(hour, 128, { rate: 1 }), sampleOneFpsMin(hour));
  assert.equal(sampleOneFpsMin(hour, 128, { rate: 0.5 }).indices.length, 1800);
  const capped = sampleOneFpsMin(hour, 128, { maxFrames: 600 });
  assert.equal(capped.indices.length, 600);
  assert.equal(capped.indices[0], 0);
  assert.equal(capped.indices[599], 89999);
  assert.equal(sampleOneFpsMin({ frameCount: 300, fps: 1 }, 128, { rate: 5 }).indices.length, 300, "never more frames than the video has");
  assert.equal(sampleOneFpsMin({ frameCount: 60, fps: 1 }, 128, { maxFrames: 20 }).indices.length, 20, "the cap holds for short videos too");
  assert.throws(() => sampleOneFpsMin(hour, 128, { rate: 0 }), /the frame rate must be a positive number, got 0/);
  assert.throws(() => sampleOneFpsMin(hour, 128, { maxFrames: 2.5 }), /the frame cap must be a positive integer, got 2.5/);
});

test("prefix rule: a cut keeps the whole video's picks before it, and from 128 picks on it is the streaming loader's", () => {
  const whole = samplePrefix({ frameCount: 3000, fps: 25 });
  assert.deepEqual(whole.indices.slice(0, 4), [0, 25, 50, 75]);
  for (const cut of [1, 24, 25, 26, 749, 750, 3199]) {
    const part = samplePrefix({ frameCount: Math.min(cut, 3000), fps: 25 });
    assert.deepEqual(
      part.indices,
      whole.indices.filter((i) => i < cut),
    );
  }
  // Below 128 picks the streaming loader spreads 128 frames over the clip instead; from 128 on they agree.
  assert.notDeepEqual(samplePrefix({ frameCount: 750, fps: 25 }).indices, sampleStreaming({ frameCount: 750, fps: 25 }).indices);
  for (const frameCount of [3200, 3201, 9000])
    assert.deepEqual(samplePrefix({ frameCount, fps: 25 }).indices, sampleStreaming({ frameCount, fps: 25 }).indices);
  // 29.97 fps: step round(29.97) = 30, as the streaming loader rounds it; a rate of 2 per second halves it.
  assert.deepEqual(samplePrefix({ frameCount: 100, fps: 29.97 }).indices, [0, 30, 60, 90]);
  assert.deepEqual(samplePrefix({ frameCount: 100, fps: 30 }, 2).indices.slice(0, 3), [0, 15, 30]);
  assert.equal(samplePrefix({ frameCount: 750, fps: 25 }).durationS, 30);
  assert.throws(() => samplePrefix({ frameCount: 10, fps: 25 }, 0), /frame rate must be a positive number/);
});
