// The benchmarks `hourllava eval` knows, by name, and their lmms-eval variants (--subtitles, --interleaved, and
// MLVU's test split, --split test).
import type { Benchmark } from "../types.ts";
import { longvideobench, longvideobenchInterleaved } from "./longvideobench.ts";
import { lvbench } from "./lvbench.ts";
import { mlvu } from "./mlvu.ts";
import { mlvuTest } from "./mlvu-test.ts";
import { tempcompass } from "./tempcompass.ts";
import { videomme, videommeSubtitles } from "./videomme.ts";

export const BENCHMARKS: Record<string, Benchmark> = { videomme, lvbench, longvideobench, mlvu, tempcompass };

/** Variant → the flag that picks it and the benchmark object that runs it. */
export const VARIANTS: Record<string, { flag: string; bench: Benchmark }> = {
  subtitles: { flag: "--subtitles", bench: videommeSubtitles },
  interleaved: { flag: "--interleaved", bench: longvideobenchInterleaved },
  test: { flag: "--split test", bench: mlvuTest },
};

export function benchmarkNamed(name: string, variant?: string): Benchmark {
  const b = BENCHMARKS[name];
  if (!b) throw new Error(`unknown benchmark "${name}"; expected ${Object.keys(BENCHMARKS).join(" | ")}`);
  if (variant === undefined) return b;
  const v = VARIANTS[variant];
  if (!v) throw new Error(`unknown variant "${variant}"`);
  if (v.bench.name !== name) throw new Error(`${v.flag} is for ${v.bench.name} only, not ${name}`);
  return v.bench;
}
