// Seeded PRNG (sfc32 seeded by cyrb128). Only integer ops through Math.imul and >>> 0, so every platform
// and Node version draws the same sequence; nothing here touches Math.random.

/** Four 32-bit words from a string (cyrb128), used to seed sfc32. */
export function hashString128(s: string): [number, number, number, number] {
  let h1 = 1779033703,
    h2 = 3144134277,
    h3 = 1013904242,
    h4 = 2773480762;
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** A 32-bit unsigned hash of a string (first word of cyrb128). */
export function hashString32(s: string): number {
  return hashString128(s)[0];
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** The key this stream was seeded from; fork() derives children from it, not from the current state. */
  readonly key: string;

  constructor(seed: number | string) {
    if (typeof seed === "number" && !Number.isFinite(seed)) throw new Error(`rng: seed must be a finite number or a string, got ${seed}`);
    this.key = String(seed);
    [this.a, this.b, this.c, this.d] = hashString128(this.key);
    // Warm up so nearby keys decorrelate.
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) throw new Error(`rng.int: bad range [${lo}, ${hi}]`);
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Uniform float in [lo, hi). */
  float(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("rng.pick: empty list");
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by non-negative weights; items with weight 0 are never chosen. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += Math.max(0, w);
    if (!(total > 0)) throw new Error("rng.weighted: no item has positive weight");
    let r = this.next() * total;
    for (const [item, w] of items) {
      if (w <= 0) continue;
      r -= w;
      if (r < 0) return item;
    }
    // Rounding left r at ~0: the last positive item.
    for (let i = items.length - 1; i >= 0; i--) if (items[i][1] > 0) return items[i][0];
    throw new Error("unreachable");
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  }

  /** k distinct items in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    if (k > items.length) throw new Error(`rng.sample: asked for ${k} of ${items.length} items`);
    return this.shuffle(items).slice(0, k);
  }

  /** An independent stream named by label; the same (key, label) always gives the same stream. */
  fork(label: string | number): Rng {
    return new Rng(`${this.key}/${label}`);
  }
}
