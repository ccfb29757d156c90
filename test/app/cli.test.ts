// The real `hourllava` binary on real files: answers, cache reuse, resumable and concurrent encoding, cache
// management, and one clear line (non-zero exit, nothing half-written in the cache) for each kind of bad input.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ffmpegPath } from "../../src/video/ffmpeg-path.ts";
import { writeTinyModel } from "./tiny-model.ts";
import { openSafetensors } from "../../src/io/safetensors.ts";

let dir = "";
let model = "";
const clip = (name: string) => join(dir, name);

function hl(args: string[], cacheDir: string) {
  const r = spawnSync(process.execPath, ["bin/hourllava.js", ...args, "--cache-dir", cacheDir], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function ffmpeg(args: string[]) {
  const r = spawnSync(ffmpegPath(), ["-hide_banner", "-loglevel", "error", "-y", ...args]);
  assert.equal(r.status, 0, String(r.stderr));
}

/** The cache holds no partial work and no entries other than complete ones. */
function assertCacheClean(cacheDir: string, entries: number) {
  const names = existsSync(cacheDir) ? readdirSync(cacheDir) : [];
  assert.deepEqual(
    names.filter((n) => n.endsWith(".partial") || n.endsWith(".lock") || n.includes(".tmp")),
    [],
    names.join(","),
  );
  assert.equal(names.filter((n) => n.endsWith(".safetensors")).length, entries);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), "hl-cli-"));
  model = join(dir, "model");
  writeTinyModel(model);
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x48:rate=2:duration=20", "-pix_fmt", "yuv420p", clip("a.mp4")]);
  ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=32x32:rate=1:duration=300", "-pix_fmt", "yuv420p", clip("long.mp4")]);
  ffmpeg(["-f", "lavfi", "-i", "sine=duration=2", clip("audio.m4a")]);
  writeFileSync(clip("text.mp4"), "this is not a video\n");
  const bytes = readFileSync(clip("a.mp4"));
  writeFileSync(clip("cut.mp4"), bytes.subarray(0, Math.floor(bytes.length / 3)));
  mkdirSync(clip("folder.mp4"));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("ask answers, --json reports timings per stage and cache info; the second ask reuses the memory", () => {
  const cache = join(dir, "c1");
  const a = hl(["ask", clip("a.mp4"), "what colour is the circle?", "--model", model, "--json", "--max-tokens", "4"], cache);
  assert.equal(a.code, 0, a.err);
  const j = JSON.parse(a.out);
  assert.equal(j.frames, 40); // 20 s at 2 fps has only 40 frames: all are kept (the model repeats them to 128)
  assert.equal(j.cache.hit, false);
  assert.ok(j.timings_s.vision_encode > 0 && j.timings_s.memaug > 0 && j.timings_s.prefill > 0);
  // loading and building the answer path's sessions are their own entries, not part of prefill
  assert.ok(j.timings_s.load > 0 && j.timings_s.sessions > 0);
  // so are probing and counting the frames (an mp4: from its sample tables, no decode)
  assert.ok(j.timings_s.probe > 0 && j.timings_s.count_frames > 0, JSON.stringify(j.timings_s));
  assert.equal(j.frame_count_source, "table");
  // The checkpoint's forgetting (random, seed 0) and the sampling rule are recorded; at most 4 tokens were generated.
  assert.deepEqual([j.sampling, j.spatial, j.seed], ["one-fps-min", "random", 0]);
  assert.ok(j.tokens >= 1 && j.tokens <= 4 && (j.stop === "length") === (j.tokens === 4), `${j.tokens} tokens, stop ${j.stop}`);
  const b = JSON.parse(hl(["ask", clip("a.mp4"), "what colour is the circle?", "--model", model, "--json", "--max-tokens", "4"], cache).out);
  assert.equal(b.cache.hit, true);
  assert.equal(b.cache.key, j.cache.key);
  assert.equal(b.timings_s.vision_encode, 0);
  assert.equal(b.timings_s.count_frames, 0); // remembered from the first ask
  assert.equal(b.answer, j.answer); // greedy: same memory, same answer
  assertCacheClean(cache, 1);
  const ls = hl(["cache", "ls"], cache);
  assert.match(ls.out, new RegExp(`${j.cache.key.slice(0, 12)} .*a\\.mp4`));
  assert.match(ls.out, /1 entries, [\d.]+ MiB/);
  assert.match(hl(["cache", "rm", j.cache.key.slice(0, 8)], cache).out, /removed /);
  assertCacheClean(cache, 0);
});

