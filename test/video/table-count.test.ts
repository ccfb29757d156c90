// The mp4/mov frame count from the sample tables (mp4-table-count.ts) against the decoded count it replaces: equal on
// real files (the repository's sample, plain encodes, B-frame delay edits, stream-copy cuts that trim, an empty-edit
// offset, a VFR file whose edit drops its last frames), and a reason instead of a number wherever the tables do not
// prove what ffmpeg outputs, in which case probing counts by decoding, as before.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { countDecodedFrames } from "../../src/video/decoded-count.ts";
import { mp4TableCount, readMoov, tableCountFromMoov, type TableCount, type TableFallback } from "../../src/video/mp4-table-count.ts";
import { probeVideo } from "../../src/video/probe.ts";
import { ffmpeg, makeTempDir } from "./clips.ts";

let dir = "";
let cleanup = () => {};
before(() => ({ dir, cleanup } = makeTempDir()));
after(() => cleanup());

const SRC = "testsrc2=size=64x36:rate=25:duration=6";

function encode(name: string, extra: string[], src = SRC): string {
  const p = join(dir, name);
  ffmpeg(["-f", "lavfi", "-i", src, "-pix_fmt", "yuv420p", ...extra, p]);
  return p;
}

function counted(t: TableCount | TableFallback): TableCount {
  if ("fallback" in t) assert.fail(`the tables were not used: ${t.fallback}`);
  return t;
}

async function sameAsDecoded(path: string): Promise<TableCount> {
  const t = counted(await mp4TableCount(path));
  const d = await countDecodedFrames(path, "0:0");
  assert.equal(t.frames, d.frames, `${path}: table ${t.frames} frames, decoded ${d.frames}`);
  // ffmpeg reports the end to 1/100 s, and on a VFR file from its own frame durations: within 0.1 s.
  assert.ok(Math.abs(t.durationS - d.endS!) <= 0.1, `${path}: table ${t.durationS} s, decoded ${d.endS} s`);
  return t;
}

test("the sample video: the table count is the decoded count", async () => {
  const t = await sameAsDecoded("samples/demo.mp4");
  assert.equal(t.frames, 150);
});

test("plain encodes: B-frames (the encoder's delay edit), none, intra only, moov first, mov at 30000/1001, HEVC, MPEG-4", async () => {
  const clips = [
    encode("bframes.mp4", ["-c:v", "libx264", "-bf", "3", "-g", "12"]),
    encode("nob.mp4", ["-c:v", "libx264", "-bf", "0"]),
    encode("intra.mp4", ["-c:v", "libx264", "-g", "1"]),
    encode("faststart.mp4", ["-c:v", "libx264", "-movflags", "+faststart"]),
    encode("ntsc.mov", ["-c:v", "libx264"], "testsrc2=size=64x36:rate=30000/1001:duration=5"),
    encode("hevc.mp4", ["-c:v", "libx265", "-x265-params", "log-level=0"]),
    encode("mpeg4.mp4", ["-c:v", "mpeg4", "-bf", "2"]),
  ];
  for (const c of clips) await sameAsDecoded(c);
});

test("edit lists: stream-copy cuts that trim the start or the end, an open-GOP cut, an -itsoffset start offset", async () => {
  const src = encode("src.mp4", ["-c:v", "libx264", "-g", "50"]);
  const open = encode("opengop.mp4", ["-c:v", "libx264", "-x264-params", "open-gop=1:keyint=20"]);
  const cut = (from: string, name: string, pre: string[], post: string[]) => {
    const p = join(dir, name);
    ffmpeg([...pre, "-i", from, ...post, "-c", "copy", p]);
    return p;
  };
  // -ss 1.3: the copy starts at the key frame at 0 s and its edit hides the first 1.3 s (+ the B-frame delay).
  assert.equal((await sameAsDecoded(cut(src, "cut-start.mp4", ["-ss", "1.3"], []))).frames, 117);
  assert.equal((await sameAsDecoded(cut(src, "cut-end.mp4", [], ["-t", "4.5"]))).frames, 114);
  await sameAsDecoded(cut(open, "cut-open.mp4", ["-ss", "1.3"], []));
  assert.equal((await sameAsDecoded(cut(src, "offset.mp4", ["-itsoffset", "1"], []))).frames, 150);
});

