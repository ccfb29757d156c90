import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, writeFileSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { MdsReader, MdsWriter, parseSizeLimit } from "../../src/data/mds.ts";
import { featurePath, shardFile } from "../../src/data/shard-records.ts";
import { pythonJsonDumps, pyNumber } from "../../src/data/pyjson.ts";
import { tempDir } from "./tmp.ts";

const u32 = (...xs: number[]) => {
  const b = Buffer.alloc(4 * xs.length);
  xs.forEach((x, i) => b.writeUInt32LE(x, 4 * i));
  return b;
};

test("python json.dumps compatibility (separators, ensure_ascii, sort_keys, float repr)", () => {
  assert.equal(
    pythonJsonDumps({ b: [1, "é\n😀\u007f"], a: null, c: 0.5 }, { sortKeys: true }),
    '{"a": null, "b": [1, "\\u00e9\\n\\ud83d\\ude00\\u007f"], "c": 0.5}',
  );
  assert.equal(pythonJsonDumps({ z: true, a: [] }), '{"z": true, "a": []}');
  // Output of Python 3.11 json.dumps for the same string:
  assert.equal(pythonJsonDumps(['a\x00\x1f\x7f\x80é\u2028"\\\b\f\n\r\t/😀']), String.raw`["a\u0000\u001f\u007f\u0080\u00e9\u2028\"\\\b\f\n\r\t/\ud83d\ude00"]`);
  assert.deepEqual([1e-5, 1e16, 1.5e20, -0.00012, 123.456, 2.5, 3].map(pyNumber), ["1e-05", "1e+16", "1.5e+20", "-0.00012", "123.456", "2.5", "3"]);
});

test("parseSizeLimit follows streaming's bytes_to_int", () => {
  assert.equal(parseSizeLimit("1000000kb"), 1024000000);
  assert.equal(parseSizeLimit("64mb"), 67108864);
  assert.equal(parseSizeLimit("100b"), 100);
  assert.equal(parseSizeLimit("4096"), 4096);
  assert.equal(parseSizeLimit(123), 123);
  assert.throws(() => parseSizeLimit("lots"), { message: 'size limit "lots": expected bytes like 67108864, "64mb" or "1000000kb"' });
});

test("MDS shard bytes: count, offsets, config JSON, per-sample sizes then data (built by hand)", () => {
  const dir = join(tempDir(), "out");
  const w = new MdsWriter({ out: dir, columns: { video: "str", text: "json" } });
  w.write({ video: "panda/a.pt", text: { id: 1, x: "é" } });
  w.write({ video: "b.pt", text: [] });
  const index = w.finish();
  const config =
    '{"column_encodings": ["json", "str"], "column_names": ["text", "video"], "column_sizes": [null, null], "compression": null, "format": "mds", "hashes": [], "size_limit": 67108864, "version": 2}';
  const t0 = '{"id": 1, "x": "\\u00e9"}';
  assert.equal(t0.length, 24);
  const s0 = Buffer.concat([u32(24, 10), Buffer.from(t0), Buffer.from("panda/a.pt")]);
  const s1 = Buffer.concat([u32(2, 4), Buffer.from("[]"), Buffer.from("b.pt")]);
  const head = 4 * 4 + config.length;
  const want = Buffer.concat([u32(2, head, head + s0.length, head + s0.length + s1.length), Buffer.from(config), s0, s1]);
  const got = readFileSync(join(dir, "shard.00000.mds"));
  assert.deepEqual(got, want);
  const indexText = readFileSync(join(dir, "index.json"), "utf8");
  assert.equal(
    indexText,
    `{"shards": [{"column_encodings": ["json", "str"], "column_names": ["text", "video"], "column_sizes": [null, null], "compression": null, "format": "mds", "hashes": [], "raw_data": {"basename": "shard.00000.mds", "bytes": ${want.length}, "hashes": {}}, "samples": 2, "size_limit": 67108864, "version": 2, "zip_data": null}], "version": 2}`,
  );
  assert.deepEqual(JSON.parse(indexText), index);
  assert.deepEqual(readdirSync(join(dir, "..")), ["out"]); // no temp folder left
});