test("an encode killed with SIGKILL mid-way resumes and ends bit-identical to an uninterrupted one", async () => {
  const ref = join(dir, "ref");
  assert.equal(hl(["encode", clip("long.mp4"), "--model", model, "--quiet"], ref).code, 0);
  const cache = join(dir, "crash");
  mkdirSync(cache, { recursive: true });
  const child = spawn(process.execPath, ["bin/hourllava.js", "encode", clip("long.mp4"), "--model", model, "--quiet", "--batch", "2", "--cache-dir", cache]);
  // Kill it as soon as some (not all) parts are on disk.
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => {
      const partial = readdirSync(cache).find((n) => n.endsWith(".partial"));
      const parts = partial ? readdirSync(join(cache, partial)).filter((n) => n.startsWith("part-")) : [];
      if (parts.length >= 3) {
        clearInterval(t);
        child.kill("SIGKILL");
        resolve();
      }
    }, 10);
    child.on("exit", () => {
      clearInterval(t);
      reject(new Error("the encode finished before it could be interrupted"));
    });
  });
  await new Promise((r) => child.on("exit", r));
  assert.ok(
    readdirSync(cache).some((n) => n.endsWith(".partial")),
    "partial work is kept",
  );
  assert.equal(readdirSync(cache).filter((n) => n.endsWith(".safetensors")).length, 0, "no entry before completion");
  const again = hl(["encode", clip("long.mp4"), "--model", model, "--quiet", "--json"], cache);
  assert.equal(again.code, 0, again.err);
  assertCacheClean(cache, 1);
  const key = JSON.parse(again.out).cache.key;
  const x = openSafetensors(join(ref, `${key}.safetensors`)).read("tokens");
  const y = openSafetensors(join(cache, `${key}.safetensors`)).read("tokens");
  assert.ok(x.length === y.length && x.every((v, i) => v === y[i]), "resumed tokens differ");
});

test("two processes encoding the same video end with one valid entry", async () => {
  const cache = join(dir, "race");
  const run = () =>
    new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ["bin/hourllava.js", "encode", clip("a.mp4"), "--model", model, "--quiet", "--cache-dir", cache]);
      c.on("exit", (code) => resolve(code ?? 1));
    });
  const codes = await Promise.all([run(), run()]);
  assert.deepEqual(codes, [0, 0]);
  assertCacheClean(cache, 1);
});