test("a VFR mp4 with B-frames, whose edit hides its last frames: the table count drops them as ffmpeg does", async () => {
  const p = encode("vfr.mp4", ["-vf", "setpts='if(lt(N,75),N/25,3+(N-75)/10)/TB'", "-vsync", "vfr", "-c:v", "libx264", "-bf", "2"]);
  const t = await sameAsDecoded(p);
  assert.ok(t.frames < 150, `${t.frames}`);
});

test("a cut whose edit starts past a later key frame falls back to decoding, and probing says so", async () => {
  const src = encode("key.mp4", ["-c:v", "libx264", "-g", "25"]);
  const p = join(dir, "cut-key.mp4");
  ffmpeg(["-ss", "2", "-i", src, "-c", "copy", p]);
  const t = await mp4TableCount(p);
  assert.ok("fallback" in t && /key frame/.test(t.fallback), JSON.stringify(t));
  const info = await probeVideo(p, { countFrames: true });
  assert.equal(info.frameCountSource, "decoded");
  assert.equal(info.frameCount, (await countDecodedFrames(p, "0:0")).frames);
});

test("64-bit box sizes and a last box sized 0 (to the end of the file) are read", async () => {
  // ffmpeg writes ftyp, an 8-byte free box, mdat, moov: free+mdat's headers become one 16-byte 64-bit mdat header
  // (what the muxer does for files over 4 GiB) without moving a byte of the samples.
  const p = encode("wide.mp4", ["-c:v", "libx264"]);
  const b = readFileSync(p);
  const free = b.indexOf("free", 0, "latin1") - 4;
  assert.equal(b.toString("latin1", free + 12, free + 16), "mdat");
  const mdatSize = b.readUInt32BE(free + 8);
  b.writeUInt32BE(1, free);
  b.write("mdat", free + 4, "latin1");
  b.writeBigUInt64BE(BigInt(mdatSize + 8), free + 8);
  const wide = join(dir, "wide64.mp4");
  writeFileSync(wide, b);
  assert.equal((await sameAsDecoded(wide)).frames, 150);

  const f = readFileSync(encode("front.mp4", ["-c:v", "libx264", "-movflags", "+faststart"]));
  const mdat = f.lastIndexOf("mdat", undefined, "latin1") - 4;
  f.writeUInt32BE(0, mdat);
  const zero = join(dir, "zero.mp4");
  writeFileSync(zero, f);
  assert.equal((await sameAsDecoded(zero)).frames, 150);
});

test("a truncated file falls back (samples past its end); a cut moov is a reason here and ffmpeg's error when probed", async () => {
  const front = readFileSync(encode("whole.mp4", ["-c:v", "libx264", "-movflags", "+faststart"]));
  const short = join(dir, "short.mp4");
  writeFileSync(short, front.subarray(0, Math.floor(front.length * 0.5)));
  const t = await mp4TableCount(short);
  assert.ok("fallback" in t && /past the end of the file/.test(t.fallback), JSON.stringify(t));
  const info = await probeVideo(short, { countFrames: true });
  assert.equal(info.frameCountSource, "decoded");
  assert.ok(info.frameCount < 150 && info.headerDurationS === 6, JSON.stringify(info));

  const back = readFileSync(encode("back.mp4", ["-c:v", "libx264"]));
  const moov = back.indexOf("moov", 0, "latin1") - 4;
  const cutMoov = join(dir, "cut-moov.mp4");
  writeFileSync(cutMoov, back.subarray(0, moov + 200));
  const r = await readMoov(cutMoov);
  assert.ok("fallback" in r && /runs past the end of the file/.test(r.fallback), JSON.stringify(r));
  await assert.rejects(probeVideo(cutMoov, { countFrames: true }), (e: Error) => e.message.startsWith(`${cutMoov}: `) && !e.message.includes("\n"));
});

