// Safetensors reader (lazy: one positioned read per tensor, nothing else loaded) and writer
// (atomic: temp file in the same folder, then rename; streaming: tensors may arrive one at a time).
import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from "node:fs";
import { DTYPE_BYTES, assertLittleEndianHost, f32ToHalfBits, halfBitsToF32, rawView, type RawArray, type SafeDType } from "./dtype.ts";
import { buildHeader, elementCount, parseHeaderJson, parseHeaderLength, type TensorInfo } from "./safetensors-header.ts";
import { commitTempFile, removeQuietly, tempPathFor } from "./atomic.ts";

export type { TensorInfo } from "./safetensors-header.ts";

// Bytes converted per read when widening f16/bf16, so no full-size staging copy is needed.
const CHUNK_BYTES = 1 << 24;

export interface SafetensorsFile {
  readonly path: string;
  readonly metadata: Record<string, string>;
  names(): string[];
  has(name: string): boolean;
  info(name: string): TensorInfo;
  /** Float tensors (F32, F16, BF16, F64) and small integer/bool tensors as f32. */
  read(name: string): Float32Array;
  /** The stored elements as their own typed array (F16/BF16 as Uint16Array bit patterns, I64 as BigInt64Array). */
  readRaw(name: string): RawArray;
  /** Where the tensor's bytes lie in the file (for readers that map them, such as ONNX Runtime). */
  location(name: string): { path: string; offset: number; length: number };
  close(): void;
}

function readFully(fd: number, into: Uint8Array, position: number, file: string): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, Math.min(into.length - done, 1 << 30), position + done);
    if (n === 0) throw new Error(`${file}: unexpected end of file at byte ${position + done} (file truncated while open?)`);
    done += n;
  }
}

