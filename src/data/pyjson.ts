// Python's `json.dumps` byte for byte (default separators ", " and ": ", ensure_ascii, optional
// sort_keys), so MDS shard headers, index.json and json columns match what the `streaming` package writes.

// JSON.stringify escapes quotes, backslashes and control characters exactly as Python does (\n, \t,
// \u001f, …); ensure_ascii then escapes everything from DEL up, as lowercase \uXXXX per UTF-16 unit.
const NON_ASCII = /[\u007f-\uffff]/g;
const HAS_NON_ASCII = /[\u007f-\uffff]/;
function pyString(s: string): string {
  const j = JSON.stringify(s);
  return HAS_NON_ASCII.test(j) ? j.replace(NON_ASCII, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0")) : j;
}

/**
 * Python's float repr: shortest round-trip digits (as JS), exponent form when exp < -4 or ≥ 16, with a
 * sign and at least two exponent digits. Integral values are written as Python ints: JSON read in JS
 * cannot tell 3 from 3.0.
 */
export function pyNumber(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  const [mant, expS] = x.toExponential().split("e");
  const exp = Number(expS);
  if (exp < -4 || exp >= 16) return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  const digits = mant.replace("-", "").replace(".", "");
  const sign = x < 0 ? "-" : "";
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intLen = exp + 1;
  if (digits.length <= intLen) return `${sign}${digits.padEnd(intLen, "0")}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
}

export function pythonJsonDumps(v: unknown, opts: { sortKeys?: boolean } = {}): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return pyString(v);
  if (typeof v === "number") return pyNumber(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return `[${v.map((x) => pythonJsonDumps(x, opts)).join(", ")}]`;
  if (typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (opts.sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${pyString(k)}: ${pythonJsonDumps(x, opts)}`).join(", ")}}`;
  }
  throw new Error(`cannot write a ${typeof v} as JSON`);
}
