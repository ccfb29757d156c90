import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits, halfBitsToF32 } from "../../src/io/dtype.ts";

const hex = (n: number) => "0x" + n.toString(16).padStart(4, "0");

test("f32 → f16: hand-computed bit patterns, round-to-nearest-even, overflow, subnormals, specials", () => {
  const cases: [number, number][] = [
    [1, 0x3c00],
    [-2, 0xc000],
    [0.1, 0x2e66],
    [1 / 3, 0x3555],
    [65504, 0x7bff], // f16 max
    [65519, 0x7bff], // below the halfway point to 65536
    [65520, 0x7c00], // exact tie between 65504 and 2^16 → even → inf
    [1e6, 0x7c00],
    [1 + 2 ** -11, 0x3c00], // tie → even (0x3c00)
    [1 + 3 * 2 ** -11, 0x3c02], // tie between 0x3c01 and 0x3c02 → even
    [1 + 2 ** -11 + 2 ** -20, 0x3c01], // just above the tie
    [2 ** -14, 0x0400], // smallest normal
    [1023 * 2 ** -24, 0x03ff], // largest subnormal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // tie between 0 and 2^-24 → even (0)
    [1.5 * 2 ** -25, 0x0001],
    [3 * 2 ** -25, 0x0002], // tie between 1 and 2 ulps → even
    [2 ** -30, 0x0000],
    [-0, 0x8000],
    [Infinity, 0x7c00],
    [-Infinity, 0xfc00],
  ];
  for (const [v, want] of cases) assert.equal(hex(f32ToF16Bits(v)), hex(want), `f16(${v})`);
  const nan = f32ToF16Bits(NaN);
  assert.equal((nan & 0x7c00) === 0x7c00 && (nan & 0x3ff) !== 0, true, "NaN stays NaN");
});

test("f16 → f32 decodes normals, subnormals, inf and NaN", () => {
  assert.equal(f16BitsToF32(0x7bff), 65504);
  assert.equal(f16BitsToF32(0x0001), 2 ** -24);
  assert.equal(f16BitsToF32(0x03ff), 1023 * 2 ** -24);
  assert.equal(f16BitsToF32(0x3555), 0.333251953125);
  assert.equal(f16BitsToF32(0xc000), -2);
  assert.equal(f16BitsToF32(0xfc00), -Infinity);
  assert.ok(Number.isNaN(f16BitsToF32(0x7e00)));
  assert.ok(Object.is(f16BitsToF32(0x8000), -0));
});

test("f32 → f16 agrees with numpy's float16 cast on 600 values (fixture)", () => {
  const fx = JSON.parse(readFileSync(new URL("../fixtures/io/f16-numpy.json", import.meta.url), "utf8")) as { f32_bits: number[]; f16_bits: number[] };
  const u = new Uint32Array(fx.f32_bits);
  const f = new Float32Array(u.buffer);
  assert.ok(f.length > 500);
  let bad = 0;
  for (let i = 0; i < f.length; i++) if (f32ToF16Bits(f[i]) !== fx.f16_bits[i]) bad++;
  assert.equal(bad, 0);
  // and every finite f16 decodes and re-encodes to itself
  for (let h = 0; h < 65536; h++) {
    if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue;
    if (f32ToF16Bits(f16BitsToF32(h)) !== h) assert.fail(`f16 ${hex(h)} does not round-trip`);
  }
});

test("f32 → bf16: hand-computed bit patterns incl. ties, overflow, NaN", () => {
  const cases: [number, number][] = [
    [1, 0x3f80],
    [-2, 0xc000],
    [0.1, 0x3dcd], // f32 0x3dcccccd: low half 0xcccd > 0x8000 → round up
    [1 / 3, 0x3eab], // f32 0x3eaaaaab
    [1 + 2 ** -8, 0x3f80], // tie → even
    [1 + 3 * 2 ** -8, 0x3f82], // tie → even (up)
    [1 + 2 ** -8 + 2 ** -20, 0x3f81],
    [3.4028234663852886e38, 0x7f80], // f32 max rounds up to inf
    [Infinity, 0x7f80],
    [-Infinity, 0xff80],
    [-0, 0x8000],
    [2 ** -133, 0x0001], // f32 subnormal keeps its top bits
  ];
  for (const [v, want] of cases) assert.equal(hex(f32ToBf16Bits(v)), hex(want), `bf16(${v})`);
  assert.equal(hex(f32ToBf16Bits(NaN)), "0x7fc0");
  assert.equal(bf16BitsToF32(0x3f81), 1.0078125);
  assert.equal(bf16BitsToF32(0xff80), -Infinity);
  assert.ok(Number.isNaN(bf16BitsToF32(0x7fc1)));
});

test("halfBitsToF32 converts arrays at an offset", () => {
  const out = new Float32Array(4).fill(7);
  halfBitsToF32("BF16", new Uint16Array([0x3f80, 0xc000]), out, 1);
  assert.deepEqual([...out], [7, 1, -2, 7]);
  halfBitsToF32("F16", new Uint16Array([0x3c00, 0x7bff]), out, 2);
  assert.deepEqual([...out], [7, 1, 1, 65504]);
});