test("a corrupt sample table (stts disagrees with stsz) falls back to the decoded count", async () => {
  const b = readFileSync(encode("corrupt.mp4", ["-c:v", "libx264"]));
  const stts = b.indexOf("stts", 0, "latin1");
  b.writeUInt32BE(1000, stts + 12); // the first run's sample count
  const p = join(dir, "corrupt-stts.mp4");
  writeFileSync(p, b);
  const t = await mp4TableCount(p);
  assert.ok("fallback" in t && /stts counts more samples than stsz/.test(t.fallback), JSON.stringify(t));
  const info = await probeVideo(p, { countFrames: true });
  assert.equal(info.frameCountSource, "decoded");
  assert.equal(info.frameCount, 150);
});

// ---- the rules, on sample tables written here ----

const u32 = (...n: number[]) => {
  const b = Buffer.alloc(4 * n.length);
  n.forEach((x, i) => b.writeInt32BE(x | 0, 4 * i));
  return b;
};
const box = (type: string, ...parts: Buffer[]) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([u32(8 + body.length), Buffer.from(type, "latin1"), body]);
};
const full = (type: string, ...parts: Buffer[]) => box(type, u32(0), ...parts);

interface Track {
  /** Sample durations (stts), in 1/1000 s. */
  deltas: number[];
  /** Composition offsets (ctts). */
  offsets?: number[];
  /** 1-based key samples (stss); none: all. */
  keys?: number[];
  /** [duration (movie units: 1/1000 s), media time, rate 16.16]. */
  edits?: [number, number, number][];
  codec?: string;
  extra?: Buffer[];
}

function trak(t: Track): Buffer {
  const n = t.deltas.length;
  const entry = Buffer.alloc(78);
  entry.writeUInt16BE(64, 24);
  entry.writeUInt16BE(36, 26);
  const stbl = box(
    "stbl",
    full("stsd", u32(1), box(t.codec ?? "avc1", entry)),
    full("stts", u32(n), ...t.deltas.map((d) => u32(1, d))),
    ...(t.offsets ? [full("ctts", u32(n), ...t.offsets.map((o) => u32(1, o)))] : []),
    ...(t.keys ? [full("stss", u32(t.keys.length, ...t.keys))] : []),
    full("stsz", u32(0, n, ...t.deltas.map(() => 10))),
    full("stsc", u32(1, 1, n, 1)),
    full("stco", u32(1, 100)),
    ...(t.extra ?? []),
  );
  const mdia = box("mdia", full("mdhd", u32(0, 0, 1000, 0, 0)), full("hdlr", u32(0), Buffer.from("vide", "latin1"), u32(0, 0, 0)), box("minf", stbl));
  const edts = t.edits ? [box("edts", full("elst", u32(t.edits.length, ...t.edits.flat())))] : [];
  return box("trak", ...edts, mdia);
}

const moov = (...parts: Buffer[]) => box("moov", full("mvhd", u32(0, 0, 1000, 0)), ...parts);
const count = (m: Buffer, fileSize = 1 << 20) => tableCountFromMoov(m, fileSize);
const reason = (m: Buffer, fileSize?: number) => {
  const r = count(m, fileSize);
  return "fallback" in r ? r.fallback : `counted ${r.frames}`;
};
const cfr = (n: number) => Array.from({ length: n }, () => 40);
// I0 P3 B1 B2 P6 B4 B5 … as an encoder with 2 B-frames orders them: offsets 80, 160, 40, 40, 160, 40, 40 (1/1000 s)
const BFRAMES = { deltas: cfr(7), offsets: [80, 160, 40, 40, 160, 40, 40], keys: [1] };

