// Exit codes through the real binary: a command that reports failure exits non-zero; a model with NaN weights
// is refused with a line naming the tensor (before, it answered garbage and exited 0).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firstNonFinite } from "../../src/model/load/finite.ts";
import { ffmpeg } from "../video/clips.ts";
import { runBinary, writeTinyModel } from "./tiny-model.ts";

let dir = "";
before(() => (dir = mkdtempSync(join(tmpdir(), "hl-exit-"))));
after(() => rmSync(dir, { recursive: true, force: true }));

const hl = runBinary;
const record = (task: string) =>
  JSON.stringify({ video: "a.mp4", data_source: "panda", duration: 300, task, question_type: "OE", question: "Q?", answer: "A.", events: 4 });

test("data validate exits 1 when it rejects records, 0 when all are valid", () => {
  const bad = join(dir, "bad.jsonl");
  writeFileSync(bad, `${record("Nope")}\n${record("Nope")}\n`);
  const r = hl(["data", "validate", bad, "--quiet"]);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /2 records: 0 valid, 2 rejected/);
  const good = join(dir, "good.jsonl");
  writeFileSync(good, `${record("Object Recognition")}\n`);
  assert.equal(hl(["data", "validate", good, "--quiet"]).code, 0);
});

test("a model with a NaN weight is refused, naming the tensor, before any encode", () => {
  const model = join(dir, "nan-model");
  let bad = "";
  writeTinyModel(model, {}, (w) => {
    bad = [...w.keys()].find((n) => n.includes("mm_projector"))!;
    w.get(bad)!.data[3] = Number.NaN;
  });
  const video = join(dir, "v.mp4");
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=32x32:rate=1:duration=4", "-pix_fmt", "yuv420p", video]);
  for (let i = 0; i < 2; i++) {
    // twice: a failed check is not remembered as passed
    const r = hl(["ask", video, "what?", "--model", model, "--cache-dir", join(dir, "cache"), "--quiet"]);
    assert.equal(r.code, 1);
    assert.equal(r.err.trim(), `hourllava: ${join(model, "model.safetensors")}: weight ${bad} has a NaN or infinite value (element 3)`);
  }
});

test("firstNonFinite reads the stored bits of f32, f16 and bf16", () => {
  assert.equal(firstNonFinite("F32", new Uint8Array(new Float32Array([1, -2, Infinity]).buffer)), 2);
  assert.equal(firstNonFinite("F32", new Uint8Array(new Float32Array([1, 3.4e38, -0]).buffer)), -1);
  assert.equal(firstNonFinite("F16", new Uint8Array(new Uint16Array([0x3c00, 0x7bff, 0xfe00]).buffer)), 2); // 1, max, NaN
  assert.equal(firstNonFinite("BF16", new Uint8Array(new Uint16Array([0x3f80, 0xff80]).buffer)), 1); // 1, -Inf
  assert.equal(firstNonFinite("BF16", new Uint8Array(new Uint16Array([0x7f7f]).buffer)), -1); // max finite
});
