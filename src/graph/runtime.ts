// Runs graphs on ONNX Runtime. Sessions are cached by the graph's structural signature, so rebuilding the same
// model (same ops, shapes and weight buffers) reuses the compiled session.
import { createHash } from "node:crypto";
import os from "node:os";
import * as ort from "onnxruntime-node";
import type { DType, TypedArray } from "./dtype.ts";
import type { Graph, Tensor } from "./graph.ts";
import { RECOMPUTE_ONE } from "./graph.ts";
import { openSync, closeSync, readSync, writeSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { EXTERNAL_DATA_FILE, alignExternal, emitModel } from "./onnx-emit.ts";
import type { ExternalSink } from "./onnx-emit.ts";
import { bytesPerElement } from "./dtype.ts";
import { numel } from "./shape.ts";
import { releaseRunTempDir, runTempDir } from "../util/run-temp.ts";

// ORT's bundled telemetry SDK leaves an empty /tmp/mat-debug-<pid>.log per process (and may upload): off unless set.
process.env.ORT_DISABLE_TELEMETRY ??= "1";

export type Device = "cpu" | "webgpu" | "cuda";

export interface HostTensor {
  data: TypedArray;
  dims: number[];
}

export interface RuntimeOptions {
  device?: Device;
  /** Intra-op threads; default: all cores. */
  threads?: number;
  /** ORT graph optimisation level; "all" fuses LayerNorm/GELU/attention patterns. */
  optimization?: "disabled" | "basic" | "extended" | "all";
  /** Weight bytes above which a model's initializers go to an external data file (default 1 GiB). */
  externalDataAbove?: number;
}

export interface CompileOptions {
  weightsAsInputs?: boolean;
}

/** Total initializer bytes above which weights go to an external data file (protobuf's 2 GiB cap). */
export const EXTERNAL_DATA_ABOVE = 1 << 30;

const ORT_TYPE: Record<DType, ort.Tensor.Type> = {
  float32: "float32",
  float16: "float16",
  float64: "float64",
  int64: "int64",
  int32: "int32",
  bool: "bool",
  uint8: "uint8",
  int8: "int8",
};

export function availableDevices(): Device[] {
  const names = ort
    .listSupportedBackends()
    .filter((b) => b.bundled || b.name === "cpu")
    .map((b) => b.name);
  return (["cpu", "webgpu", "cuda"] as Device[]).filter((d) => names.includes(d));
}

const bufferIds = new WeakMap<object, number>();
let nextBufferId = 1;
function objectId(a: object): number {
  let id = bufferIds.get(a);
  if (!id) bufferIds.set(a, (id = nextBufferId++));
  return id;
}

/** Identity of a weight's bytes: the JS buffer, the loader, or the file slice. */
function weightId(t: Tensor): string {
  if (t.file) return `${t.file.path}@${t.file.offset}+${t.file.length}`;
  return String(objectId((t.data ?? t.load)!));
}

/** A structural signature: ops, attributes, shapes, wiring and the identity of weight buffers. */
export function graphSignature(g: Graph, opts: CompileOptions): string {
  const local = new Map<number, number>();
  const ref = (t: Tensor | null): string => {
    if (!t) return "_";
    if (t.role === "const" && t.data && t.data.length <= 64) return `c${t.dtype}[${t.shape}](${Array.from(t.data as ArrayLike<number>).join(",")})`;
    if (t.role === "const" || t.role === "param") return `${t.role}${t.name ?? ""}#${weightId(t)}:${t.dtype}[${t.shape}]`;
    if (!local.has(t.id)) local.set(t.id, local.size);
    return `v${local.get(t.id)}:${t.dtype}[${t.shape}]`;
  };
  const h = createHash("sha1");
  const walk = (gr: Graph) => {
    h.update(`in:${gr.inputs.map((t) => `${t.name}:${ref(t)}`).join(",")};`);
    for (const n of gr.nodes) {
      h.update(`${n.op}(${n.inputs.map(ref).join(",")})->${n.outputs.map(ref).join(",")}`);
      for (const [k, a] of Object.entries(n.attrs)) {
        if (a.kind === "graph") walk(a.value);
        else h.update(`${k}=${JSON.stringify(a.value)}`);
      }
    }
    h.update(`out:${gr.outputs.map((o) => `${o.name}=${ref(o.tensor)}`).join(",")};`);
  };
  walk(g);
  h.update(JSON.stringify(opts));
  return h.digest("hex");
}

const ONE = Float32Array.from([1]);

/** What a compiled graph keeps of an input: never the graph itself (its weights would stay reachable). */
interface Feed {
  name: string;
  role: Tensor["role"];
  dtype: DType;
  shape: Tensor["shape"];
  /** A parameter fed as an input defaults to its own data. */
  data?: TypedArray;
}

function feedOf(t: Tensor): Feed {
  return { name: t.name!, role: t.role, dtype: t.dtype, shape: [...t.shape], data: t.role === "param" ? (t.data ?? materialize(t)) : undefined };
}

/** A lazy parameter's values in JS: only when it is fed as an input (training from a checkpoint folder). */
function materialize(t: Tensor): TypedArray {
  if (t.load) return t.load();
  const f = t.file!;
  const bytes = new Uint8Array(f.length);
  const fd = openSync(f.path, "r");
  try {
    readSync(fd, bytes, 0, f.length, f.offset);
  } finally {
    closeSync(fd);
  }
  const Ctor = {
    float32: Float32Array,
    float16: Uint16Array,
    float64: Float64Array,
    int64: BigInt64Array,
    int32: Int32Array,
    bool: Uint8Array,
    uint8: Uint8Array,
    int8: Int8Array,
  }[t.dtype];
  return new Ctor(bytes.buffer);
}

export class CompiledGraph {
  release(): Promise<void> {
    return this.session.release();
  }

  private readonly feeds: Feed[];

  constructor(
    private readonly session: ort.InferenceSession,
    feeds: Tensor[],
    readonly outputNames: string[],
  ) {
    this.feeds = feeds.map(feedOf);
  }

  /** Runs with named inputs; parameters fed as inputs take their stored data unless overridden. */
  async run(inputs: Record<string, HostTensor>, params?: Map<string, HostTensor>): Promise<Record<string, HostTensor>> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const t of this.feeds) {
      const name = t.name!;
      let v: HostTensor | undefined = t.role === "param" ? (params?.get(name) ?? { data: t.data!, dims: t.shape as number[] }) : inputs[name];
      if (!v && name === RECOMPUTE_ONE) v = { data: ONE, dims: [] };
      if (!v) throw new Error(`missing graph input "${name}" (${t.dtype}[${t.shape.join(", ")}])`);
      checkFeed(t, v);
      feeds[name] = new ort.Tensor(ORT_TYPE[t.dtype], v.data as never, v.dims);
    }
    for (const k of Object.keys(inputs)) {
      if (k === RECOMPUTE_ONE) continue;
      if (!this.feeds.some((t) => t.name === k))
        throw new Error(
          `unknown graph input "${k}"; inputs are ${this.feeds
            .filter((t) => t.role === "input")
            .map((t) => t.name)
            .join(", ")}`,
        );
    }
    const res = await this.session.run(feeds);
    const out: Record<string, HostTensor> = {};
    for (const name of this.outputNames) {
      const t = res[name];
      out[name] = { data: t.data as TypedArray, dims: [...t.dims] };
    }
    for (const t of Object.values(feeds)) t.dispose?.();
    return out;
  }
}

