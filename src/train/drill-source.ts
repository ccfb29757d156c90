// Drills mixed into the video stages: each sample's conversation gets `drillsPerSample` text drills
// (drill-sets.ts) appended after its questions about the video. Stage 3 alone wears the language stage's skill
// away (measured: held-out real-MC drills 57 % → 34 % after 700 video steps); drills in every sample keep it
// trained while the video questions teach the model to use it on what it sees.
import { seededRandom } from "../model/arch/sampling.ts";
import { drillSet, type Drill, type DrillKind } from "./drill-sets.ts";
import type { SampleSource } from "./synth-source.ts";
import type { TrainSample } from "./sample.ts";

export class WithDrills implements SampleSource {
  private readonly pool: Drill[];
  constructor(
    readonly inner: SampleSource,
    readonly perSample: number,
    readonly seed: number,
    kinds: readonly DrillKind[] = ["mc", "four", "two", "mc"],
  ) {
    if (!(Number.isInteger(perSample) && perSample >= 1)) throw new Error(`drillsPerSample must be a positive integer, got ${perSample}`);
    this.pool = kinds.flatMap((k, i) => drillSet(k, 5000, seed * 7 + i, 150));
  }
  get size(): number {
    return this.inner.size;
  }
  get(i: number): TrainSample {
    const s = this.inner.get(i);
    const rand = seededRandom((this.seed * 1_000_003 + i) % 2 ** 32);
    const drills = Array.from({ length: this.perSample }, () => this.pool[Math.floor(rand() * this.pool.length)]);
    return { ...s, turns: [...s.turns, ...drills.flat()] };
  }
  *texts(): Iterable<string> {
    yield* this.inner.texts();
    for (const d of this.pool) for (const t of d) yield t.value;
  }
}
