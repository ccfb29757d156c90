import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, existsSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./tmp.ts";
import { createSafetensorsWriter, openSafetensors, writeSafetensors } from "../../src/io/safetensors.ts";

const tmp = () => tempDir("io-st-");

/** A file from a header object and raw data bytes, with the header length written as given. */
function rawFile(dir: string, header: unknown, data: Uint8Array, lenOverride?: bigint): string {
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lenOverride ?? BigInt(json.length));
  const p = join(dir, `f${Math.random().toString(36).slice(2)}.safetensors`);
  writeFileSync(p, Buffer.concat([len, json, data]));
  return p;
}

test("writer output is byte-identical to the reference format (header padded to 8 with spaces)", () => {
  const d = tmp();
  const p = join(d, "a.safetensors");
  writeSafetensors(p, { a: { dtype: "F32", shape: [2], data: [1, 2] } });
  const b = readFileSync(p);
  const json = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'; // 54 bytes → padded to 56
  assert.equal(json.length, 54);
  assert.equal(b.readBigUInt64LE(0), 56n);
  assert.equal(b.subarray(8, 64).toString("latin1"), json + "  ");
  assert.deepEqual([...b.subarray(64)], [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]);
  assert.equal(b.length, 72);
});

test("round trip per dtype: F32, F16, BF16, F64, I64, I32, U8, BOOL, scalar and empty tensors, metadata", () => {
  const d = tmp();
  const p = join(d, "m.safetensors");
  const vals = [1, -2, 0.1, 65520, 1 + 2 ** -11, NaN, -Infinity, 3.14159];
  writeSafetensors(
    p,
    {
      f32: { dtype: "F32", shape: [2, 4], data: Float32Array.from(vals) },
      f16: { dtype: "F16", shape: [8], data: vals },
      bf16: { dtype: "BF16", shape: [4, 2], data: Float32Array.from(vals) },
      f16bits: { dtype: "F16", shape: [2], data: new Uint16Array([0x3c00, 0x7bff]) },
      f64: { dtype: "F64", shape: [2], data: [0.1, -1e300] },
      i64: { dtype: "I64", shape: [3], data: [1, -5, 2 ** 40] },
      i64big: { dtype: "I64", shape: [1], data: new BigInt64Array([-(2n ** 62n)]) },
      i32: { dtype: "I32", shape: [2], data: new Int32Array([-7, 2 ** 31 - 1]) },
      u8: { dtype: "U8", shape: [3], data: [0, 255, 7] },
      mask: { dtype: "BOOL", shape: [2], data: new Uint8Array([1, 0]) },
      scalar: { dtype: "F32", shape: [], data: [42] },
      empty: { dtype: "BF16", shape: [0, 3], data: [] },
    },
    { format: "pt", note: "hi" },
  );
  const f = openSafetensors(p);
  assert.deepEqual(f.metadata, { format: "pt", note: "hi" });
  assert.deepEqual(f.names().sort(), ["bf16", "empty", "f16", "f16bits", "f32", "f64", "i32", "i64", "i64big", "mask", "scalar", "u8"]);
  assert.deepEqual(f.info("bf16").shape, [4, 2]);
  assert.equal(f.info("f16").dtype, "F16");
  const same = (a: ArrayLike<number>, b: number[]) => assert.deepEqual(Array.from(a).map(String), b.map(String));
  same(f.read("f32"), [1, -2, Math.fround(0.1), 65520, 1 + 2 ** -11, NaN, -Infinity, Math.fround(3.14159)]);
  same(f.read("f16"), [1, -2, 0.0999755859375, Infinity, 1, NaN, -Infinity, 3.140625]);
  assert.deepEqual([...(f.readRaw("f16") as Uint16Array)], [0x3c00, 0xc000, 0x2e66, 0x7c00, 0x3c00, 0x7e00, 0xfc00, 0x4248]);
  same(f.read("bf16"), [1, -2, 0.10009765625, 65536, 1, NaN, -Infinity, 3.140625]);
  assert.deepEqual([...(f.readRaw("bf16") as Uint16Array)], [0x3f80, 0xc000, 0x3dcd, 0x4780, 0x3f80, 0x7fc0, 0xff80, 0x4049]);
  same(f.read("f16bits"), [1, 65504]);
  assert.deepEqual([...(f.readRaw("f64") as Float64Array)], [0.1, -1e300]);
  assert.deepEqual([...(f.readRaw("i64") as BigInt64Array)], [1n, -5n, 2n ** 40n]);
  assert.deepEqual([...(f.readRaw("i64big") as BigInt64Array)], [-(2n ** 62n)]);
  assert.deepEqual([...(f.readRaw("i32") as Int32Array)], [-7, 2 ** 31 - 1]);
  assert.deepEqual([...f.read("u8")], [0, 255, 7]);
  assert.deepEqual([...f.read("mask")], [1, 0]);
  assert.deepEqual([...f.read("scalar")], [42]);
  assert.equal(f.read("empty").length, 0);
  assert.throws(() => f.read("i64"), /tensor "i64" is I64, which does not convert to f32 exactly; use readRaw\(\)/);
  assert.throws(() => f.read("nope"), /no tensor named "nope" \(the file holds 12 tensors\)/);
  // wider dtypes are laid out first so every tensor is aligned to its element size
  for (const n of f.names()) {
    const i = f.info(n);
    assert.equal(i.begin % ({ F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2 } as Record<string, number>)[i.dtype] || 0, 0, n);
  }
  f.close();
  assert.throws(() => f.read("f32"), /read of "f32" after close\(\)/);
});

