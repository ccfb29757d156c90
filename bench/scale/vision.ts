// Vision tower + projector of the official checkpoints (SigLIP-so400m, 26 layers, 729 tokens a frame, projected
// to the 3B's width), random weights: frames/s in f32 and with int8 weights (DynamicQuantizeMatMul), side by
// side in one run, and how far the int8 video tokens are from f32's. Prints one JSON object.
// Usage: node --import tsx bench/scale/vision.ts [--frames 4]
import { Graph } from "../../src/graph/graph.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { weightShapes } from "../../src/model/load/init.ts";
import { poolFrames, projector, PROJECTOR_WEIGHTS } from "../../src/model/arch/projector.ts";
import { linearFormats } from "../../src/model/load/quant-plan.ts";
import type { LinearFormat } from "../../src/model/load/quant-plan.ts";
import { QuantizingSource } from "../../src/model/load/quantizing-source.ts";
import { visionTower, visionWeightNames } from "../../src/model/arch/siglip.ts";
import { MapWeights, WeightStore } from "../../src/model/arch/weights.ts";
import { measurePeak, randomArray, timeIt } from "../peak.ts";
import { randomWeights } from "../shapes.ts";
import { officialConfig } from "./official-shapes.ts";

const i = process.argv.indexOf("--frames");
const T = i >= 0 ? Number(process.argv[i + 1]) : 4;
const config = parseHourLlavaConfig(officialConfig("3b"), "3b");
const v = config.vision;
const shapes = weightShapes(config);
const names = [...visionWeightNames(v), ...PROJECTOR_WEIGHTS];
const source = new MapWeights(randomWeights(names.map((n) => [n, shapes.get(n)!])));
const formats = linearFormats(config, { scheme: "q8", block_size: 32, format_version: 1 });
const pixels = randomArray(T * 3 * v.image_size * v.image_size);

async function run(store: WeightStore) {
  const rt = new Runtime();
  const g = new Graph();
  const x = g.input("pixels", "float32", ["T", 3, v.image_size, v.image_size]);
  g.output("tokens", projector(g, store, poolFrames(visionTower(g, store, v, x), v.grid_size)));
  const t0 = performance.now();
  const c = await rt.compile(g);
  const compileS = (performance.now() - t0) / 1000;
  const feeds = { pixels: { data: pixels, dims: [T, 3, v.image_size, v.image_size] } };
  const s = await timeIt(() => c.run(feeds), 2);
  const tokens = (await c.run(feeds)).tokens.data as Float32Array;
  await rt.release();
  return { compileS, framesPerS: T / s, tokens };
}

/** The vision/projector linears in one format (the LLM's are not built here). */
const only = (f: LinearFormat) => new Map([...formats].filter(([, g]) => g.kind === "int8").map(([n]) => [n, f]));
function errors(a: Float32Array, ref: Float32Array) {
  let num = 0;
  let den = 0;
  let maxAbs = 0;
  let scale = 0;
  for (let k = 0; k < ref.length; k++) {
    const d = a[k] - ref[k];
    num += d * d;
    den += ref[k] * ref[k];
    maxAbs = Math.max(maxAbs, Math.abs(d));
    scale = Math.max(scale, Math.abs(ref[k]));
  }
  return { rel_error_l2: Math.sqrt(num / den), max_abs_error_vs_scale: maxAbs / scale };
}

const peak = await measurePeak();
const f32 = await run(new WeightStore(source));
const variants: Record<string, LinearFormat> = {
  int8_dynamic: { kind: "int8" },
  nbits8_bs32: { kind: "nbits", bits: 8, blockSize: 32 },
  nbits8_bs128: { kind: "nbits", bits: 8, blockSize: 128 },
};
const results: Record<string, unknown> = {};
for (const [name, f] of Object.entries(variants)) {
  const m = only(f);
  const r = await run(new WeightStore(new QuantizingSource(source, m), m));
  results[name] = { frames_per_s: r.framesPerS, speedup_vs_f32: r.framesPerS / f32.framesPerS, compile_s: r.compileS, ...errors(r.tokens, f32.tokens) };
}
// FLOP per frame: the 26 encoder layers' linears and attention over 729 tokens (the projector is small).
const N = v.grid_size * v.grid_size;
const C = v.hidden_size;
const flopPerFrame = 2 * v.num_layers_used * (N * C * (4 * C + 2 * v.intermediate_size) + 2 * N * N * C);
process.stdout.write(
  JSON.stringify({
    frames: T,
    fp32_matmul_peak_gflop_per_s: peak,
    gflop_per_frame: flopPerFrame / 1e9,
    f32: {
      frames_per_s: f32.framesPerS,
      gflop_per_s: (f32.framesPerS * flopPerFrame) / 1e9,
      vs_peak: (f32.framesPerS * flopPerFrame) / 1e9 / peak,
      compile_s: f32.compileS,
    },
    ...results,
  }) + "\n",
);
