// NaN/Inf detection in a safetensors file's float tensors (checked on the stored bits, any float dtype, without
// converting; activations: ../generate/assert-finite.ts). A non-finite weight gives a garbage answer with no other
// sign, so it is an error that names the tensor.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { parseHeaderJson, parseHeaderLength } from "../../io/safetensors-header.ts";
import type { SafeDType } from "../../io/dtype.ts";

const CHUNK = 1 << 24; // 16 MiB per read: bounded memory whatever the tensor size

/** Index of the first NaN/Inf element in raw little-endian float data, or -1 (non-float dtypes: -1). */
export function firstNonFinite(dtype: SafeDType, bytes: Uint8Array): number {
  const buf = bytes.buffer;
  const off = bytes.byteOffset;
  if (dtype === "F32") {
    const v = new Uint32Array(buf, off, bytes.byteLength >> 2);
    for (let i = 0; i < v.length; i++) if ((v[i] & 0x7f800000) === 0x7f800000) return i;
  } else if (dtype === "BF16" || dtype === "F16") {
    const mask = dtype === "BF16" ? 0x7f80 : 0x7c00;
    const v = new Uint16Array(buf, off, bytes.byteLength >> 1);
    for (let i = 0; i < v.length; i++) if ((v[i] & mask) === mask) return i;
  } else if (dtype === "F64") {
    const v = new Uint32Array(buf, off, bytes.byteLength >> 2);
    for (let i = 1; i < v.length; i += 2) if ((v[i] & 0x7ff00000) === 0x7ff00000) return i >> 1;
  }
  return -1;
}

/** Throws `FILE: weight NAME has a NaN or infinite value (element i)` for the first such tensor. */
export function checkFiniteSafetensors(file: string): void {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const first8 = new Uint8Array(8);
    readSync(fd, first8, 0, 8, 0);
    const n = parseHeaderLength(first8, size, file);
    const json = new Uint8Array(n);
    readSync(fd, json, 0, n, 8);
    const header = parseHeaderJson(json, n, size, file);
    const chunk = new Uint8Array(CHUNK);
    for (const t of header.tensors.values()) {
      const width = { F32: 4, F16: 2, BF16: 2, F64: 8 }[t.dtype as string];
      if (!width) continue;
      for (let pos = t.begin; pos < t.end; pos += CHUNK) {
        const len = Math.min(CHUNK, t.end - pos);
        readSync(fd, chunk, 0, len, header.dataStart + pos);
        const bad = firstNonFinite(t.dtype, chunk.subarray(0, len));
        if (bad >= 0) throw new Error(`${file}: weight ${t.name} has a NaN or infinite value (element ${(pos - t.begin) / width + bad})`);
      }
    }
  } finally {
    closeSync(fd);
  }
}