test("large bf16 tensors convert in chunks with exact values", () => {
  const d = tmp();
  const p = join(d, "big.safetensors");
  const n = (1 << 23) + 5; // more than one 16 MB chunk of 16-bit elements
  const bits = new Uint16Array(n);
  for (let i = 0; i < n; i++) bits[i] = (0x3f80 + (i % 128)) & 0xffff;
  writeSafetensors(p, { w: { dtype: "BF16", shape: [n], data: bits } });
  const f = openSafetensors(p);
  const v = f.read("w");
  f.close();
  assert.equal(v.length, n);
  for (const i of [0, 1, 127, 128, (1 << 23) - 1, 1 << 23, n - 1]) assert.equal(v[i], 1 + (i % 128) / 128, `element ${i}`);
});

test("lazy access: a 3 GB (sparse) file opens and one small tensor is read at its offset, nothing else", () => {
  const d = tmp();
  const p = join(d, "sparse.safetensors");
  const big = 3_000_000_000;
  const header = Buffer.from(
    JSON.stringify({ big: { dtype: "U8", shape: [big], data_offsets: [0, big] }, small: { dtype: "F32", shape: [2], data_offsets: [big, big + 8] } }),
  );
  const fd = openSync(p, "w");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  writeSync(fd, len, 0, 8, 0);
  writeSync(fd, header, 0, header.length, 8);
  const small = Buffer.from(new Float32Array([1.5, -2.25]).buffer);
  writeSync(fd, small, 0, 8, 8 + header.length + big);
  closeSync(fd);
  const f = openSafetensors(p);
  assert.deepEqual(f.info("big").shape, [big]);
  assert.deepEqual([...f.read("small")], [1.5, -2.25]);
  f.close();
});