const bad: [string, () => string[], RegExp][] = [
  ["missing file", () => ["ask", clip("nope.mp4"), "q?", "--model", model], /nope\.mp4: no such file/],
  ["a directory", () => ["ask", clip("folder.mp4"), "q?", "--model", model], /is a directory, not a video file/],
  ["a text file named .mp4", () => ["ask", clip("text.mp4"), "q?", "--model", model], /not a readable video/],
  ["audio only", () => ["ask", clip("audio.m4a"), "q?", "--model", model], /has no video stream/],
  [
    "truncated file",
    () => ["ask", clip("cut.mp4"), "q?", "--model", model],
    /cut\.mp4: not a readable video; corrupt, truncated or not a video file \(ffmpeg: moov atom not found/,
  ],
  ["unreadable model folder", () => ["ask", clip("a.mp4"), "q?", "--model", join(dir, "no-model")], /model folder .*no-model does not exist/],
  ["empty question", () => ["ask", clip("a.mp4"), "  ", "--model", model], /the question is empty/],
];

for (const [what, args, message] of bad) {
  test(`bad input, ${what}: one clear line, exit 1, nothing half-written`, () => {
    const cache = join(dir, `bad-${what.replace(/\W+/g, "-")}`);
    const r = hl(args(), cache);
    assert.equal(r.code, 1);
    const lines = r.err.trim().split("\n");
    assert.equal(lines.length, 1, r.err);
    assert.match(lines[0], /^hourllava: /);
    assert.match(lines[0], message);
    assertCacheClean(cache, 0);
  });
}

test("bad input, model/config mismatch and question over the context limit", () => {
  const wrong = join(dir, "wrong-model");
  writeTinyModel(wrong, {}, (w) => {
    w.set("model.mm_projector.2.weight", { data: new Float32Array(32 * 16), shape: [32, 16] });
  });
  const r = hl(["ask", clip("a.mp4"), "q?", "--model", wrong], join(dir, "bad-shape"));
  assert.equal(r.code, 1);
  assert.match(r.err.trim(), /^hourllava: .*weights do not match config\.json: model\.mm_projector\.2\.weight is \[32, 16\], the config implies \[32, 32\]$/);
  const small = join(dir, "small-context");
  writeTinyModel(small, { tokenizer_model_max_length: 600 });
  const cache = join(dir, "bad-context");
  const c = hl(["ask", clip("a.mp4"), "what colour is the circle?", "--model", small, "--max-tokens", "64", "--quiet"], cache);
  assert.equal(c.code, 1);
  assert.match(c.err.trim(), /^hourllava: the conversation needs \d+ tokens plus 64 to answer, over the model's context of 600$/);
  assertCacheClean(cache, 1); // the video's memory is complete and valid; only the question was refused
});

test("no --model and no embedded model folder: a clear message (checked through the resolver)", async () => {
  const { resolveModelDir, DEFAULT_MODEL_DIR } = await import("../../src/app/default-model.ts");
  const gone = join(dir, "no-such-model");
  assert.throws(() => resolveModelDir(undefined, gone), {
    message: `no --model given and the embedded default model is missing (expected ${gone}); restore it from the repository (\`git checkout -- models/hourllava-tiny\`; its README.md lists the three \`hourllava train\` runs that made it), or pass --model DIR`,
  });
  assert.equal(resolveModelDir(gone, gone), gone); // an explicit --model is never second-guessed
  assert.equal(resolveModelDir(), DEFAULT_MODEL_DIR); // the repository ships the embedded model
  assert.ok(statSync(join(DEFAULT_MODEL_DIR, "model.safetensors")).size < 30 * 2 ** 20, "the shipped model stays under 30 MB");
});

test("chat answers each piped question in turn and keeps the conversation", async () => {
  const cache = join(dir, "chat");
  const r = spawnSync(process.execPath, ["bin/hourllava.js", "chat", clip("a.mp4"), "--model", model, "--quiet", "--max-tokens", "3", "--cache-dir", cache], {
    encoding: "utf8",
    input: "what colour is the circle?\n\nand the square?\n/exit\n",
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^.*a\.mp4: 40 frames in memory\. Ask away; \/exit to leave\.\n/);
  // A prompt before each of the four input lines; /exit ends it (the random model's answers may hold newlines).
  assert.equal(r.stdout.split("> ").length - 1, 4, JSON.stringify(r.stdout));
  assert.ok(r.stdout.endsWith("> "));
  const { HourLlavaApp } = await import("../../src/app/app.ts");
  const app = await HourLlavaApp.load(model, { cacheDir: cache, quiet: true });
  const chat = app.chat(await app.remember(clip("a.mp4")));
  for await (const _ of chat.send("what colour is the circle?", { maxNewTokens: 2 }));
  for await (const _ of chat.send("and the square?", { maxNewTokens: 2 }));
  assert.deepEqual(
    chat.turns.map((t) => ("role" in t ? t.role : t.from)),
    ["user", "assistant", "user", "assistant"],
  );
  await assert.rejects(async () => {
    for await (const _ of chat.send("   ")) void _;
  }, /the question is empty/);
});

test("--fps, --max-frames and --quant shape the memory, are reported in --json and keep cache entries apart", () => {
  const cache = join(dir, "c-rate");
  const run = (extra: string[]) => {
    const r = hl(["encode", clip("long.mp4"), "--model", model, "--quiet", "--json", ...extra], cache);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out);
  };
  const official = run([]);
  assert.deepEqual([official.frames, official.fps, official.max_frames, official.quant, official.cache_dtype], [300, 1, null, null, "f16"]);
  const half = run(["--fps", "0.5"]);
  assert.deepEqual([half.frames, half.fps], [150, 0.5]);
  const capped = run(["--max-frames", "40"]);
  assert.deepEqual([capped.frames, capped.max_frames], [40, 40]);
  const q8 = run(["--quant", "q8"]);
  assert.equal(q8.quant, "q8");
  assert.equal(q8.frames, 300);
  const exact = run(["--cache-dtype", "f32"]);
  assert.equal(exact.cache_dtype, "f32");
  assert.ok(exact.cache.bytes > 1.9 * official.cache.bytes, `${exact.cache.bytes} vs ${official.cache.bytes}`);
  assert.equal(new Set([official, half, capped, q8, exact].map((j) => j.cache.key)).size, 5);
  assert.equal(run([]).cache.hit, true);
  for (const [flag, value, message] of [
    ["--fps", "0", /--fps: expected a number > 0, got "0"/],
    ["--max-frames", "2.5", /--max-frames: expected an integer ≥ 1, got "2.5"/],
    ["--quant", "q3", /unknown --quant "q3"/],
  ] as const) {
    const bad = hl(["encode", clip("long.mp4"), "--model", model, flag, value], cache);
    assert.equal(bad.code, 1);
    assert.match(bad.err, message);
  }
});
