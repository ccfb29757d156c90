// Runs graphs on an ONNX Runtime module handed in by the platform (onnxruntime-node, onnxruntime-web), so the
// model code is the same in Node and in a browser: only the backend differs (the `ort` module, where a
// file-backed weight's bytes come from, where external initializers go, how signatures are hashed). Sessions are
// cached by the graph's structural signature, so rebuilding the same model (same ops, shapes and weight buffers)
// reuses the compiled session.
import type { InferenceSession, Tensor as OrtTensor, TensorConstructor } from "onnxruntime-common";
import type { DType, TypedArray } from "./dtype.ts";
import type { FileSlice, Graph, Tensor } from "./graph.ts";
import { RECOMPUTE_ONE } from "./graph.ts";
import { emitModel } from "./onnx-emit.ts";
import type { ExternalSink } from "./onnx-emit.ts";
import { bytesPerElement } from "./dtype.ts";
import { numel } from "./shape.ts";
import { CodedError } from "../util/coded-error.ts";

export type Device = "cpu" | "webgpu" | "cuda";

export interface HostTensor {
  data: TypedArray;
  dims: number[];
}

export interface RuntimeOptions {
  device?: Device;
  /** Intra-op threads; default: the backend's (all cores in Node). */
  threads?: number;
  /** ORT graph optimisation level; "all" fuses LayerNorm/GELU/attention patterns. */
  optimization?: "disabled" | "basic" | "extended" | "all";
  /** Weight bytes above which a model's initializers go to external data (default 1 GiB). */
  externalDataAbove?: number;
  /** ORT's verbose log on stderr, which lists each session's node placements per provider (bench/gpu/placement.ts). */
  verboseLog?: boolean;
}

export interface CompileOptions {
  weightsAsInputs?: boolean;
}

/** What the runtime needs of an ONNX Runtime package (both onnxruntime-node and onnxruntime-web fit). */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession> };
  Tensor: TensorConstructor;
}

/** Streams a graph signature into a digest (sha1 in Node; a pure-JS hash in a browser). */
export interface SignatureHasher {
  update(s: string): void;
  digest(): string;
}

/** Where one session's external initializers go, and the session options that let ORT find them. */
export interface SessionExternalData extends ExternalSink {
  /** True once an initializer was written. */
  readonly used: boolean;
  /** No more writes. */
  close(): void;
  /** Options for a model that has external data (written here, or file-backed weights). */
  sessionOptions(): Partial<InferenceSession.SessionOptions>;
  /** The session is built: drop what ORT has read. */
  remove(): void;
}

/** The platform edge of the runtime. */
export interface RuntimeBackend {
  /** The ORT package, for messages ("onnxruntime-node"). */
  readonly name: string;
  readonly ort: OrtModule;
  /** Devices this ORT build runs. */
  devices(): Device[];
  /** ORT's name of the execution provider for a device (the browser's CPU provider is "wasm"). */
  executionProvider(device: Device): string;
  defaultThreads(): number;
  hasher(): SignatureHasher;
  /** The bytes of a file-backed weight, when a graph feeds it as an input. */
  weightBytes(f: FileSlice): Uint8Array;
  externalData(): SessionExternalData;
  /** Why a device is missing from devices() and how to get it (appended to the error). */
  deviceHelp?(device: Device): string | undefined;
  /** A session error in the user's terms (a GPU without a driver, say); undefined keeps ORT's error. */
  sessionError?(device: Device, e: unknown): Error | undefined;
}

/** Total initializer bytes above which weights go to external data (protobuf's 2 GiB cap). */
export const EXTERNAL_DATA_ABOVE = 1 << 30;