test("truncated and corrupt files give one clear error each", () => {
  const d = tmp();
  const ok = { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
  const data8 = new Uint8Array(8);
  const short = join(d, "short.safetensors");
  writeFileSync(short, Buffer.from([1, 2, 3]));
  assert.throws(() => openSafetensors(short), /short\.safetensors: not a safetensors file: 3 bytes, shorter than the 8-byte header length/);
  assert.throws(() => openSafetensors(join(d, "missing.safetensors")), /missing\.safetensors: no such safetensors file/);
  const cases: [unknown, Uint8Array, bigint | undefined, RegExp][] = [
    [ok, data8, 10n ** 12n, /corrupt safetensors header: header length 1000000000000 exceeds the 100000000-byte limit/],
    [ok, data8, 500n, /truncated safetensors file: header says 500 JSON bytes but only \d+ follow/],
    [ok, data8, 1n, /header length 1 is too small/],
    [["x"], data8, undefined, /JSON header does not start with "\{"/],
    [{ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: 1 }, data8, undefined, /tensor "b": header entry is not an object/],
    [{ a: { dtype: "F48", shape: [2], data_offsets: [0, 8] } }, data8, undefined, /tensor "a": unknown dtype "F48" \(known: F64, F32/],
    [
      { a: { dtype: "F32", shape: [2, -1], data_offsets: [0, 8] } },
      data8,
      undefined,
      /tensor "a": shape must be a list of non-negative integers, got \[2,-1\]/,
    ],
    [
      { a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } },
      data8,
      undefined,
      /tensor "a": shape \[3\] of F32 needs 12 bytes but data_offsets \[0, 8\] hold 8/,
    ],
    [
      { a: { dtype: "F32", shape: [4], data_offsets: [0, 16] } },
      data8,
      undefined,
      /tensor "a": data_offsets \[0, 16\] run past the data buffer \(8 bytes; file truncated\?\)/,
    ],
    [{ a: { dtype: "F32", shape: [2], data_offsets: [8, 0] } }, data8, undefined, /data_offsets \[8, 0\] end before they begin/],
    [{ a: { dtype: "F32", shape: [2], data_offsets: "0,8" } }, data8, undefined, /data_offsets must be \[begin, end\] non-negative integers, got "0,8"/],
    [{ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, data8, undefined, /hole in the data buffer: bytes 0\.\.4 belong to no tensor \(before "a"\)/],
    [
      { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [1], data_offsets: [4, 8] } },
      data8,
      undefined,
      /tensor "b" data_offsets \[4, 8\] overlap the previous tensor \(ends at 8\)/,
    ],
    [{ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, data8, undefined, /data buffer is 8 bytes but the tensors cover 4/],
    [{ __metadata__: { n: 1 }, ...ok }, data8, undefined, /__metadata__\.n must be a string, got 1/],
  ];
  for (const [h, data, len, re] of cases) assert.throws(() => openSafetensors(rawFile(d, h, data, len)), re);
  // invalid JSON
  const bad = join(d, "badjson.safetensors");
  const body = Buffer.from('{"a": ');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(body.length));
  writeFileSync(bad, Buffer.concat([len, body]));
  assert.throws(() => openSafetensors(bad), /badjson\.safetensors: corrupt safetensors header: invalid JSON/);
  // a valid hand-made file (spaces padding the JSON are allowed) opens
  const good = rawFile(d, ok, new Uint8Array(new Float32Array([5, 6]).buffer));
  assert.deepEqual([...openSafetensors(good).read("a")], [5, 6]);
});

test("streaming writer: chunks in any tensor order, atomic finish, incomplete or oversized writes rejected", () => {
  const d = tmp();
  const p = join(d, "s.safetensors");
  const w = createSafetensorsWriter(
    p,
    [
      { name: "x", dtype: "BF16", shape: [2, 3] },
      { name: "y", dtype: "I32", shape: [4] },
    ],
    { k: "v" },
  );
  w.write("y", [1, 2]);
  w.write("x", Float32Array.from([1, 2, 3]));
  assert.equal(existsSync(p), false, "nothing at the final path before finish()");
  w.write("x", [4, 5, 6]);
  w.write("y", new Int32Array([3, 4]));
  assert.throws(() => w.write("y", [5]), /tensor "y" gets 5 elements, more than its shape \[4\] holds \(4\)/);
  assert.throws(() => w.write("z", [5]), /tensor "z" was not declared to the writer/);
  w.finish();
  const f = openSafetensors(p);
  assert.deepEqual([...f.read("x")], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...(f.readRaw("y") as Int32Array)], [1, 2, 3, 4]);
  assert.deepEqual(f.metadata, { k: "v" });
  f.close();
  assert.deepEqual(readdirSync(d), ["s.safetensors"], "no temp files left");

  const q = join(d, "q.safetensors");
  const w2 = createSafetensorsWriter(q, [
    { name: "a", dtype: "F16", shape: [3] },
    { name: "b", dtype: "F32", shape: [1] },
  ]);
  w2.write("a", [1]);
  assert.throws(() => w2.finish(), /q\.safetensors: not written, 2 tensor\(s\) incomplete: "a" \(1\/3 elements\), "b" \(0\/1 elements\)/);
  assert.deepEqual(readdirSync(d), ["s.safetensors"], "the failed write left nothing behind");
});

test("writeSafetensors validates input and leaves nothing on failure", () => {
  const d = tmp();
  const p = join(d, "v.safetensors");
  assert.throws(() => writeSafetensors(p, { a: { dtype: "F32", shape: [2, 2], data: [1, 2, 3] } }), /tensor "a" has 3 elements but shape \[2,2\] needs 4/);
  assert.throws(() => writeSafetensors(p, { a: { dtype: "I32", shape: [2], data: [1, 2.5] } }), /tensor "a": I32 element 1 is 2\.5, not an integer/);
  assert.throws(() => writeSafetensors(p, { a: { dtype: "Q4" as "F32", shape: [1], data: [1] } }), /tensor "a": unknown dtype "Q4"/);
  assert.throws(
    () => writeSafetensors(p, { a: { dtype: "F32", shape: [1], data: [1] } }, { n: 3 as unknown as string }),
    /metadata "n" must be a string, got 3/,
  );
  assert.deepEqual(readdirSync(d), []);
  // overwriting an existing file replaces it whole
  writeSafetensors(p, { a: { dtype: "F32", shape: [1], data: [1] } });
  writeSafetensors(p, { b: { dtype: "F16", shape: [2], data: [2, 3] } });
  const f = openSafetensors(p);
  assert.deepEqual(f.names(), ["b"]);
  assert.deepEqual([...f.read("b")], [2, 3]);
  f.close();
});
