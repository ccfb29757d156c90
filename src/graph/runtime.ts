// The Node edge of the graph runtime: onnxruntime-node, weights read from (or referenced in) their files, and
// external initializers streamed to a temp file ORT reads once. Everything else is runtime-core.ts, shared with
// the browser build.
import { createHash } from "node:crypto";
import os from "node:os";
import * as ort from "onnxruntime-node";
import { openSync, closeSync, readSync, writeSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { Graph } from "./graph.ts";
import type { FileSlice } from "./graph.ts";
import { mul } from "./ops/elementwise.ts";
import { EXTERNAL_DATA_FILE, alignExternal } from "./onnx-emit.ts";
import { GraphRuntime } from "./runtime-core.ts";
import type { Device, RuntimeBackend, RuntimeOptions, SessionExternalData } from "./runtime-core.ts";
import { releaseRunTempDir, runTempDir } from "../util/run-temp.ts";
import { CUDA_HELP, explainSessionError, hasCudaProvider, useVulkanIcd } from "./gpu-setup.ts";

export { CompiledGraph, EXTERNAL_DATA_ABOVE, GraphRuntime } from "./runtime-core.ts";
export type { CompileOptions, Device, HostTensor, RuntimeBackend, RuntimeOptions } from "./runtime-core.ts";

// ORT's bundled telemetry SDK leaves an empty /tmp/mat-debug-<pid>.log per process (and may upload): off unless set.
process.env.ORT_DISABLE_TELEMETRY ??= "1";

/** Devices this onnxruntime-node build runs: CUDA is compiled in but its provider library is installed apart
 * (bundled: false), so it counts only when that library is there. */
export function availableDevices(): Device[] {
  const names = ort
    .listSupportedBackends()
    .filter((b) => b.bundled || b.name === "cpu" || (b.name === "cuda" && hasCudaProvider()))
    .map((b) => b.name);
  return (["cpu", "webgpu", "cuda"] as Device[]).filter((d) => names.includes(d));
}

/** External data locations are resolved from the file system root, so weights can stay in the files they came from. */
const FROM_ROOT = { extra: { session: { model_external_initializers_file_folder_path: "/" } } };

export const nodeBackend: RuntimeBackend = {
  name: "onnxruntime-node",
  ort,
  devices: availableDevices,
  executionProvider(d) {
    if (d === "webgpu") useVulkanIcd();
    return d;
  },
  deviceHelp: (d) => (d === "cuda" ? CUDA_HELP : undefined),
  sessionError: explainSessionError,
  defaultThreads: () => os.availableParallelism(),
  hasher() {
    const h = createHash("sha1");
    return { update: (s) => void h.update(s), digest: () => h.digest("hex") };
  },
  weightBytes(f: FileSlice): Uint8Array {
    const bytes = new Uint8Array(f.length);
    const fd = openSync(f.path, "r");
    try {
      readSync(fd, bytes, 0, f.length, f.offset);
    } finally {
      closeSync(fd);
    }
    return bytes;
  },
  externalData: () => new TempFileSink(),
};

export class Runtime extends GraphRuntime {
  constructor(opts: RuntimeOptions = {}) {
    super(nodeBackend, opts);
  }

  /** Builds a session from raw ONNX bytes (also used by benchmarks for a raw single-op baseline). External data
   * locations are resolved from the file system root, so weights can stay in the files they came from. */
  createSession(bytes: Uint8Array, externalData = false): Promise<ort.InferenceSession> {
    return this.sessionFrom(bytes, externalData ? FROM_ROOT : {}) as Promise<ort.InferenceSession>;
  }
}

/** Whether a device runs here: a one-op session starts on it and gives the CPU's result. */
export async function deviceRuns(device: Device): Promise<boolean> {
  if (!availableDevices().includes(device)) return false;
  const g = new Graph();
  g.output("y", mul(g.input("x", "float32", [2]), 3));
  const rt = new Runtime({ device, threads: 1 });
  try {
    const out = await (await rt.compile(g)).run({ x: { data: Float32Array.from([1, 2]), dims: [2] } });
    return out.y.data[1] === 6;
  } catch {
    return false;
  } finally {
    await rt.release();
  }
}

/** `--device auto`: CUDA where its provider starts, then WebGPU where an adapter is found (HOURLLAVA_VK_ICD's
 * software adapter counts: the user named it), else the CPU. */
export async function pickDevice(): Promise<Device> {
  for (const d of ["cuda", "webgpu"] as const) if (await deviceRuns(d)) return d;
  return "cpu";
}

/** Relative to the file system root: how ORT finds external data when models load from bytes. */
function fromRoot(path: string): string {
  return relative("/", resolve(path));
}

/** External data of one session: a temp file created on the first write, removed once ORT has read it. */
class TempFileSink implements SessionExternalData {
  private dir?: string;
  private fd?: number;
  private size = 0;
  used = false;

  get location(): string {
    this.open();
    return fromRoot(join(this.dir!, EXTERNAL_DATA_FILE));
  }

  locate(path: string): string {
    return fromRoot(path);
  }

  sessionOptions() {
    return FROM_ROOT;
  }

  private open(): void {
    if (this.dir) return;
    this.dir = runTempDir("onnx");
    this.fd = openSync(join(this.dir, EXTERNAL_DATA_FILE), "w");
  }

  write(bytes: Uint8Array): number {
    this.open();
    this.used = true;
    const offset = alignExternal(this.size);
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(this.fd!, bytes, done, bytes.byteLength - done, offset + done);
    this.size = offset + bytes.byteLength;
    return offset;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  remove(): void {
    this.close();
    if (this.dir) releaseRunTempDir(this.dir);
  }
}
