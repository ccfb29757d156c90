// Streaming readers for VideoMarathon files, constant memory in the number of records: JSON lines, a
// top-level JSON array (element by element), and parquet (one row group at a time). Each yields raw
// items; a line or element that is not JSON becomes an item with `error`, never a silent skip.
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { extname } from "node:path";
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from "hyparquet";
import { JsonArraySplitter } from "./json-splitter.ts";
import { MAX_JSON_DEPTH, jsonDepth } from "./json-depth.ts";
import { describeColumns, normaliseQaRow, requireColumns, resolveColumns, type ColumnMapping } from "./columns.ts";

export interface RawItem {
  file: string;
  /** 0-based: line number − 1 for JSON lines, element index for a JSON array, row index for parquet. */
  index: number;
  /** 1-based line where the record starts (JSON lines and JSON arrays), as editors count. */
  line?: number;
  /** An element of a JSON array: its index says which, since many elements may share a line. */
  element?: boolean;
  /** The record's own id, when it has one (locates it where lines do not). */
  id?: string;
  value?: unknown;
  /** Why the text at this index is not a JSON value. */
  error?: string;
}

export interface ReadOptions {
  /** Bytes per read (default 1 MiB). */
  chunkSize?: number;
  /** Told which columns a table file maps to which QA fields (parquet). */
  onColumns?: (mapping: ColumnMapping, columns: string[], summary: string) => void;
}

export type FileFormat = "jsonl" | "json" | "parquet";

function parse(file: string, index: number, line: number, text: string): RawItem {
  if (jsonDepth(text) > MAX_JSON_DEPTH) return { file, index, line, error: `nested deeper than ${MAX_JSON_DEPTH} levels; not a record` };
  try {
    return { file, index, line, value: JSON.parse(text) };
  } catch (e) {
    return { file, index, line, error: `not valid JSON (${(e as Error).message})` };
  }
}

/** Where an item is, for messages: "file:line" for JSON lines, "file:line element [i]" for a JSON array (a one-line
 * array holds every element on line 1), "file row N" (1-based) for tables; then the record's id, if any. */
export function itemLocation(item: Pick<RawItem, "file" | "index" | "line" | "element" | "id">): string {
  const where = item.line !== undefined ? `${item.file}:${item.line}${item.element ? ` element [${item.index}]` : ""}` : `${item.file} row ${item.index + 1}`;
  return item.id !== undefined ? `${where} (id ${JSON.stringify(item.id).slice(0, 80)})` : where;
}

export async function* readJsonl(file: string, opts: ReadOptions = {}): AsyncGenerator<RawItem> {
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: opts.chunkSize ?? 1 << 20 });
  let rest = "";
  let line = 0;
  for await (const chunk of stream as AsyncIterable<string>) {
    let text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      const s = text.slice(start, nl);
      start = nl + 1;
      if (s.trim() !== "") yield parse(file, line, line + 1, s);
      line++;
    }
    rest = text.slice(start);
    text = "";
  }
  if (rest.trim() !== "") yield parse(file, line, line + 1, rest);
}

export async function* readJsonArray(file: string, opts: ReadOptions = {}): AsyncGenerator<RawItem> {
  const stream = createReadStream(file, { encoding: "utf8", highWaterMark: opts.chunkSize ?? 1 << 20 });
  const splitter = new JsonArraySplitter(file);
  let index = 0;
  for await (const chunk of stream as AsyncIterable<string>) {
    for (const el of splitter.pushWithLines(chunk)) yield { ...parse(file, index++, el.line, el.text), element: true };
  }
  splitter.end();
}

/** Column names of a parquet file and how they map onto the QA form. */
export async function inspectParquet(file: string): Promise<{ columns: string[]; mapping: ColumnMapping; rows: number; rowGroups: number }> {
  const buf = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buf);
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  return { columns, mapping: resolveColumns(columns), rows: Number(metadata.num_rows), rowGroups: metadata.row_groups.length };
}

export async function* readParquet(file: string, opts: ReadOptions = {}): AsyncGenerator<RawItem> {
  const buf = await asyncBufferFromFile(file);
  const metadata = await parquetMetadataAsync(buf);
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  const mapping = resolveColumns(columns);
  requireColumns(file, mapping, columns);
  opts.onColumns?.(mapping, columns, describeColumns(mapping));
  let rowStart = 0;
  for (const rg of metadata.row_groups) {
    const rowEnd = rowStart + Number(rg.num_rows);
    const rows = await parquetReadObjects({ file: buf, metadata, rowStart, rowEnd });
    for (let i = 0; i < rows.length; i++) yield { file, index: rowStart + i, value: normaliseQaRow(rows[i], mapping) };
    rowStart = rowEnd;
  }
}

/** First non-space character of a file, to tell a JSON array from JSON lines. */
async function firstChar(file: string): Promise<string> {
  const fh = await open(file, "r");
  try {
    const b = Buffer.alloc(4096);
    for (let pos = 0; ;) {
      const { bytesRead } = await fh.read(b, 0, b.length, pos);
      if (bytesRead === 0) return "";
      const s = b
        .subarray(0, bytesRead)
        .toString("utf8")
        .replace(/^[\s\ufeff]+/, "");
      if (s) return s[0];
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

export async function detectFormat(file: string): Promise<FileFormat> {
  const ext = extname(file).toLowerCase();
  if (ext === ".parquet") return "parquet";
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  if (ext === ".json") {
    const c = await firstChar(file);
    if (c === "") throw new Error(`${file}: empty file; a .json file holds a JSON array (or JSON lines)`);
    return c === "[" ? "json" : "jsonl";
  }
  throw new Error(`${file}: unknown file type "${ext || "(none)"}"; expected .jsonl, .ndjson, .json or .parquet`);
}

/** Reads any supported file by its extension (a .json file holding JSON lines is read as such). */
export async function* readRecords(file: string, opts: ReadOptions = {}): AsyncGenerator<RawItem> {
  const format = await detectFormat(file);
  if (format === "parquet") yield* readParquet(file, opts);
  else if (format === "json") yield* readJsonArray(file, opts);
  else yield* readJsonl(file, opts);
}
