// Real-size Hour-LLaVA on this machine: random-weight folders with the official 3B/7B shapes (bf16, sharded,
// official names, a real Qwen tokenizer), quantized with `hourllava quantize`, then one encode + two questions
// about a generated 130-second video per precision, each in its own process under a memory watchdog.
// Prints one JSON object: the machine's matmul peak and bandwidth, and per run the figures of bench/scale/ask.ts
// with ratios against those limits. Not part of CI (folders of 2–17 GB, minutes per run).
// Usage: node --import tsx bench/scale/run.ts [--dir /work/big] [--sizes 3b,7b] [--quants q4,q8] [--limit-gb 20] [--max-frames 32]
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { quantizeFolder } from "../../src/model/load/quantize-folder.ts";
import { parseQuantScheme } from "../../src/model/load/quant-plan.ts";
import { measurePeak } from "../peak.ts";
import { measureBandwidthGBs } from "./bandwidth.ts";
import { makeOfficialFolder, makeTestVideo } from "./make-folder.ts";
import { officialConfig } from "./official-shapes.ts";
import { decodeBytesPerToken } from "./flops.ts";

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? process.argv[i + 1] : d;
};
const dir = arg("dir", "/tmp/hourllava-scale");
const sizes = arg("sizes", "3b").split(",") as ("3b" | "7b")[];
const quants = arg("quants", "q4,q8").split(",");
const limitGb = arg("limit-gb", "20");
const maxFrames = arg("max-frames", "32");
const WATCH = join(import.meta.dirname, "../../../shared/tools/watch-rss.sh");

const video = makeTestVideo(join(dir, "v130.mp4"));

const peak = await measurePeak();
const bandwidth = await measureBandwidthGBs();
const runs: unknown[] = [];
for (const size of sizes) {
  const float = join(dir, `hl-${size}`);
  makeOfficialFolder(size, float);
  const config = parseHourLlavaConfig(officialConfig(size), size);
  for (const q of quants) {
    const scheme = parseQuantScheme(q);
    const model = scheme ? join(dir, `hl-${size}-${scheme}`) : float;
    let quantizeS: number | undefined;
    if (scheme && !existsSync(join(model, "config.json"))) {
      const t = performance.now();
      quantizeFolder(float, model, scheme);
      quantizeS = (performance.now() - t) / 1000;
    }
    const log = join(dir, `run-${size}-${q}`);
    const cmd = [process.execPath, "--import", "tsx", join(import.meta.dirname, "ask.ts"), "--model", model, "--video", video, "--max-frames", maxFrames];
    spawnSync(
      "bash",
      [existsSync(WATCH) ? WATCH : "-c", ...(existsSync(WATCH) ? [limitGb, log, "--", ...cmd] : [`${cmd.join(" ")} > ${log}.out 2> ${log}.err`])],
      { stdio: "inherit" },
    );
    const out = readFileSync(`${log}.out`, "utf8").trim();
    const tail = readFileSync(`${log}.err`, "utf8").trim().split("\n").slice(-1)[0];
    if (!out) {
      runs.push({ size, quant: q, failed: tail });
      continue;
    }
    const r = JSON.parse(out);
    const decodeBytes = decodeBytesPerToken(config, scheme); // every weight streams once per token
    runs.push({
      size,
      quant: q,
      quantize_s: quantizeS,
      ...r,
      watchdog: tail,
      memaug_vs_peak: r.memaug_gflop_per_s / peak,
      prefill_vs_peak: r.prefill_gflop_per_s / peak,
      decode_bound_tok_per_s: (bandwidth * 1e9) / decodeBytes,
      decode_vs_bandwidth_bound: r.decode_tok_per_s / ((bandwidth * 1e9) / decodeBytes),
    });
  }
}
// Measured again at the end: a busy machine can only make these lower, so the larger of the two is the limit.
const peakEnd = await measurePeak();
const bandwidthEnd = await measureBandwidthGBs();
const machine = {
  fp32_matmul_gflop_per_s: Math.max(peak, peakEnd),
  bandwidth_gb_per_s: Math.max(bandwidth, bandwidthEnd),
  at_start: [peak, bandwidth],
  at_end: [peakEnd, bandwidthEnd],
};
for (const r of runs as Record<string, number>[]) {
  if (!("memaug_gflop_per_s" in r)) continue;
  r.memaug_vs_peak = r.memaug_gflop_per_s / machine.fp32_matmul_gflop_per_s;
  r.prefill_vs_peak = r.prefill_gflop_per_s / machine.fp32_matmul_gflop_per_s;
  r.decode_bound_tok_per_s *= machine.bandwidth_gb_per_s / bandwidth;
  r.decode_vs_bandwidth_bound = r.decode_tok_per_s / r.decode_bound_tok_per_s;
}
process.stdout.write(JSON.stringify({ machine, runs }, null, 1) + "\n");
