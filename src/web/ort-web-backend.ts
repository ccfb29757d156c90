// The browser edge of the graph runtime: onnxruntime-web (its WebGPU build where the browser has an adapter, the
// plain WASM build otherwise), weights that live in memory, external initializers handed to ORT as bytes, and a
// pure-JS signature hash (WebCrypto's digest is async; compile() is not).
import type { Env } from "onnxruntime-common";
import type { FileSlice } from "../graph/graph.ts";
import { EXTERNAL_DATA_FILE, alignExternal } from "../graph/onnx-emit.ts";
import type { Device, OrtModule, RuntimeBackend, SessionExternalData, SignatureHasher } from "../graph/runtime-core.ts";

type OrtWeb = OrtModule & { env: Env };

/** Loads onnxruntime-web; its .mjs/.wasm files are fetched from `wasmBase` (the bundle's folder). */
export async function webBackend(opts: { device: Device; wasmBase: string; threads?: number }): Promise<RuntimeBackend> {
  if (opts.device !== "cpu" && opts.device !== "webgpu") throw new Error(`device "${opts.device}" does not exist in a browser; use "webgpu" or "cpu"`);
  const ort: OrtWeb = opts.device === "webgpu" ? await import("onnxruntime-web/webgpu") : await import("onnxruntime-web/wasm");
  ort.env.wasm.wasmPaths = opts.wasmBase;
  // WASM threads need a cross-origin-isolated page (SharedArrayBuffer); elsewhere ORT runs on one.
  const threads = globalThis.crossOriginIsolated ? (opts.threads ?? Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
  ort.env.wasm.numThreads = threads;
  return {
    name: "onnxruntime-web",
    ort,
    devices: () => ["cpu", opts.device],
    executionProvider: (d) => (d === "cpu" ? "wasm" : d),
    defaultThreads: () => threads,
    hasher: () => new StringHash(),
    weightBytes(f: FileSlice): Uint8Array {
      throw new Error(`weight file ${f.path} cannot be read in a browser: open the checkpoint from bytes`);
    },
    externalData: () => new MemoryExternalData(),
  };
}

/** The best device this browser offers: WebGPU when an adapter answers, else the WASM CPU provider. */
export async function bestWebDevice(): Promise<Device> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  try {
    return gpu && (await gpu.requestAdapter()) ? "webgpu" : "cpu";
  } catch {
    return "cpu";
  }
}

/** 128-bit hash (four 32-bit FNV-1a style lanes with different seeds) of the signature's text. */
class StringHash implements SignatureHasher {
  private h = [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b];
  update(s: string): void {
    const h = this.h;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h[0] = Math.imul(h[0] ^ c, 0x01000193);
      h[1] = Math.imul(h[1] ^ c, 0x5bd1e995);
      h[2] = Math.imul(h[2] ^ c, 0x27d4eb2d);
      h[3] = Math.imul(h[3] ^ c, 0x165667b1);
    }
  }
  digest(): string {
    return this.h.map((x) => (x >>> 0).toString(16).padStart(8, "0")).join("");
  }
}

/** External initializers of one session, kept in memory and passed to ORT as the file it expects. */
class MemoryExternalData implements SessionExternalData {
  private chunks: { offset: number; data: Uint8Array }[] = [];
  private size = 0;
  readonly location = EXTERNAL_DATA_FILE;
  get used(): boolean {
    return this.chunks.length > 0;
  }
  write(data: Uint8Array): number {
    const offset = alignExternal(this.size);
    this.chunks.push({ offset, data });
    this.size = offset + data.byteLength;
    return offset;
  }
  locate(path: string): string {
    throw new Error(`weight file ${path} cannot be referenced in a browser: open the checkpoint from bytes`);
  }
  close(): void {}
  sessionOptions() {
    const all = new Uint8Array(this.size);
    for (const c of this.chunks) all.set(c.data, c.offset);
    return { externalData: [{ path: EXTERNAL_DATA_FILE, data: all }] };
  }
  remove(): void {
    this.chunks = [];
  }
}