test("rules: every sample is output with no edit list, or with an edit that covers them all", () => {
  assert.deepEqual(count(moov(trak({ deltas: cfr(10) }))), { frames: 10, durationS: 0.4 });
  assert.deepEqual(count(moov(trak({ ...BFRAMES, edits: [[280, 80, 0x10000]] }))), { frames: 7, durationS: 0.28 });
  // Empty edits first are a start offset, not a trim.
  assert.deepEqual(
    count(
      moov(
        trak({
          ...BFRAMES,
          edits: [
            [500, -1, 0x10000],
            [280, 80, 0x10000],
          ],
        }),
      ),
    ),
    { frames: 7, durationS: 0.28 },
  );
});

test("rules: an edit that trims counts what it shows; durations from the first shown frame to the end of the last", () => {
  // Shows presentation times [120, 280): samples 2, 3, 1 and 5 (at 120, 160, 200 and 240).
  assert.deepEqual(count(moov(trak({ ...BFRAMES, edits: [[160, 120, 0x10000]] }))), { frames: 4, durationS: 0.16 });
});

test("rules: what the tables cannot prove is a reason, not a number", () => {
  assert.match(
    reason(
      moov(
        trak({
          ...BFRAMES,
          edits: [
            [100, 80, 0x10000],
            [100, 200, 0x10000],
          ],
        }),
      ),
    ),
    /2 edits after the empty ones/,
  );
  assert.match(reason(moov(trak({ ...BFRAMES, edits: [[280, 80, 0x8000]] }))), /an edit at rate 0.5/);
  assert.match(reason(moov(trak({ ...BFRAMES, edits: [[280, -1, 0x10000]] }))), /empty edits only/);
  assert.match(reason(moov(trak({ ...BFRAMES, edits: [[280, 80, 0x10000]], keys: [1, 5] }))), /edit starts at or after key frame|key frame 4 reaches/);
  // A key frame decoded before B-frames that reaches the edit's end: ffmpeg stops indexing there.
  assert.match(reason(moov(trak({ deltas: cfr(3), offsets: [40, 80, 0], keys: [1, 2], edits: [[120, 40, 0x10000]] }))), /key frame 1 reaches the edit's end/);
  // A trimmed start past a later key frame: decoding starts at that key frame.
  assert.match(reason(moov(trak({ deltas: cfr(10), keys: [1, 5], edits: [[200, 200, 0x10000]] }))), /edit starts at or after key frame 4/);
  assert.match(reason(moov(trak({ deltas: cfr(4), offsets: [40, 0, 0, 0] }))), /open-GOP leading pictures/);
  assert.match(reason(moov(trak({ deltas: cfr(4), keys: [2] }))), /first sample is not a key frame/);
  assert.match(reason(moov(trak({ deltas: cfr(10) })), 150), /past the end of the file/);
  assert.match(reason(moov(trak({ deltas: cfr(4) }), trak({ deltas: cfr(4) }))), /2 video tracks/);
  assert.match(reason(moov(trak({ deltas: cfr(4) }), box("mvex"))), /fragmented/);
  assert.match(reason(moov(trak({ deltas: cfr(4), codec: "rle " }))), /codec "rle "/);
  assert.match(reason(moov(trak({ deltas: cfr(4), extra: [full("sbgp", Buffer.from("rap ", "latin1"), u32(0))] }))), /'rap ' sample group/);
  const cut = moov(trak({ deltas: cfr(10) }));
  assert.match(reason(cut.subarray(0, cut.length - 30)), /no moov box|shorter than its entry count|fewer|no stco/);
  const stream = { codec: "h264", width: 64, height: 36 };
  assert.ok("frames" in tableCountFromMoov(moov(trak({ deltas: cfr(4) })), 1 << 20, stream));
  const other = tableCountFromMoov(moov(trak({ deltas: cfr(4) })), 1 << 20, { ...stream, width: 640 });
  assert.ok("fallback" in other && /not the stream ffmpeg reports/.test(other.fallback));
});