function checkFeed(t: Feed, v: HostTensor): void {
  if (v.dims.length !== t.shape.length) {
    throw new Error(`input "${t.name}": expected rank ${t.shape.length} [${t.shape.join(", ")}], got [${v.dims.join(", ")}]`);
  }
  t.shape.forEach((d, i) => {
    if (typeof d === "number" && d !== v.dims[i]) throw new Error(`input "${t.name}": expected [${t.shape.join(", ")}], got [${v.dims.join(", ")}]`);
  });
  const n = v.dims.reduce((a, b) => a * b, 1);
  if (v.data.length !== n) throw new Error(`input "${t.name}": ${v.data.length} values for dims [${v.dims.join(", ")}]`);
}

export class Runtime {
  readonly device: Device;
  readonly threads: number;
  private readonly optimization: NonNullable<RuntimeOptions["optimization"]>;
  private readonly externalDataAbove: number;
  private readonly cache = new Map<string, Promise<CompiledGraph>>();

  constructor(opts: RuntimeOptions = {}) {
    this.device = opts.device ?? "cpu";
    const avail = availableDevices();
    if (!avail.includes(this.device)) {
      throw new Error(`device "${this.device}" is not available in this onnxruntime-node build; available: ${avail.join(", ")}`);
    }
    this.threads = opts.threads ?? os.availableParallelism();
    this.optimization = opts.optimization ?? "all";
    this.externalDataAbove = opts.externalDataAbove ?? EXTERNAL_DATA_ABOVE;
  }

