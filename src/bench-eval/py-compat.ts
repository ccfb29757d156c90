// The few Python, NumPy and CPython behaviours that lmms-eval's task code and logs depend on, reproduced exactly
// where a port must give the same bytes or the same numbers: json.dumps formatting (floats as Python prints them),
// the built-in sum (Neumaier-compensated for floats since Python 3.12), round(x, n), np.std's pairwise sum,
// np.linspace(..., dtype=int), int() of a string, and the iteration order of a set of small ints.
// Each was checked against CPython 3.12/3.13 and NumPy 2.x on thousands of generated cases while it was written.
import { pyStrip } from "./answer-parse.ts";

/** A number Python holds as a float (so json.dumps prints 1.0, not 1). Plain JS integers print as ints. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export const pyFloat = (x: number) => new PyFloat(x);

/** Python's repr of a float: the shortest round-trip digits (as JS), fixed notation for exponents -4..15. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mant, expS] = Math.abs(x).toExponential().split("e");
  const exp = Number(expS);
  const digits = mant.replace(".", "");
  const sign = x < 0 ? "-" : "";
  if (exp >= -4 && exp < 16) {
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    const frac = digits.slice(exp + 1);
    return `${sign}${int}.${frac || "0"}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** json.dumps(v, ensure_ascii=False) with Python's separators: ", " and ": " on one line, or "," and ": " with
 * `indent`. Strings escape as Python escapes them (the same set JSON.stringify escapes, for well-formed text). */
export function pyJsonDumps(v: unknown, indent?: number): string {
  const nl = (depth: number) => (indent === undefined ? "" : "\n" + " ".repeat(indent * depth));
  const itemSep = indent === undefined ? ", " : ",";
  const enc = (x: unknown, depth: number): string => {
    if (x === null || x === undefined) return "null";
    if (x instanceof PyFloat) return pyFloatRepr(x.value);
    if (typeof x === "number") return Number.isInteger(x) ? String(x) : pyFloatRepr(x);
    if (typeof x === "bigint") return x.toString();
    if (typeof x === "boolean") return x ? "true" : "false";
    if (typeof x === "string") return JSON.stringify(x);
    if (Array.isArray(x)) {
      if (x.length === 0) return "[]";
      return `[${x.map((e) => nl(depth + 1) + enc(e, depth + 1)).join(itemSep)}${nl(depth)}]`;
    }
    if (typeof x === "object") {
      const entries = Object.entries(x as Record<string, unknown>);
      if (entries.length === 0) return "{}";
      return `{${entries.map(([k, e]) => `${nl(depth + 1)}${JSON.stringify(k)}: ${enc(e, depth + 1)}`).join(itemSep)}${nl(depth)}}`;
    }
    return JSON.stringify(String(x));
  };
  return enc(v, 0);
}

/** Python's built-in sum over floats (3.12+: Neumaier's compensated sum; 3.10/3.11 add naively, which can differ in
 * the last bit). Booleans and ints add exactly either way. */
export function pySum(xs: Iterable<number>): number {
  let f = 0;
  let c = 0;
  for (const x of xs) {
    const t = f + x;
    c += Math.abs(f) >= Math.abs(x) ? f - t + x : x - t + f;
    f = t;
  }
  return c && Number.isFinite(c) ? f + c : f;
}

/** Python's round(x, ndigits) for 0 ≤ ndigits ≤ 15: correctly rounded on the exact binary value, ties to even. */
export function pyRound(x: number, ndigits: number): number {
  const fixed = x.toFixed(ndigits); // exact-value rounding; ties go away from zero…
  // …and an exact tie at ndigits decimals is x = odd / 2^(ndigits+1) (the 5^ndigits part must divide out).
  const scaled = x * 2 ** (ndigits + 1);
  if (Number.isInteger(scaled) && Math.abs(scaled) % 2 === 1) {
    const last = Number(fixed[fixed.length - 1]);
    if (last % 2 === 1) {
      // toFixed went away from zero onto an odd digit: step back one unit towards zero (Python keeps the even one).
      const unit = 10 ** -ndigits;
      return Number((Math.sign(x) * (Math.abs(Number(fixed)) - unit)).toFixed(ndigits));
    }
  }
  return Number(fixed);
}

