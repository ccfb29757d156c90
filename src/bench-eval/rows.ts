// Reading annotation rows as the publishers ship them: parquet tables (Video-MME), JSON lines (LVBench) and
// JSON files (the others); and field access that turns a malformed row into one listed problem.
import { readFileSync } from "node:fs";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from "hyparquet";
import { readJsonl } from "../data/readers.ts";

export interface Row {
  /** "file:line" or "file row N", for problems. */
  where: string;
  value: unknown;
}

/** A row that cannot be used; its message names the row and the field. */
export class RowError extends Error {}

export async function parquetRows(file: string): Promise<Row[]> {
  try {
    const buf = await asyncBufferFromFile(file);
    const metadata = await parquetMetadataAsync(buf);
    const rows = await parquetReadObjects({ file: buf, metadata });
    return rows.map((value, i) => ({ where: `${file} row ${i + 1}`, value }));
  } catch (e) {
    throw new Error(`${file}: not a readable parquet file (${(e as Error).message})`);
  }
}

export async function jsonlRows(file: string): Promise<{ rows: Row[]; problems: string[] }> {
  const rows: Row[] = [];
  const problems: string[] = [];
  for await (const it of readJsonl(file)) {
    const where = `${file}:${it.line}`;
    if (it.error) problems.push(`${where}: ${it.error}`);
    else rows.push({ where, value: it.value });
  }
  return { rows, problems };
}

export function jsonFile(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** A JSON file holding an array of rows ("file [i]" locations). */
export function jsonArrayRows(file: string): Row[] {
  const all = jsonFile(file);
  if (!Array.isArray(all)) throw new Error(`${file}: expected a JSON array of questions`);
  return all.map((value, i) => ({ where: `${file} [${i}]`, value }));
}

function field(row: Row, name: string): unknown {
  const v = row.value;
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new RowError(`${row.where}: not an object`);
  return (v as Record<string, unknown>)[name];
}

export function str(row: Row, name: string): string {
  const v = field(row, name);
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v !== "string" || v.trim() === "") throw new RowError(`${row.where}: field "${name}" must be a non-empty string`);
  return v;
}

export function int(row: Row, name: string): number {
  const v = field(row, name);
  const n = typeof v === "bigint" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n)) throw new RowError(`${row.where}: field "${name}" must be an integer`);
  return n;
}

export function strList(row: Row, name: string): string[] {
  const v = field(row, name);
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== "string"))
    throw new RowError(`${row.where}: field "${name}" must be a list of strings`);
  return v as string[];
}

export function optional(row: Row, name: string): unknown {
  return field(row, name);
}

/** Runs `make` on each row (with its index); a RowError becomes a listed problem, anything else is a bug and
 * propagates. */
export function collect<T>(rows: readonly Row[], make: (r: Row, index: number) => T[], problems: string[]): T[] {
  const out: T[] = [];
  for (const [i, r] of rows.entries()) {
    try {
      out.push(...make(r, i));
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      problems.push(e.message);
    }
  }
  return out;
}

/** Turns a path check's complaint (unsafeId, unsafeRelPath) into a RowError for this row. */
export function checked(row: Row, why: string | undefined): void {
  if (why) throw new RowError(`${row.where}: ${why}`);
}

export const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