  compile(g: Graph, opts: CompileOptions = {}): Promise<CompiledGraph> {
    const key = graphSignature(g, opts);
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.create(g, opts);
      this.cache.set(key, hit);
      hit.catch(() => this.cache.delete(key));
    }
    return hit;
  }

  get cachedSessions(): number {
    return this.cache.size;
  }

  /** Frees one compiled graph's session (its weights and working memory); a later compile builds it again. */
  async evict(c: Promise<CompiledGraph>): Promise<void> {
    for (const [k, v] of this.cache) if (v === c) this.cache.delete(k);
    await (await c.catch(() => undefined))?.release();
  }

  /** Frees every cached session (their weights and thread pools). */
  async release(): Promise<void> {
    const all = [...this.cache.values()];
    this.cache.clear();
    for (const p of all) await (await p.catch(() => undefined))?.release();
  }

  /** Builds a session from raw ONNX bytes (also used by benchmarks for a raw single-op baseline). External data
   * locations are resolved from the file system root, so weights can stay in the files they came from. */
  createSession(bytes: Uint8Array, externalData = false): Promise<ort.InferenceSession> {
    return ort.InferenceSession.create(bytes, {
      executionProviders: [this.device],
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: this.optimization,
      ...(externalData ? { extra: { session: { model_external_initializers_file_folder_path: "/" } } } : {}),
    });
  }

  private async create(g: Graph, opts: CompileOptions): Promise<CompiledGraph> {
    // Weights JS holds (or makes at emission) go inline while small; above the limit they stream to a temp file
    // that ORT reads once. File-backed weights are always referenced where they lie.
    const inJs = opts.weightsAsInputs ? 0 : g.params.reduce((s, p) => s + (p.file ? 0 : numelOf(p) * bytesPerElement(p.dtype)), 0);
    const sink = new TempFileSink();
    try {
      const m = emitModel(g, { ...opts, sink, externalDataThreshold: inJs > this.externalDataAbove ? 1024 : undefined });
      sink.close();
      const external = sink.used || g.params.some((p) => p.file !== undefined);
      const session = await this.createSession(m.bytes, external);
      return new CompiledGraph(session, m.feeds, m.outputNames);
    } finally {
      sink.remove(); // ORT has read (or mapped) what it needs
    }
  }

  /** Compile and run once. */
  async run(g: Graph, inputs: Record<string, HostTensor> = {}, opts: CompileOptions = {}): Promise<Record<string, HostTensor>> {
    return (await this.compile(g, opts)).run(inputs);
  }
}

function numelOf(t: Tensor): number {
  return numel(t.shape) ?? 0;
}

/** Relative to the file system root: how ORT finds external data when models load from bytes. */
function fromRoot(path: string): string {
  return relative("/", resolve(path));
}

/** External data of one session: a temp file created on the first write, removed once ORT has read it. */
class TempFileSink implements ExternalSink {
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
