// fp32 matmul through the engine vs a raw single-op ORT session of the same shapes, in one run.
// Prints one JSON object: GFLOP/s for each and their ratio, plus the ratio to the machine's measured peak.
import * as ort from "onnxruntime-node";
import { Graph } from "../../src/graph/graph.ts";
import { matmul } from "../../src/graph/ops/linalg.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { matmulModel, measurePeak, randomArray, rawSession, timeIt } from "../peak.ts";

const shapes: [number, number, number][] = [
  [512, 512, 512],
  [2048, 2048, 2048],
  [8192, 1152, 4304],
];

const rt = new Runtime();
const peak = await measurePeak();
const rows = [];
for (const [m, k, n] of shapes) {
  const a = randomArray(m * k);
  const b = randomArray(k * n);
  const flop = 2 * m * k * n;
  const reps = flop > 5e10 ? 3 : 10;
  const raw = await rawSession(matmulModel(m, k, n));
  const rawFeeds = { a: new ort.Tensor("float32", a, [m, k]), b: new ort.Tensor("float32", b, [k, n]) };
  const tRaw = await timeIt(() => raw.run(rawFeeds), reps);
  // Each session has its own spinning thread pool: measure one at a time, releasing the last.
  await raw.release();
  // Engine, both operands fed (same as raw).
  const g = new Graph();
  g.output("c", matmul(g.input("a", "float32", ["M", k]), g.input("b", "float32", [k, n])));
  const eng = await rt.compile(g);
  const feeds = { a: { data: a, dims: [m, k] }, b: { data: b, dims: [k, n] } };
  const tEng = await timeIt(() => eng.run(feeds), reps);
  await rt.release();
  // Engine with the right operand as a weight (initializer, prepacked by ORT): the model's case.
  const gw = new Graph();
  gw.output("c", matmul(gw.input("a", "float32", ["M", k]), gw.param("w", b, [k, n])));
  const engW = await rt.compile(gw);
  const tW = await timeIt(() => engW.run({ a: feeds.a }), reps);
  await rt.release();
  const gf = (t: number) => +(flop / t / 1e9).toFixed(1);
  rows.push({
    shape: `${m}x${k}x${n}`,
    raw_gflops: gf(tRaw),
    engine_gflops: gf(tEng),
    engine_weight_gflops: gf(tW),
    engine_vs_raw: +(tRaw / tEng).toFixed(3),
    engine_weight_vs_raw: +(tRaw / tW).toFixed(3),
    engine_vs_peak: +(gf(tEng) / peak).toFixed(3),
  });
}
console.log(JSON.stringify({ bench: "engine/matmul", threads: rt.threads, peak_gflops: +peak.toFixed(1), rows }, null, 2));
