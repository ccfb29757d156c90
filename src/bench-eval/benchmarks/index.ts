// The benchmarks `hourllava eval` knows, by name.
import type { Benchmark } from "../types.ts";
import { longvideobench } from "./longvideobench.ts";
import { lvbench } from "./lvbench.ts";
import { mlvu } from "./mlvu.ts";
import { tempcompass } from "./tempcompass.ts";
import { videomme } from "./videomme.ts";

export const BENCHMARKS: Record<string, Benchmark> = { videomme, lvbench, longvideobench, mlvu, tempcompass };

export function benchmarkNamed(name: string): Benchmark {
  const b = BENCHMARKS[name];
  if (!b) throw new Error(`unknown benchmark "${name}"; expected ${Object.keys(BENCHMARKS).join(" | ")}`);
  return b;
}