export function openSafetensors(path: string): SafetensorsFile {
  assertLittleEndianHost();
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === "ENOENT" ? `${path}: no such safetensors file` : `${path}: cannot open (${(e as Error).message})`);
  }
  let header;
  try {
    const size = fstatSync(fd).size;
    const first8 = new Uint8Array(Math.min(8, size));
    readFully(fd, first8, 0, path);
    const len = parseHeaderLength(first8, size, path);
    const json = new Uint8Array(len);
    readFully(fd, json, 8, path);
    header = parseHeaderJson(json, len, size, path);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  const { tensors, dataStart, metadata } = header;
  let open = true;

  const info = (name: string): TensorInfo => {
    const t = tensors.get(name);
    if (!t) throw new Error(`${path}: no tensor named "${name}" (the file holds ${tensors.size} tensors)`);
    if (!open) throw new Error(`${path}: read of "${name}" after close()`);
    return t;
  };

  const readRaw = (name: string): RawArray => {
    const t = info(name);
    const buf = new ArrayBuffer(t.end - t.begin);
    readFully(fd, new Uint8Array(buf), dataStart + t.begin, path);
    return rawView(t.dtype, buf, 0, elementCount(t.shape));
  };

  const read = (name: string): Float32Array => {
    const t = info(name);
    const n = elementCount(t.shape);
    switch (t.dtype) {
      case "F32":
        return readRaw(name) as Float32Array;
      case "F16":
      case "BF16": {
        const out = new Float32Array(n);
        const per = CHUNK_BYTES / 2;
        const stage = new Uint16Array(Math.min(per, n));
        for (let i = 0; i < n; i += per) {
          const m = Math.min(per, n - i);
          const view = stage.subarray(0, m);
          readFully(fd, new Uint8Array(view.buffer, 0, m * 2), dataStart + t.begin + i * 2, path);
          halfBitsToF32(t.dtype, view, out, i);
        }
        return out;
      }
      case "F64":
      case "I8":
      case "U8":
      case "I16":
      case "U16":
      case "BOOL":
        return Float32Array.from(readRaw(name) as Float64Array);
      default:
        throw new Error(`${path}: tensor "${name}" is ${t.dtype}, which does not convert to f32 exactly; use readRaw()`);
    }
  };

  return {
    path,
    metadata,
    names: () => [...tensors.keys()],
    has: (name) => tensors.has(name),
    info,
    read,
    readRaw,
    location: (name) => {
      const t = info(name);
      return { path, offset: dataStart + t.begin, length: t.end - t.begin };
    },
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** Data a writer accepts: f32 values for float dtypes, bit patterns (Uint16Array) for F16/BF16, or the dtype's own array. */
export type TensorData = ArrayLike<number> | BigInt64Array | BigUint64Array | ArrayLike<bigint>;

export interface TensorToWrite {
  dtype: SafeDType;
  shape: number[];
  data: TensorData;
}

/** Encodes `data` (whole tensor or a contiguous chunk) as the little-endian bytes of `dtype`. */
export function encodeTensorBytes(dtype: SafeDType, data: TensorData, where: string): Uint8Array {
  const n = data.length;
  const asBytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  switch (dtype) {
    case "F32":
      return asBytes(data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>));
    case "F64":
      return asBytes(data instanceof Float64Array ? data : Float64Array.from(data as ArrayLike<number>));
    case "F16":
    case "BF16": {
      if (data instanceof Uint16Array) return asBytes(data);
      const out = new Uint16Array(n);
      f32ToHalfBits(dtype, data as ArrayLike<number>, out);
      return asBytes(out);
    }
    case "I64":
    case "U64": {
      const Ctor = dtype === "I64" ? BigInt64Array : BigUint64Array;
      if (data instanceof Ctor) return asBytes(data);
      const out = new Ctor(n);
      for (let i = 0; i < n; i++) {
        const v = (data as ArrayLike<number | bigint>)[i];
        if (typeof v === "number" && !Number.isSafeInteger(v)) throw new Error(`${where}: ${dtype} element ${i} is ${v}, not an integer`);
        out[i] = BigInt(v);
      }
      return asBytes(out);
    }
    default: {
      const probe = rawView(dtype, new ArrayBuffer(0), 0, 0);
      if (Object.getPrototypeOf(data) === Object.getPrototypeOf(probe)) return asBytes(data as unknown as ArrayBufferView);
      const out = rawView(dtype, new ArrayBuffer(n * DTYPE_BYTES[dtype]), 0, n) as Exclude<RawArray, BigInt64Array | BigUint64Array>;
      for (let i = 0; i < n; i++) {
        const v = Number((data as ArrayLike<number | bigint>)[i]);
        if (!Number.isInteger(v)) throw new Error(`${where}: ${dtype} element ${i} is ${v}, not an integer`);
        out[i] = v;
      }
      return asBytes(out);
    }
  }
}

export interface TensorSpec {
  name: string;
  dtype: SafeDType;
  shape: number[];
}

/**
 * Streaming writer: the header is fixed up front from the specs, then each tensor's data is appended
 * (whole or in consecutive chunks, tensors in any order) with positioned writes. `finish()` checks every
 * tensor is complete, syncs and renames into place; until then only a temp file exists.
 */
export interface SafetensorsWriter {
  write(name: string, chunk: TensorData): void;
  finish(): void;
  abort(): void;
}

export function createSafetensorsWriter(path: string, specs: TensorSpec[], metadata?: Record<string, string>): SafetensorsWriter {
  assertLittleEndianHost();
  const seen = new Set<string>();
  for (const s of specs) {
    const where = `${path}: tensor "${s.name}"`;
    if (s.name === "__metadata__") throw new Error(`${path}: "__metadata__" is reserved and cannot name a tensor`);
    if (seen.has(s.name)) throw new Error(`${where}: given twice`);
    seen.add(s.name);
    if (!(s.dtype in DTYPE_BYTES)) throw new Error(`${where}: unknown dtype ${JSON.stringify(s.dtype)}`);
    if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new Error(`${where}: shape must be non-negative integers, got ${JSON.stringify(s.shape)}`);
  }
  for (const [k, v] of Object.entries(metadata ?? {}))
    if (typeof v !== "string") throw new Error(`${path}: metadata "${k}" must be a string, got ${JSON.stringify(v)}`);

  const { bytes, layout } = buildHeader(specs, metadata);
  const dataStart = bytes.length;
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, "wx");
  let state: "open" | "done" | "aborted" = "open";
  const cursor = new Map<string, number>();
  const writeAll = (b: Uint8Array, pos: number) => {
    let done = 0;
    while (done < b.length) done += writeSync(fd, b, done, b.length - done, pos + done);
  };
  try {
    writeAll(bytes, 0);
  } catch (e) {
    closeSync(fd);
    removeQuietly(tmp);
    throw e;
  }

  const abort = () => {
    if (state !== "open") return;
    state = "aborted";
    closeSync(fd);
    removeQuietly(tmp);
  };

  return {
    write(name, chunk) {
      if (state !== "open") throw new Error(`${path}: write of "${name}" after the writer was closed`);
      const t = layout.get(name);
      if (!t) throw new Error(`${path}: tensor "${name}" was not declared to the writer`);
      const at = cursor.get(name) ?? 0;
      const b = encodeTensorBytes(t.dtype, chunk, `${path}: tensor "${name}"`);
      if (t.begin + at + b.length > t.end)
        throw new Error(
          `${path}: tensor "${name}" gets ${(at + b.length) / DTYPE_BYTES[t.dtype]} elements, more than its shape [${t.shape.join(", ")}] holds (${elementCount(t.shape)})`,
        );
      try {
        writeAll(b, dataStart + t.begin + at);
      } catch (e) {
        abort();
        throw e;
      }
      cursor.set(name, at + b.length);
    },
    finish() {
      if (state !== "open") throw new Error(`${path}: finish() after the writer was closed`);
      const short = specs.map((s) => layout.get(s.name)!).filter((t) => (cursor.get(t.name) ?? 0) !== t.end - t.begin);
      if (short.length > 0) {
        const list = short.slice(0, 5).map((t) => `"${t.name}" (${(cursor.get(t.name) ?? 0) / DTYPE_BYTES[t.dtype]}/${elementCount(t.shape)} elements)`);
        abort();
        throw new Error(`${path}: not written, ${short.length} tensor(s) incomplete: ${list.join(", ")}${short.length > 5 ? ", …" : ""}`);
      }
      try {
        fsyncSync(fd);
        closeSync(fd);
      } catch (e) {
        state = "aborted";
        removeQuietly(tmp);
        throw e;
      }
      state = "done";
      commitTempFile(tmp, path);
    },
    abort,
  };
}

/** Writes a whole safetensors file atomically. */
export function writeSafetensors(path: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): void {
  const specs: TensorSpec[] = Object.entries(tensors).map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape }));
  for (const [name, t] of Object.entries(tensors)) {
    const n = Array.isArray(t.shape) ? elementCount(t.shape) : NaN;
    if (t.data.length !== n) throw new Error(`${path}: tensor "${name}" has ${t.data.length} elements but shape ${JSON.stringify(t.shape)} needs ${n}`);
  }
  const w = createSafetensorsWriter(path, specs, metadata);
  try {
    for (const [name, t] of Object.entries(tensors)) w.write(name, t.data);
  } catch (e) {
    w.abort();
    throw e;
  }
  w.finish();
}
