// Runs graphs on ONNX Runtime. Sessions are cached by the graph's structural signature, so rebuilding the same
// model (same ops, shapes and weight buffers) reuses the compiled session.
import { createHash } from "node:crypto";
import os from "node:os";
import * as ort from "onnxruntime-node";
import type { DType, TypedArray } from "./dtype.ts";
import type { Graph, Tensor } from "./graph.ts";
import { RECOMPUTE_ONE } from "./graph.ts";
import { openSync, closeSync, writeSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXTERNAL_DATA_FILE, emitModel } from "./onnx-emit.ts";
import type { EmittedModel } from "./onnx-emit.ts";
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
function bufferId(a: TypedArray): number {
  let id = bufferIds.get(a);
  if (!id) bufferIds.set(a, (id = nextBufferId++));
  return id;
}

/** A structural signature: ops, attributes, shapes, wiring and the identity of weight buffers. */
export function graphSignature(g: Graph, opts: CompileOptions): string {
  const local = new Map<number, number>();
  const ref = (t: Tensor | null): string => {
    if (!t) return "_";
    if (t.role === "const" && t.data && t.data.length <= 64) return `c${t.dtype}[${t.shape}](${Array.from(t.data as ArrayLike<number>).join(",")})`;
    if (t.role === "const" || t.role === "param") return `${t.role}${t.name ?? ""}#${bufferId(t.data!)}[${t.shape}]`;
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

export class CompiledGraph {
  release(): Promise<void> {
    return this.session.release();
  }

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly feeds: Tensor[],
    readonly outputNames: string[],
  ) {}

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

function checkFeed(t: Tensor, v: HostTensor): void {
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

  /** Frees every cached session (their weights and thread pools). */
  async release(): Promise<void> {
    const all = [...this.cache.values()];
    this.cache.clear();
    for (const p of all) await (await p.catch(() => undefined))?.release();
  }

  /** Builds a session from raw ONNX bytes (also used by benchmarks for a raw single-op baseline). */
  createSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
    return ort.InferenceSession.create(bytes, {
      executionProviders: [this.device],
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: this.optimization,
    });
  }

  private async create(g: Graph, opts: CompileOptions): Promise<CompiledGraph> {
    const weightBytes = opts.weightsAsInputs ? 0 : g.params.reduce((s, p) => s + p.data!.byteLength, 0);
    const big = weightBytes > this.externalDataAbove;
    const m = emitModel(g, { ...opts, externalDataThreshold: big ? 1024 : undefined });
    const session = big ? await this.createExternal(m) : await this.createSession(m.bytes);
    return new CompiledGraph(session, m.feeds, m.outputNames);
  }

  /** Large models: model.onnx + weights.bin in a temp folder (ORT resolves external data beside the model). */
  private async createExternal(m: EmittedModel): Promise<ort.InferenceSession> {
    const dir = runTempDir("onnx"); // removed on exit and SIGINT/SIGTERM too
    try {
      writeFileSync(join(dir, "model.onnx"), m.bytes);
      const fd = openSync(join(dir, EXTERNAL_DATA_FILE), "w");
      try {
        for (const c of m.external) writeSync(fd, c.data, 0, c.data.byteLength, c.offset);
      } finally {
        closeSync(fd);
      }
      return await ort.InferenceSession.create(join(dir, "model.onnx"), {
        executionProviders: [this.device],
        intraOpNumThreads: this.threads,
        interOpNumThreads: 1,
        graphOptimizationLevel: this.optimization,
      });
    } finally {
      releaseRunTempDir(dir); // ORT has read (or mapped) what it needs
    }
  }

  /** Compile and run once. */
  async run(g: Graph, inputs: Record<string, HostTensor> = {}, opts: CompileOptions = {}): Promise<Record<string, HostTensor>> {
    return (await this.compile(g, opts)).run(inputs);
  }
}