test("MDS round trip over several shards: size-limit rollover, random access, resumable iteration", () => {
  const dir = join(tempDir(), "ds");
  const limit = 1200;
  const w = new MdsWriter({ out: dir, columns: { video: "str", text: "json" }, sizeLimit: limit });
  const samples = Array.from({ length: 40 }, (_, i) => ({ video: `v${i}.pt`, text: { id: i, conversations: [{ from: "human", value: "x".repeat(i * 3) }] } }));
  for (const s of samples) w.write(s);
  const index = w.finish();
  assert.ok(index.shards.length > 3);
  assert.equal(
    index.shards.reduce((a, s) => a + s.samples, 0),
    40,
  );
  for (const s of index.shards) {
    assert.ok(s.raw_data.bytes <= limit, `${s.raw_data.basename} ${s.raw_data.bytes}`);
    const buf = readFileSync(join(dir, s.raw_data.basename));
    assert.equal(buf.length, s.raw_data.bytes);
    assert.equal(buf.readUInt32LE(0), s.samples);
    assert.equal(buf.readUInt32LE(4 * (s.samples + 1)), buf.length); // last offset = file end
  }
  // streaming's rule: the next sample would push the shard past the limit → new shard
  const first = index.shards[0];
  const r = new MdsReader(dir);
  assert.equal(r.length, 40);
  const nextSize = 8 + 5 + JSON.stringify(samples[first.samples].text).replace(/":/g, '": ').replace(/,"/g, ', "').length + 4;
  assert.ok(first.raw_data.bytes + nextSize > limit);
  for (const i of [0, 39, 17, first.samples, first.samples - 1]) assert.deepEqual(r.get(i), samples[i]);
  const resumed = [...r.iterate({ start: 13 })];
  assert.deepEqual(
    resumed.map((x) => x.index),
    Array.from({ length: 27 }, (_, i) => 13 + i),
  );
  assert.deepEqual(
    resumed.map((x) => x.sample),
    samples.slice(13),
  );
  assert.deepEqual(
    [...r.iterate({ start: 5, end: 8 })].map((x) => x.sample),
    samples.slice(5, 8),
  );
  assert.throws(() => r.get(40), { message: `${dir}: sample 40 out of range (0 … 39)` });
  r.close();
});

test("MDS reader: one sample larger than the limit gets its own shard; damaged data is named", () => {
  const dir = join(tempDir(), "big");
  const w = new MdsWriter({ out: dir, columns: { video: "str", text: "json" }, sizeLimit: 300 });
  w.write({ video: "a", text: 1 });
  w.write({ video: "b".repeat(500), text: 2 });
  w.write({ video: "c", text: 3 });
  assert.deepEqual(
    w.finish().shards.map((s) => s.samples),
    [1, 1, 1],
  );
  const r = new MdsReader(dir);
  assert.equal((r.get(1).video as string).length, 500);
  r.close();
  truncateSync(join(dir, "shard.00002.mds"), 100);
  const r2 = new MdsReader(dir);
  assert.throws(() => r2.get(2), {
    message: new RegExp(`shard\\.00002\\.mds: 100 bytes on disk, index\\.json says \\d+; the shard is incomplete or was changed$`),
  });
  r2.close();
  const idx = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
  idx.shards[0].compression = "zstd";
  writeFileSync(join(dir, "index.json"), JSON.stringify(idx));
  assert.throws(() => new MdsReader(dir), {
    message: `${join(dir, "index.json")} shard 0 (shard.00000.mds): compressed shards ("zstd") are not supported; decompress them first`,
  });
  assert.throws(() => new MdsWriter({ out: join(dir, "x"), columns: { image: "jpeg" as "str" } }), {
    message: 'MDS writer: column "image" has encoding "jpeg"; supported: str, json, bytes',
  });
});

test("shardFile writes official VideoMarathon shards: feature path and source added", async () => {
  const dir = tempDir();
  const input = join(dir, "videomarathon.jsonl");
  const rec = {
    id: "panda/v.mp4#0",
    video: "v.mp4",
    data_source: "panda",
    conversations: [
      { from: "human", value: "Q?" },
      { from: "gpt", value: "A." },
    ],
  };
  writeFileSync(input, JSON.stringify(rec) + "\n" + JSON.stringify({ ...rec, data_source: "nope" }) + "\n");
  const out = join(dir, "shards");
  const res = await shardFile(input, out, { root: "/data/VideoMarathon/videos" });
  assert.deepEqual([res.samples, res.shards, res.rejected], [1, 1, 1]);
  const r = new MdsReader(out);
  assert.deepEqual(r.get(0), { video: "/data/VideoMarathon/features/panda/v.pt", text: { ...rec, source: "videomarathon" } });
  r.close();
  assert.equal(featurePath({ video: "a.mp4", data_source: "ego4d" }), "ego4d/a.pt");
  const qaIn = join(dir, "qa.jsonl");
  writeFileSync(
    qaIn,
    JSON.stringify({ video: "v.mp4", data_source: "panda", task: "Object Recognition", question_type: "OE", question: "Q", answer: "A" }) + "\n",
  );
  await assert.rejects(shardFile(qaIn, join(dir, "s2")), {
    message: `${qaIn}:1: a flat QA row; shards hold grouped conversation records, run "data group" first`,
  });
  assert.equal(existsSync(join(dir, "s2")), false);
});