/** NumPy's pairwise summation of a float64 array (np.add.reduce on a contiguous array: 8 accumulators in blocks
 * of 128, halves above that). */
function npPairwise(a: readonly number[], lo: number, n: number): number {
  if (n < 8) {
    let r = 0;
    for (let i = 0; i < n; i++) r += a[lo + i];
    return r;
  }
  if (n <= 128) {
    const r = a.slice(lo, lo + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[lo + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[lo + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return npPairwise(a, lo, n2) + npPairwise(a, lo + n2, n - n2);
}

/** np.std(xs, ddof=1) on a float64 (or bool) array. */
export function npStdDdof1(xs: readonly number[]): number {
  const n = xs.length;
  const mean = npPairwise(xs, 0, n) / n;
  const sq = xs.map((x) => (x - mean) * (x - mean));
  return Math.sqrt(npPairwise(sq, 0, n) / (n - 1));
}

/** np.linspace(0, stop, num, dtype=int).tolist(): i * (stop / (num - 1)), the last exactly stop, floored. */
export function npLinspaceInt(stop: number, num: number): number[] {
  if (num <= 0) return [];
  if (num === 1) return [0];
  const step = stop / (num - 1);
  return Array.from({ length: num }, (_, i) => Math.floor(i === num - 1 ? stop : i * step));
}

const PY_INT = /^[+-]?\d+(?:_\d+)*$/;

/** Python's int(s) for ASCII digits (surrounding whitespace, a sign and single underscores between digits allowed),
 * or undefined where Python raises ValueError. */
export function pyInt(s: string): number | undefined {
  const t = pyStrip(s);
  return PY_INT.test(t) ? Number(t.replace(/_/g, "")) : undefined;
}

/**
 * The order in which CPython iterates `list(set(xs))` for non-negative ints below 2^31 (hash(i) == i): slots are
 * i & mask with 9 linear probes then perturbed jumps (setobject.c), the table starting at 8 slots and growing to the
 * next power of two above 4 × used once it is 3/5 full. So {7, 8} iterates as [8, 7]: lmms-eval's Video-MME subtitle
 * selection (`list(set(...))`) keeps this order in its prompt.
 */
export function pySetOrder(xs: Iterable<number>): number[] {
  const LINEAR_PROBES = 9;
  let mask = 7;
  let table: (number | undefined)[] = new Array(8).fill(undefined);
  let used = 0;
  const insertClean = (tab: (number | undefined)[], m: number, key: number) => {
    let i = key & m;
    let perturb = key;
    for (;;) {
      const probes = i + LINEAR_PROBES <= m ? LINEAR_PROBES : 0;
      for (let j = 0; j <= probes; j++)
        if (tab[i + j] === undefined) {
          tab[i + j] = key;
          return;
        }
      perturb = Math.floor(perturb / 32);
      i = (i * 5 + 1 + perturb) & m;
    }
  };
  for (const key of xs) {
    if (!Number.isInteger(key) || key < 0 || key >= 2 ** 31) throw new Error(`pySetOrder: ${key} is not a small non-negative int`);
    let i = key & mask;
    let perturb = key;
    let present = false;
    search: for (;;) {
      const probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
      for (let j = 0; j <= probes; j++) {
        const e = table[i + j];
        if (e === key) {
          present = true;
          break search;
        }
        if (e === undefined) break search;
      }
      perturb = Math.floor(perturb / 32);
      i = (i * 5 + 1 + perturb) & mask;
    }
    if (present) continue;
    // No deletions, so fill == used: insert where the search stopped, then resize as set_add_entry does.
    insertClean(table, mask, key);
    used++;
    if (used * 5 >= mask * 3) {
      const minused = used > 50000 ? used * 2 : used * 4;
      let size = 8;
      while (size <= minused) size *= 2;
      const next: (number | undefined)[] = new Array(size).fill(undefined);
      for (const k of table) if (k !== undefined) insertClean(next, size - 1, k);
      table = next;
      mask = size - 1;
    }
  }
  return table.filter((k): k is number => k !== undefined);
}
