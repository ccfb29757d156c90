import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { resizeBicubicRGB, bicubicCoeffs } from "../../src/video/resize-bicubic.ts";
import { preprocessFrame, normalizeToCHW, SIGLIP_NORMALIZE_LUT } from "../../src/video/preprocess.ts";
import { loadPixelFixture } from "./pixel-fixture.ts";
import { synthImage } from "./synth-image.ts";

const fx = loadPixelFixture();
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function firstDiff(a: Uint8Array, b: Uint8Array): string {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `byte ${i}: ours ${a[i]} vs PIL ${b[i]}`;
  return a.length === b.length ? "none" : `length ${a.length} vs ${b.length}`;
}

test("the TS image generator reproduces the fixture's inputs", () => {
  for (const img of fx.images) {
    const ours = synthImage(img.width, img.height, img.seed);
    assert.equal(sha(ours), img.sha256, img.name);
    if (img.name !== "big") assert.deepEqual(ours, fx.bytes(`in/${img.name}`));
  }
});

for (const img of fx.images) {
  for (const [size, rec] of Object.entries(fx.images.find((i) => i.name === img.name)!.outputs)) {
    test(`bicubic resize ${img.width}x${img.height} → ${size}x${size} is bit-identical to Pillow ${fx.meta.pillow}`, () => {
      const s = Number(size);
      const out = resizeBicubicRGB(synthImage(img.width, img.height, img.seed), img.width, img.height, s, s);
      if (rec.rows) {
        const [r0, r1] = rec.rows;
        const want = fx.bytes(`out/${img.name}/${s}/rows${r0}-${r1}`);
        const got = out.subarray(r0 * s * 3, r1 * s * 3);
        assert.ok(Buffer.from(got).equals(Buffer.from(want)), `rows ${r0}-${r1}: first difference at ${firstDiff(got, want)}`);
      } else {
        const want = fx.bytes(`out/${img.name}/${s}`);
        assert.ok(Buffer.from(out).equals(Buffer.from(want)), `first difference at ${firstDiff(out, want)}`);
      }
      assert.equal(sha(out), rec.sha256, "whole output sha256");
    });
  }
}

test("normalisation table equals numpy's float32 rescale+normalise bit for bit", () => {
  const want = fx.floats("normalize_lut");
  assert.equal(want.length, 256);
  for (let u = 0; u < 256; u++) assert.ok(Object.is(SIGLIP_NORMALIZE_LUT[u], want[u]), `u=${u}: ${SIGLIP_NORMALIZE_LUT[u]} vs ${want[u]}`);
  assert.equal(SIGLIP_NORMALIZE_LUT[0], -1);
  assert.equal(SIGLIP_NORMALIZE_LUT[255], 1);
});

test("preprocessFrame gives the CHW float32 tensor of the Hugging Face pipeline", () => {
  const want = fx.floats("float/a/32");
  assert.deepEqual(fx.shape("float/a/32"), [3, 32, 32]);
  const got = preprocessFrame(synthImage(96, 54, 1), 96, 54, 32);
  assert.equal(got.length, 3 * 32 * 32);
  for (let i = 0; i < got.length; i++) if (!Object.is(got[i], want[i])) assert.fail(`element ${i}: ${got[i]} vs ${want[i]}`);
});

test("normalizeToCHW puts R, G and B in separate planes", () => {
  const out = normalizeToCHW(new Uint8Array([255, 0, 51, 0, 255, 102]), 2);
  // numpy float32 values (not fround(u/127.5 - 1), which gives -0.20000000298023224 for 102)
  assert.deepEqual([...out], [1, -1, -1, 1, -0.6000000238418579, -0.19999998807907104]);
});

test("bicubic coefficients: downscale by 2 widens the kernel and sums to 1 in fixed point", () => {
  const c = bicubicCoeffs(8, 4);
  assert.equal(c.ksize, 9); // ceil(2*2)*2+1
  for (let x = 0; x < 4; x++) {
    let sum = 0;
    for (let k = 0; k < c.bounds[x * 2 + 1]; k++) sum += c.kk[x * c.ksize + k];
    assert.ok(Math.abs(sum - (1 << 22)) <= 4, `pixel ${x}: sum ${sum}`);
  }
  // centres 1,3,5,7 ± support 4, C truncation toward zero, clamped to [0, 8): (xmin, count)
  assert.deepEqual([...c.bounds], [0, 5, 0, 7, 1, 7, 3, 5]);
});

test("resize rejects a buffer that does not match its size", () => {
  assert.throws(() => resizeBicubicRGB(new Uint8Array(10), 2, 2, 4, 4), { message: "resizeBicubicRGB: buffer has 10 bytes, expected 2x2x3 = 12" });
  assert.throws(() => preprocessFrame(new Uint8Array(12), 2, 2, 0), { message: "preprocessFrame: size 0 must be a positive integer" });
});

test("same-size resize returns an equal copy", () => {
  const img = synthImage(5, 4, 9);
  const out = resizeBicubicRGB(img, 5, 4, 5, 4);
  assert.deepEqual(out, img);
  assert.notEqual(out, img);
});
