// The LLM of a model folder alone, on a quiet machine: session creation (+ a 1-token run), a 128-token prefill
// and decode ms/token, against the bandwidth bound of the weights a token streams. Prints one JSON object.
// (bench/scale/run.ts's decode figures include whatever else ran; this one is the clean measurement.)
// Usage: node --import tsx bench/scale/decode.ts --model DIR [--steps 8]
import { readFileSync } from "node:fs";
import { Runtime } from "../../src/graph/runtime.ts";
import { loadHourLlava } from "../../src/model/load/load.ts";
import { folderQuantization } from "../../src/model/load/quant-plan.ts";
import { measureBandwidthGBs } from "./bandwidth.ts";
import { decodeBytesPerToken } from "./flops.ts";

const arg = (k: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const dir = arg("model")!;
const steps = Number(arg("steps") ?? 8);
const bandwidth = await measureBandwidthGBs();
const { model } = loadHourLlava(dir, { runtime: new Runtime() });
const scheme = folderQuantization(JSON.parse(readFileSync(`${dir}/config.json`, "utf8")), dir)?.scheme;
model.embeddings; // the host table is read at load in the app too
const H = model.hidden;
const rows = (n: number) => new Float32Array(n * H).fill(0.01);
let t = performance.now();
let { present } = await model.decode(rows(1), undefined, true);
const createS = (performance.now() - t) / 1000;
t = performance.now();
({ present } = await model.decode(rows(128), undefined, true));
const prefillS = (performance.now() - t) / 1000;
t = performance.now();
for (let i = 0; i < steps; i++) ({ present } = await model.decode(rows(1), present, true));
const tokMs = (performance.now() - t) / steps;
const bound = (bandwidth * 1e9) / decodeBytesPerToken(model.config, scheme);
process.stdout.write(
  JSON.stringify({
    model: dir,
    scheme: scheme ?? "as stored, f32 compute",
    bandwidth_gb_per_s: bandwidth,
    session_create_plus_1_token_s: createS,
    prefill_128_tokens_s: prefillS,
    decode_ms_per_token: tokMs,
    decode_tok_per_s: 1000 / tokMs,
    decode_bound_tok_per_s: bound,
    decode_vs_bound: 1000 / tokMs / bound,
  }) + "\n",
);