const ORT_TYPE: Record<DType, OrtTensor.Type> = {
  float32: "float32",
  float16: "float16",
  float64: "float64",
  int64: "int64",
  int32: "int32",
  bool: "bool",
  uint8: "uint8",
  int8: "int8",
};

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
export function graphSignature(g: Graph, opts: CompileOptions, h: SignatureHasher): string {
  const local = new Map<number, number>();
  const ref = (t: Tensor | null): string => {
    if (!t) return "_";
    if (t.role === "const" && t.data && t.data.length <= 64) return `c${t.dtype}[${t.shape}](${Array.from(t.data as ArrayLike<number>).join(",")})`;
    if (t.role === "const" || t.role === "param") return `${t.role}${t.name ?? ""}#${weightId(t)}:${t.dtype}[${t.shape}]`;
    if (!local.has(t.id)) local.set(t.id, local.size);
    return `v${local.get(t.id)}:${t.dtype}[${t.shape}]`;
  };
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
  return h.digest();
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

const ARRAY_OF: Record<DType, new (b: ArrayBuffer, offset: number, length: number) => TypedArray> = {
  float32: Float32Array,
  float16: Uint16Array,
  float64: Float64Array,
  int64: BigInt64Array,
  int32: Int32Array,
  bool: Uint8Array,
  uint8: Uint8Array,
  int8: Int8Array,
};

/** A lazy parameter's values in JS: only when it is fed as an input (training from a checkpoint folder). */
function materialize(t: Tensor, backend: RuntimeBackend): TypedArray {
  if (t.load) return t.load();
  const bytes = backend.weightBytes(t.file!);
  return new ARRAY_OF[t.dtype](bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / bytesPerElement(t.dtype));
}

export class CompiledGraph {
  release(): Promise<void> {
    return this.session.release();
  }

  private readonly feeds: Feed[];

  constructor(
    private readonly session: InferenceSession,
    feeds: Tensor[],
    readonly outputNames: string[],
    private readonly backend: RuntimeBackend,
  ) {
    this.feeds = feeds.map((t) => ({
      name: t.name!,
      role: t.role,
      dtype: t.dtype,
      shape: [...t.shape],
      data: t.role === "param" ? (t.data ?? materialize(t, backend)) : undefined,
    }));
  }

  /** Runs with named inputs; parameters fed as inputs take their stored data unless overridden. */
  async run(inputs: Record<string, HostTensor>, params?: Map<string, HostTensor>): Promise<Record<string, HostTensor>> {
    const feeds: Record<string, OrtTensor> = {};
    for (const t of this.feeds) {
      const name = t.name!;
      let v: HostTensor | undefined = t.role === "param" ? (params?.get(name) ?? { data: t.data!, dims: t.shape as number[] }) : inputs[name];
      if (!v && name === RECOMPUTE_ONE) v = { data: ONE, dims: [] };
      if (!v) throw new Error(`missing graph input "${name}" (${t.dtype}[${t.shape.join(", ")}])`);
      checkFeed(t, v);
      feeds[name] = new this.backend.ort.Tensor(ORT_TYPE[t.dtype], v.data as never, v.dims);
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

/** Compiles and runs graphs on one backend; what the model code holds (Node's `Runtime` is one). */
export class GraphRuntime {
  readonly device: Device;
  readonly threads: number;
  private readonly optimization: NonNullable<RuntimeOptions["optimization"]>;
  private readonly externalDataAbove: number;
  private readonly verboseLog: boolean;
  private readonly cache = new Map<string, Promise<CompiledGraph>>();

  constructor(
    readonly backend: RuntimeBackend,
    opts: RuntimeOptions = {},
  ) {
    this.device = opts.device ?? "cpu";
    const avail = backend.devices();
    if (!avail.includes(this.device)) {
      const help = backend.deviceHelp?.(this.device);
      throw new CodedError(
        "device_unavailable",
        `device "${this.device}" is not available in this ${backend.name} build; available: ${avail.join(", ")}${help ? `. ${help}` : ""}`,
      );
    }
    this.threads = opts.threads ?? backend.defaultThreads();
    this.optimization = opts.optimization ?? "all";
    this.externalDataAbove = opts.externalDataAbove ?? EXTERNAL_DATA_ABOVE;
    this.verboseLog = opts.verboseLog ?? false;
  }

  compile(g: Graph, opts: CompileOptions = {}): Promise<CompiledGraph> {
    const key = graphSignature(g, opts, this.backend.hasher());
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

  /** A session from raw ONNX bytes with this runtime's provider, threads and optimisation level. */
  protected async sessionFrom(bytes: Uint8Array, extra: Partial<InferenceSession.SessionOptions> = {}): Promise<InferenceSession> {
    try {
      return await this.backend.ort.InferenceSession.create(bytes, {
        executionProviders: [this.backend.executionProvider(this.device)],
        intraOpNumThreads: this.threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: this.optimization,
        ...(this.verboseLog ? { logSeverityLevel: 0, logVerbosityLevel: 0 } : {}),
        ...extra,
      });
    } catch (e) {
      throw this.backend.sessionError?.(this.device, e) ?? e;
    }
  }

  private async create(g: Graph, opts: CompileOptions): Promise<CompiledGraph> {
    // Weights JS holds (or makes at emission) go inline while small; above the limit they go to the backend's
    // external data (a temp file in Node). File-backed weights are always referenced where they lie.
    const inJs = opts.weightsAsInputs ? 0 : g.params.reduce((s, p) => s + (p.file ? 0 : (numel(p.shape) ?? 0) * bytesPerElement(p.dtype)), 0);
    const sink = this.backend.externalData();
    try {
      const m = emitModel(g, { ...opts, sink, externalDataThreshold: inJs > this.externalDataAbove ? 1024 : undefined });
      sink.close();
      const external = sink.used || g.params.some((p) => p.file !== undefined);
      const session = await this.sessionFrom(m.bytes, external ? sink.sessionOptions() : {});
      return new CompiledGraph(session, m.feeds, m.outputNames, this.backend);
    } finally {
      sink.remove(); // ORT has read (or mapped) what it needs
    }
  }

  /** Compile and run once. */
  async run(g: Graph, inputs: Record<string, HostTensor> = {}, opts: CompileOptions = {}): Promise<Record<string, HostTensor>> {
    return (await this.compile(g, opts)).run(inputs);
  }
}
