// Long-memory attention: Q = 2048 queries, width 512 (8 heads × 64), K = 16k / 64k / 256k keys.
// Chunked (online softmax, Loop over 4096-key chunks) vs naive (materialised scores). Each case runs in its own
// child process so its peak RSS is its own; naive is skipped where its score matrix alone would pass 8 GiB.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Graph } from "../../src/graph/graph.ts";
import { attention } from "../../src/graph/nn/attention.ts";
import { chunkedAttention } from "../../src/graph/nn/long-attention.ts";
import { Runtime } from "../../src/graph/runtime.ts";
import { randomArray, timeIt } from "../peak.ts";

const Q = 2048;
const H = 8;
const D = 64;

async function child(impl: string, K: number) {
  const rt = new Runtime();
  const g = new Graph();
  const q = g.input("q", "float32", [1, H, Q, D]);
  const k = g.input("k", "float32", [1, H, "K", D]);
  const v = g.input("v", "float32", [1, H, "K", D]);
  g.output("o", impl === "naive" ? attention(q, k, v) : chunkedAttention(q, k, v, { chunk: 4096 }));
  const c = await rt.compile(g);
  const feeds = {
    q: { data: randomArray(H * Q * D), dims: [1, H, Q, D] },
    k: { data: randomArray(H * K * D), dims: [1, H, K, D] },
    v: { data: randomArray(H * K * D), dims: [1, H, K, D] },
  };
  const rssBase = process.memoryUsage().rss;
  const t = await timeIt(() => c.run(feeds), 2);
  const peak = process.resourceUsage().maxRSS * 1024;
  const flop = 4 * H * Q * K * D;
  console.log(
    JSON.stringify({
      impl,
      K,
      seconds: +t.toFixed(3),
      gflops: +(flop / t / 1e9).toFixed(1),
      peak_rss_mb: Math.round(peak / 2 ** 20),
      inputs_mb: Math.round(rssBase / 2 ** 20),
    }),
  );
}

if (process.argv[2] === "--child") {
  await child(process.argv[3], Number(process.argv[4]));
} else {
  const rows = [];
  for (const K of [16384, 65536, 262144]) {
    for (const impl of ["chunked", "naive"]) {
      const scoresBytes = 4 * H * Q * K;
      if (impl === "naive" && scoresBytes > 8 * 2 ** 30) {
        rows.push({ impl, K, skipped: `score matrix alone is ${Math.round(scoresBytes / 2 ** 30)} GiB` });
        continue;
      }
      const r = spawnSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", impl, String(K)], { encoding: "utf8" });
      const line = r.stdout.trim().split("\n").pop() ?? "";
      rows.push(r.status === 0 ? JSON.parse(line) : { impl, K, error: (r.stderr || "").trim().split("\n").pop() });
    }
  }
  const kv = (K: number) => Math.round((2 * 4 * H * K * D) / 2 ** 20);
  console.log(
    JSON.stringify(
      { bench: "engine/attention", Q, heads: H, head_dim: D, chunk: 4096, kv_mb: Object.fromEntries([16384, 65536, 262144].map((K) => [K, kv(K)])), rows },
      null,
      2,
    ),
  );
}
