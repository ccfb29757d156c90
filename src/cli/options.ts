// Every command-line value is parsed here, when commander reads the arguments, so a bad value stops the
// command with one line before any work starts: integers and numbers with their bounds, sizes with units
// (10GB, 512MiB), durations with units (7d, 12h), and word choices.

import { Option, type Command } from "commander";

type Parse<T> = (value: string) => T;

const fail = (name: string, what: string, v: string): never => {
  throw new Error(`--${name}: expected ${what}, got "${v}"`);
};

/** A whole number in [min, max] written in decimal digits: "12abc", "1.5" and "1e3" are refused. */
export function intOption(name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): Parse<number> {
  const what = max === Number.MAX_SAFE_INTEGER ? (min === Number.MIN_SAFE_INTEGER ? "an integer" : `an integer ≥ ${min}`) : `an integer in ${min}..${max}`;
  return (v) => {
    const n = Number(v.trim());
    if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) fail(name, what, v);
    return n;
  };
}

// Decimal or exponent form only: Number() would also take "0x1", "0b1", "0o7" and "Infinity".
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A finite number (decimal or exponent form) with optional bounds; `exclusiveMin` for "positive". */
export function numOption(name: string, o: { min?: number; max?: number; exclusiveMin?: boolean } = {}): Parse<number> {
  const lo = o.min === undefined ? "" : o.exclusiveMin ? ` > ${o.min}` : ` ≥ ${o.min}`;
  const hi = o.max === undefined ? "" : `${lo ? " and" : ""} ≤ ${o.max}`;
  return (v) => {
    const n = DECIMAL.test(v.trim()) ? Number(v.trim()) : NaN;
    const below = o.min !== undefined && (o.exclusiveMin ? n <= o.min : n < o.min);
    if (v.trim() === "" || !Number.isFinite(n) || below || (o.max !== undefined && n > o.max)) fail(name, `a number${lo}${hi}`, v);
    return n;
  };
}

const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** Bytes: "10GB" (SI, ×1000), "512MiB" (×1024), "10e9" or "123". */
export function parseSize(v: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([a-z]*)\s*$/i.exec(v);
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) return undefined;
  return Math.round(Number(m[1]) * unit);
}

export function sizeOption(name: string): Parse<number> {
  return (v) => parseSize(v) ?? fail(name, "a size like 10GB, 512MiB or 1e9 (bytes)", v);
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400 };

/** Seconds from "7d", "12h", "30m", "45s", "2w" (a unit is required: a bare number is ambiguous). */
export function parseDuration(v: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$/i.exec(v);
  return m ? Number(m[1]) * DURATION_UNITS[m[2].toLowerCase()] : undefined;
}

export function durationOption(name: string): Parse<number> {
  return (v) => parseDuration(v) ?? fail(name, "a duration like 7d, 12h, 30m or 45s", v);
}

/** Seconds: a positive number ("60") or a duration with a unit ("2h", "90m"). */
export function secondsOption(name: string): Parse<number> {
  const num = numOption(name, { min: 0, exclusiveMin: true });
  return (v) => parseDuration(v) ?? (DECIMAL.test(v.trim()) ? num(v) : fail(name, "seconds, or a duration like 2h, 90m or 45s", v));
}

/** A power of two in [min, max] ("weights per quantization block"). */
export function powerOfTwoOption(name: string, min: number, max: number): Parse<number> {
  const int = intOption(name, min, max);
  return (v) => {
    const n = int(v);
    if ((n & (n - 1)) !== 0) fail(name, `a power of two in ${min}..${max}`, v);
    return n;
  };
}

export function choiceOption<T extends string>(name: string, choices: readonly T[]): Parse<T> {
  return (v) => ((choices as readonly string[]).includes(v) ? (v as T) : fail(name, choices.join(" | "), v));
}

/** An option spelling that now means something else elsewhere: refused with the new name, hidden from --help. */
export function retiredOption(c: Command, flags: string, hint: string): Command {
  const name = flags.split(/[ ,]/)[0];
  return c.addOption(
    new Option(flags).hideHelp().argParser((): never => {
      throw new Error(`${name} is no longer an option of this command: ${hint}`);
    }),
  );
}
