// The safetensors header: 8-byte little-endian length N, N bytes of JSON, then the data buffer.
// Parsing validates everything the spec requires, so a reader can trust offsets afterwards.
import { DTYPE_BYTES, isSafeDType, type SafeDType } from "./dtype.ts";

export interface TensorInfo {
  name: string;
  dtype: SafeDType;
  shape: number[];
  /** Byte range inside the data buffer (relative to its start, as in the header). */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Absolute file offset of the data buffer: 8 + N. */
  dataStart: number;
  headerLength: number;
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
}

/** The Rust reference implementation refuses headers above 100 MB; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Reads N from the first 8 bytes and checks it against the file size. */
export function parseHeaderLength(first8: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || first8.length < 8) throw new Error(`${file}: not a safetensors file: ${fileSize} bytes, shorter than the 8-byte header length`);
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n < 2n) throw new Error(`${file}: corrupt safetensors header: header length ${n} is too small for a JSON object`);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new Error(`${file}: corrupt safetensors header: header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const len = Number(n);
  if (8 + len > fileSize) throw new Error(`${file}: truncated safetensors file: header says ${len} JSON bytes but only ${fileSize - 8} follow`);
  return len;
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** Parses and validates the JSON header; `fileSize` lets it check that the data buffer is exactly covered. */
export function parseHeaderJson(jsonBytes: Uint8Array, headerLength: number, fileSize: number, file: string): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(jsonBytes);
  } catch {
    throw new Error(`${file}: corrupt safetensors header: the ${headerLength} header bytes are not valid UTF-8`);
  }
  if (!text.startsWith("{"))
    throw new Error(`${file}: corrupt safetensors header: JSON header does not start with "{" (got ${JSON.stringify(text.slice(0, 16))})`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: corrupt safetensors header: invalid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new Error(`${file}: corrupt safetensors header: JSON header is not an object`);

  const dataStart = 8 + headerLength;
  const dataLength = fileSize - dataStart;
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (v === null || typeof v !== "object" || Array.isArray(v))
        throw new Error(`${file}: corrupt safetensors header: __metadata__ must be an object of strings`);
      for (const [k, mv] of Object.entries(v as Record<string, unknown>))
        if (typeof mv !== "string") throw new Error(`${file}: corrupt safetensors header: __metadata__.${k} must be a string, got ${JSON.stringify(mv)}`);
      metadata = v as Record<string, string>;
      continue;
    }
    const where = `${file}: tensor "${name}"`;
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error(`${where}: header entry is not an object`);
    const e = v as Record<string, unknown>;
    if (!isSafeDType(e.dtype)) throw new Error(`${where}: unknown dtype ${JSON.stringify(e.dtype)} (known: ${Object.keys(DTYPE_BYTES).join(", ")})`);
    if (!Array.isArray(e.shape) || !e.shape.every(isNonNegInt))
      throw new Error(`${where}: shape must be a list of non-negative integers, got ${JSON.stringify(e.shape)}`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !isNonNegInt(off[0]) || !isNonNegInt(off[1]))
      throw new Error(`${where}: data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(off)}`);
    const [begin, end] = off as [number, number];
    if (end < begin) throw new Error(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLength) throw new Error(`${where}: data_offsets [${begin}, ${end}] run past the data buffer (${dataLength} bytes; file truncated?)`);
    const shape = e.shape as number[];
    const want = elementCount(shape) * DTYPE_BYTES[e.dtype];
    if (end - begin !== want)
      throw new Error(`${where}: shape [${shape.join(", ")}] of ${e.dtype} needs ${want} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    tensors.set(name, { name, dtype: e.dtype, shape, begin, end });
  }

  // The spec requires the buffer to be covered exactly: no overlaps, no holes, nothing trailing.
  const sorted = [...tensors.values()].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const t of sorted) {
    if (t.begin < cursor) throw new Error(`${file}: tensor "${t.name}" data_offsets [${t.begin}, ${t.end}] overlap the previous tensor (ends at ${cursor})`);
    if (t.begin > cursor) throw new Error(`${file}: hole in the data buffer: bytes ${cursor}..${t.begin} belong to no tensor (before "${t.name}")`);
    cursor = t.end;
  }
  if (cursor !== dataLength)
    throw new Error(`${file}: data buffer is ${dataLength} bytes but the tensors cover ${cursor} (trailing bytes or truncated header)`);
  return { dataStart, headerLength, tensors, metadata };
}

export interface HeaderEntry {
  name: string;
  dtype: SafeDType;
  shape: number[];
}

/**
 * Lays tensors out (wider dtypes first, then by name, as the Python writer does, so every tensor stays
 * aligned to its element size) and returns the padded header bytes plus each tensor's data range.
 */
export function buildHeader(
  entries: HeaderEntry[],
  metadata?: Record<string, string>,
): {
  bytes: Uint8Array;
  layout: Map<string, TensorInfo>;
  dataLength: number;
} {
  const order = [...entries].sort((a, b) => DTYPE_BYTES[b.dtype] - DTYPE_BYTES[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const json: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) json.__metadata__ = metadata;
  const layout = new Map<string, TensorInfo>();
  let off = 0;
  for (const e of order) {
    const len = elementCount(e.shape) * DTYPE_BYTES[e.dtype];
    const info: TensorInfo = { name: e.name, dtype: e.dtype, shape: [...e.shape], begin: off, end: off + len };
    layout.set(e.name, info);
    json[e.name] = { dtype: e.dtype, shape: info.shape, data_offsets: [info.begin, info.end] };
    off += len;
  }
  const body = new TextEncoder().encode(JSON.stringify(json));
  const padded = Math.ceil(body.length / 8) * 8;
  const bytes = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(padded), true);
  bytes.set(body, 8);
  return { bytes, layout, dataLength: off };
}
