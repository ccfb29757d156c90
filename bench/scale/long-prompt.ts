// Attention's working set on an hour-long prompt, in the 3B's shapes (16 query heads, 2 KV heads, d 128): the
// decoder's causal self-attention over an 8.8k-token prompt and MemAug's cross-attention from those queries to
// the memory, materialised / in fixed 4096-key chunks / bounded by a score budget (what inference uses: on
// these sizes, key chunks sized at run time). Each variant runs in its own process so its peak RSS is its own. Prints JSON lines.
// Usage: node --import tsx bench/scale/long-prompt.ts [--lq 8794] [--lk-cross 32768]
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Graph } from "../../src/graph/graph.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { attention } from "../../src/graph/nn/attention.ts";
import { chunkedAttention } from "../../src/graph/nn/long-attention.ts";
import { boundedAttention } from "../../src/graph/nn/bounded-attention.ts";
import { SCORE_BYTES } from "../../src/model/arch/hourllava.ts";

const arg = (k: string, d: number) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const H = 16;
const Hkv = 2;
const d = 128;
const Lq = arg("lq", 8794);
const LkCross = arg("lk-cross", 32768);
const variants = ["self:materialised", "self:fixed-4096", "self:budget", "cross:fixed-4096", "cross:budget"];
const hwmGb = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))![1]) / 2 ** 20;

async function one(variant: string) {
  const [kind, impl] = variant.split(":");
  const Lk = kind === "self" ? Lq : LkCross;
  const causal = kind === "self";
  const g = new Graph();
  const q = g.input("q", "float32", [1, H, "Lq", d]);
  const k = g.input("k", "float32", [1, Hkv, "Lk", d]);
  const v = g.input("v", "float32", [1, Hkv, "Lk", d]);
  const o =
    impl === "materialised"
      ? attention(q, k, v, { causal })
      : impl === "budget"
        ? boundedAttention(q, k, v, { causal, scoreBytes: SCORE_BYTES }) // what inference runs
        : chunkedAttention(q, k, v, { causal, chunk: 4096 });
  g.output("o", o);
  const rt = new Runtime();
  const c = await rt.compile(g);
  const fill = (n: number) => new Float32Array(n).map((_, i) => Math.sin(i * 0.001));
  const feeds = {
    q: { data: fill(H * Lq * d), dims: [1, H, Lq, d] },
    k: { data: fill(Hkv * Lk * d), dims: [1, Hkv, Lk, d] },
    v: { data: fill(Hkv * Lk * d), dims: [1, Hkv, Lk, d] },
  };
  const before = hwmGb();
  const t = performance.now();
  await c.run(feeds);
  const s = (performance.now() - t) / 1000;
  const gflop = (2 * 2 * H * Lq * Lk * d * (causal ? 0.5 : 1)) / 1e9;
  return { variant, Lq, Lk, s, gflop_per_s: gflop / s, peak_rss_gb: hwmGb(), rss_before_run_gb: before };
}

if (process.argv.includes("--one")) {
  process.stdout.write(JSON.stringify(await one(process.argv[process.argv.indexOf("--one") + 1])) + "\n");
} else {
  for (const v of variants) {
    const r = spawnSync(process.execPath, ["--import", "tsx", import.meta.filename, "--one", v, "--lq", String(Lq), "--lk-cross", String(LkCross)], {
      encoding: "utf8",
    });
    process.stdout.write(r.status === 0 ? r.stdout : JSON.stringify({ variant: v, failed: r.stderr.trim().split("\n").pop() }) + "\n");
  }
}
