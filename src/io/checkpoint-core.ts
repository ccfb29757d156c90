// What a model folder offers once opened (from files in Node, from fetched bytes in a browser).
import type { RawArray, SafeDType } from "./dtype.ts";
import type { HourLlavaConfig } from "./config.ts";

export interface Checkpoint {
  readonly dir: string;
  /** config.json as parsed JSON (validate it with `hourLlavaConfig()` or another schema). */
  readonly config: Record<string, unknown>;
  /** The safetensors files, relative to `dir`. */
  readonly files: string[];
  names(): string[];
  has(name: string): boolean;
  shape(name: string): number[];
  dtype(name: string): SafeDType;
  read(name: string): Float32Array;
  readRaw(name: string): RawArray;
  /** The file, byte offset and length of a tensor's data. */
  location(name: string): { path: string; offset: number; length: number };
  hourLlavaConfig(): HourLlavaConfig;
  close(): void;
}
