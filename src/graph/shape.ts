// Shapes with symbolic dimensions: a dim is a number or a name ("T", "L") bound at run time.
export type Dim = number | string;
export type Shape = readonly Dim[];

export function fmtShape(s: Shape): string {
  return `[${s.join(", ")}]`;
}

export class ShapeError extends Error {
  constructor(op: string, msg: string) {
    super(`${op}: ${msg}`);
    this.name = "ShapeError";
  }
}

/** Two dims known to differ (two numbers, or a number against nothing compatible). Symbolic dims are trusted. */
export function dimsConflict(a: Dim, b: Dim): boolean {
  return typeof a === "number" && typeof b === "number" && a !== b;
}

/** numpy broadcasting of two shapes; throws naming the op and both shapes when they cannot broadcast. */
export function broadcastShapes(op: string, a: Shape, b: Shape): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else if (da === db) out.push(da);
    else if (typeof da === "number" && typeof db === "number") {
      throw new ShapeError(op, `cannot broadcast ${fmtShape(a)} with ${fmtShape(b)}`);
    } else out.push(typeof da === "number" ? da : db);
  }
  return out;
}

export function numel(s: Shape): number | undefined {
  let n = 1;
  for (const d of s) {
    if (typeof d !== "number") return undefined;
    n *= d;
  }
  return n;
}

export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new ShapeError(op, `axis ${axis} out of range for rank ${rank}`);
  return a;
}

export function sameDim(a: Dim, b: Dim): boolean {
  return a === b;
}

/** Product of dims as a Dim: a number when all are known, else a derived name. */
export function mulDims(ds: Dim[]): Dim {
  if (ds.every((d) => typeof d === "number")) return (ds as number[]).reduce((x, y) => x * y, 1);
  const parts = ds.filter((d) => d !== 1).map(String);
  return parts.length === 1 ? ds.find((d) => d !== 1)! : parts.join("*");
}
