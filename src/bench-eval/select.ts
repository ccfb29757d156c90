// Which questions a run takes: --shard i/n keeps every n-th video (so shards never encode the same video),
// --limit N the first N questions of what is left. Order is the annotation files' order throughout.
import type { BenchItem } from "./types.ts";

export interface Shard {
  index: number;
  count: number;
}

/** "i/n" with 0 ≤ i < n. */
export function parseShard(v: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index >= count) throw new Error(`--shard: expected i/n with 0 ≤ i < n (e.g. 0/4), got "${v}"`);
  return { index, count };
}

export function selectItems(items: readonly BenchItem[], o: { shard?: Shard; limit?: number }): BenchItem[] {
  let out = [...items];
  if (o.shard) {
    const order = new Map<string, number>();
    for (const it of items) if (!order.has(it.videoPath)) order.set(it.videoPath, order.size);
    const { index, count } = o.shard;
    out = out.filter((it) => order.get(it.videoPath)! % count === index);
  }
  return o.limit !== undefined ? out.slice(0, o.limit) : out;
}

/** Questions grouped by video, videos in first-appearance order (one memory per video). */
export function byVideo(items: readonly BenchItem[]): Map<string, BenchItem[]> {
  const m = new Map<string, BenchItem[]>();
  for (const it of items) m.set(it.videoPath, [...(m.get(it.videoPath) ?? []), it]);
  return m;
}
