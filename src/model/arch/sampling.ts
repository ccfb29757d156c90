// Next-token choice: greedy, or temperature with top-k / top-p filtering from a seeded generator.
import { mulberry32 } from "../../util/prng.ts";
export interface SamplingOptions {
  /** 0 (default) = greedy. */
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
}

export function argmax(logits: ArrayLike<number>, offset = 0, n = logits.length - offset): number {
  let best = 0;
  let bv = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = logits[offset + i];
    if (v > bv) {
      bv = v;
      best = i;
    }
  }
  return best;
}

/** Seeded uniform [0, 1) generator (mulberry32): reproducible across platforms. */
export const seededRandom = mulberry32;

export class Sampler {
  private readonly rand: () => number;
  constructor(private readonly opts: SamplingOptions = {}) {
    const { temperature = 0, topK, topP } = opts;
    if (!(temperature >= 0)) throw new Error(`temperature must be >= 0, got ${temperature}`);
    if (topK !== undefined && !(Number.isInteger(topK) && topK > 0)) throw new Error(`top-k must be a positive integer, got ${topK}`);
    if (topP !== undefined && !(topP > 0 && topP <= 1)) throw new Error(`top-p must be in (0, 1], got ${topP}`);
    this.rand = seededRandom(opts.seed ?? 0);
  }

  next(logits: ArrayLike<number>, offset = 0, n = logits.length - offset): number {
    const T = this.opts.temperature ?? 0;
    if (T === 0) return argmax(logits, offset, n);
    let idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => logits[offset + b] - logits[offset + a]);
    if (this.opts.topK) idx = idx.slice(0, this.opts.topK);
    const m = logits[offset + idx[0]];
    let probs = idx.map((i) => Math.exp((logits[offset + i] - m) / T));
    let z = probs.reduce((a, b) => a + b, 0);
    probs = probs.map((p) => p / z);
    if (this.opts.topP !== undefined && this.opts.topP < 1) {
      let cum = 0;
      let cut = probs.length;
      for (let i = 0; i < probs.length; i++) {
        cum += probs[i];
        if (cum >= this.opts.topP) {
          cut = i + 1;
          break;
        }
      }
      idx = idx.slice(0, cut);
      probs = probs.slice(0, cut);
      z = probs.reduce((a, b) => a + b, 0);
      probs = probs.map((p) => p / z);
    }
    let r = this.rand();
    for (let i = 0; i < probs.length; i++) {
      r -= probs[i];
      if (r <= 0) return idx[i];
    }
    return idx[idx.length - 1];
  }
}
