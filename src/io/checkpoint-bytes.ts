// A single-file model folder held in memory (config.json parsed, model.safetensors as bytes): how a browser,
// which fetched or was handed the files, opens a checkpoint. Same interface as a folder opened from disk.
import type { Checkpoint } from "./checkpoint-core.ts";
import { halfBitsToF32, rawView, type RawArray } from "./dtype.ts";
import { elementCount, parseHeaderJson, parseHeaderLength, type TensorInfo } from "./safetensors-header.ts";
import { parseHourLlavaConfig } from "./config.ts";

export function checkpointFromBytes(dir: string, config: unknown, safetensors: Uint8Array): Checkpoint {
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw new Error(`${dir}/config.json: config.json must hold a JSON object`);
  const file = `${dir}/model.safetensors`;
  const n = parseHeaderLength(safetensors.subarray(0, 8), safetensors.byteLength, file);
  const header = parseHeaderJson(safetensors.subarray(8, 8 + n), n, safetensors.byteLength, file);
  const info = (name: string): TensorInfo => {
    const t = header.tensors.get(name);
    if (!t) throw new Error(`${dir}: the checkpoint has no tensor "${name}" (${header.tensors.size} tensors)`);
    return t;
  };
  // A copy per read (new Uint8Array(view): a Node Buffer's slice() would share memory): typed views need aligned
  // offsets, and callers may keep (or hand ORT) the array.
  const readRaw = (name: string): RawArray => {
    const t = info(name);
    const at = header.dataStart + t.begin;
    return rawView(t.dtype, new Uint8Array(safetensors.subarray(at, header.dataStart + t.end)).buffer, 0, elementCount(t.shape));
  };
  const read = (name: string): Float32Array => {
    const t = info(name);
    const raw = readRaw(name);
    if (t.dtype === "F32") return raw as Float32Array;
    if (t.dtype === "F16" || t.dtype === "BF16") {
      const out = new Float32Array(raw.length);
      halfBitsToF32(t.dtype, raw as Uint16Array, out);
      return out;
    }
    if (["F64", "I8", "U8", "I16", "U16", "BOOL"].includes(t.dtype)) return Float32Array.from(raw as Float64Array);
    throw new Error(`${file}: tensor "${name}" is ${t.dtype}, which does not convert to f32 exactly`);
  };
  return {
    dir,
    config: config as Record<string, unknown>,
    files: ["model.safetensors"],
    names: () => [...header.tensors.keys()],
    has: (name) => header.tensors.has(name),
    shape: (name) => [...info(name).shape],
    dtype: (name) => info(name).dtype,
    read,
    readRaw,
    location: () => {
      throw new Error(`${file} is held in memory: its tensors have no file location`);
    },
    hourLlavaConfig: () => parseHourLlavaConfig(config, `${dir}/config.json`),
    close: () => undefined,
  };
}
