// The Hour-LLaVA assembly on the engine: frames → SigLIP → 8×8 pooling → projector (per-frame video tokens);
// tokens + image_newline → memory repository; forgetting → MemAug queries → augmented video tokens spliced at
// <image> → Qwen2 with a KV cache. Each stage is its own compiled graph, so the memory can be cached on disk
// between questions and only the question-dependent stages run per question.
import { Graph } from "../../graph/graph.ts";
import type { Tensor } from "../../graph/graph.ts";
import type { TypedArray } from "../../graph/dtype.ts";
import type { Dim } from "../../graph/shape.ts";
import { cast } from "../../graph/ops/elementwise.ts";
import type { CompiledGraph, GraphRuntime, HostTensor } from "../../graph/runtime-core.ts";
import type { HourLlavaConfig } from "../../io/config.ts";
import { spatialIndices, videoQueries } from "./forgetting.ts";
import { assembleMemory, memoryKeyRope } from "./memory.ts";
import { buildImageMemory, imageQueries } from "./image-memory.ts";
import type { ImageTokens } from "./image-memory.ts";
import { parseImageAspect } from "../../image/aspect.ts";
import { parsePinpoints } from "../../image/pinpoints.ts";
import { imageTiles } from "../../image/tiles.ts";
import type { ImageTiles, RgbImage } from "../../image/tiles.ts";
import type { Memory } from "./memory.ts";
import type { SpatialSampling } from "./forgetting.ts";
import { memAug, memAugDims, memAugWeightSpec } from "./memaug.ts";
import { poolFrames, projector, projectorWeightSpec, TOKENS_PER_FRAME } from "./projector.ts";
import { EMBED_WEIGHT, qwen2, qwen2WeightSpec } from "./qwen2.ts";
import { ropeTables } from "./rope.ts";
import { Sampler } from "./sampling.ts";
import type { SamplingOptions } from "./sampling.ts";
import { visionTower, visionWeightSpec } from "./siglip.ts";
import type { WeightSpec } from "../types.ts";
import { gatherRows, llmLayout, planQuery } from "./token-flow.ts";
import type { QueryPlan } from "./token-flow.ts";
import type { WeightStore } from "./weights.ts";
import { EmbeddingTable } from "./embedding-table.ts";
import { seededRandom } from "./sampling.ts";

export const NEWLINE_WEIGHT = "model.image_newline";

/** Bytes of attention scores per key chunk at inference (MemAug and the decoder): an hour's prompt would
 * otherwise materialise GBs of scores per layer (3B: 16 heads × 8.8k² × 4 B = 4.9 GB). */
export const SCORE_BYTES = 128 * 2 ** 20;

/** Every weight the model reads with its shape, in the official checkpoint's naming and order. */
export function weightSpec(c: HourLlavaConfig): WeightSpec {
  return [
    ...visionWeightSpec(c.vision),
    ...projectorWeightSpec(c.vision.hidden_size, c.hidden_size),
    [NEWLINE_WEIGHT, [c.hidden_size]],
    ...memAugWeightSpec(c),
    ...qwen2WeightSpec(c),
  ];
}

export function expectedWeightNames(c: HourLlavaConfig): string[] {
  return weightSpec(c).map(([n]) => n);
}

export type { Memory } from "./memory.ts";

export interface StageOutputs {
  features?: Float32Array;
  pooled?: Float32Array;
  tokens: Float32Array;
}

export interface GenerateOptions extends SamplingOptions {
  maxNewTokens?: number;
  stopTokens?: number[];
}

function host(data: TypedArray, dims: number[]): HostTensor {
  return { data, dims };
}

/** Graph outputs the host reads are f32 whatever the compute dtype. */
function asF32(t: Tensor): Tensor {
  return cast(t, "float32");
}

export class HourLlava {
  readonly hidden: number;
  /** Vision graphs by kind: frames (pooled to 8×8) or image tiles (every patch token), with or without the
   * intermediate stages (features export, parity tests); each compiled once. */
  private readonly visionGraphs = new Map<string, Promise<CompiledGraph>>();
  private memAugGraph?: Promise<CompiledGraph>;
  private readonly llmGraphs = new Map<boolean, Promise<CompiledGraph>>();
  private embedTable?: EmbeddingTable;
  /** Frames per vision-tower run (see encodeFrames). */
  visionFramesPerRun = 4;
  private newline?: Float32Array;

  constructor(
    readonly config: HourLlavaConfig,
    readonly weights: WeightStore,
    readonly runtime: GraphRuntime,
    /** Spatial forgetting at inference: "uniform" (reproducible, our default) or the config's own. */
    readonly spatial: SpatialSampling = "uniform",
  ) {
    this.hidden = config.hidden_size;
  }

  /** A graph input fed from the host in f32, in the compute dtype inside the graph. */
  private input(g: Graph, name: string, shape: Dim[]): Tensor {
    return cast(g.input(name, "float32", shape), this.weights.computeDtype);
  }

  // ---- vision: frames → per-frame video tokens ----

  private compileVision(stages: boolean, pool: boolean): Promise<CompiledGraph> {
    const v = this.config.vision;
    const g = new Graph();
    const pixels = this.input(g, "pixels", ["T", v.num_channels, v.image_size, v.image_size]);
    const features = visionTower(g, this.weights, v, pixels);
    const pooled = pool ? poolFrames(features, v.grid_size) : features;
    g.output("tokens", asF32(projector(g, this.weights, pooled)));
    if (stages) {
      g.output("features", asF32(features));
      if (pool) g.output("pooled", asF32(pooled));
    }
    return this.runtime.compile(g);
  }

  private vision(stages: boolean, pool: boolean): Promise<CompiledGraph> {
    const key = `${stages}/${pool}`;
    let hit = this.visionGraphs.get(key);
    if (!hit) this.visionGraphs.set(key, (hit = this.compileVision(stages, pool)));
    return hit;
  }

  /** pixels: T preprocessed frames [T, 3, S, S] → tokens [T, 64, H] (and the intermediate stages when asked). */
  encodeFrames(pixels: Float32Array, T: number, stages = false): Promise<StageOutputs> {
    return this.encode(pixels, T, stages, true);
  }

  /** Image tiles [N, 3, S, S] → projected tokens [N, grid², H]: images keep every patch token (no 8×8 pooling). */
  encodeTiles(pixels: Float32Array, N: number, stages = false): Promise<StageOutputs> {
    return this.encode(pixels, N, stages, false);
  }

  private async encode(pixels: Float32Array, T: number, stages: boolean, pool: boolean): Promise<StageOutputs> {
    const v = this.config.vision;
    const per = v.num_channels * v.image_size * v.image_size;
    if (pixels.length !== T * per) throw new Error(`encode: ${pixels.length} values for ${T} images of ${v.num_channels}×${v.image_size}×${v.image_size}`);
    const graph = this.vision(stages, pool);
    if (!stages && T > this.visionFramesPerRun) {
      // Frames are independent: running a few at a time bounds ORT's working set (so400m's attention scores alone
      // take 34 MB a frame) at no cost in speed, since 729 rows a frame already fill the GEMMs.
      const rows = (pool ? TOKENS_PER_FRAME : v.grid_size * v.grid_size) * this.hidden;
      const tokens = new Float32Array(T * rows);
      for (let f = 0; f < T; f += this.visionFramesPerRun) {
        const n = Math.min(this.visionFramesPerRun, T - f);
        const part = await (await graph).run({ pixels: host(pixels.subarray(f * per, (f + n) * per), [n, v.num_channels, v.image_size, v.image_size]) });
        tokens.set(part.tokens.data as Float32Array, f * rows);
      }
      return { tokens };
    }
    const out = await (await graph).run({ pixels: host(pixels, [T, v.num_channels, v.image_size, v.image_size]) });
    return {
      tokens: out.tokens.data as Float32Array,
      features: out.features?.data as Float32Array | undefined,
      pooled: out.pooled?.data as Float32Array | undefined,
    };
  }

  /** Frees the vision tower's session (weights and working memory) once the videos are encoded; the next
   * encode compiles it again. */
  async releaseVision(): Promise<void> {
    for (const g of this.visionGraphs.values()) await this.runtime.evict(g);
    this.visionGraphs.clear();
  }

  // ---- memory repository ----

  /** Per-frame tokens [T, 64, H] (T encoded frames) → the memory (frames repeated up to 128 when shorter). */
  buildMemory(tokens: Float32Array, T: number): Memory {
    return assembleMemory(tokens, T, this.hidden, (this.newline ??= this.weights.data(NEWLINE_WEIGHT)));
  }

  /** An image's tiles as this model reads them (image_aspect_ratio, image_grid_pinpoints, the tower's size). */
  imageTiles(img: RgbImage): ImageTiles {
    const S = this.config.vision.image_size;
    return imageTiles(img, parseImageAspect(this.config.image_aspect_ratio), parsePinpoints(this.config.image_grid_pinpoints, S), S);
  }

  /** Projected tile tokens of one image → its memory (layout and downscale from image_aspect_ratio). */
  buildImageMemory(img: ImageTokens): Memory {
    const aspect = parseImageAspect(this.config.image_aspect_ratio);
    const maxTiles = aspect.kind === "anyres" ? aspect.maxTiles : undefined;
    return buildImageMemory(img, this.config.vision.grid_size, this.hidden, (this.newline ??= this.weights.data(NEWLINE_WEIGHT)), maxTiles);
  }

  /** The query plan for a prompt (ids with one <image>); spatial forgetting as asked, else this model's; random is seeded. */
  plan(memory: Memory, ids: number[], labels?: number[], forget: { spatial?: SpatialSampling; seed?: number } = {}): QueryPlan {
    const spatial = forget.spatial ?? this.spatial;
    const rand = spatial === "random" ? seededRandom(forget.seed ?? 0) : undefined;
    if (memory.image) return planQuery(ids, labels, imageQueries(memory.image, spatial, rand));
    const picks = spatial === "uniform" ? spatialIndices("uniform") : undefined;
    return planQuery(
      ids,
      labels,
      videoQueries(memory.frames, (_t) => picks ?? spatialIndices("random", rand)),
    );
  }

  // ---- MemAug ----

  private compileMemAug(): Promise<CompiledGraph> {
    const g = new Graph();
    const H = this.hidden;
    const half = memAugDims(this.config).rotaryDim / 2;
    const table = (n: string, L: string): Tensor => this.input(g, n, [L, half]);
    const out = memAug(
      g,
      this.weights,
      this.config,
      {
        x: this.input(g, "x", ["Lq", H]),
        memory: this.input(g, "memory", ["Lk", H]),
        qRope: { cos: table("q_cos", "Lq"), sin: table("q_sin", "Lq") },
        kRope: { cos: table("k_cos", "Lk"), sin: table("k_sin", "Lk") },
      },
      { scoreBytes: SCORE_BYTES },
    );
    g.output("out", asF32(out));
    return this.runtime.compile(g);
  }

  /** The host embedding table, in its stored precision (read on first use). */
  get embeddings(): EmbeddingTable {
    return (this.embedTable ??= EmbeddingTable.load(this.weights, EMBED_WEIGHT, this.hidden));
  }

  embedRows(ids: number[], out: Float32Array, outRow: number): void {
    this.embeddings.gather(ids, out, outRow);
  }

  /** The MemAug input: prefix text embeddings, decayed video tokens, suffix text embeddings. */
  queryInput(memory: Memory, plan: QueryPlan): Float32Array {
    const H = this.hidden;
    const x = new Float32Array(plan.qPos.length * H);
    this.embedRows(plan.prefixIds, x, 0);
    gatherRows(memory.rows, H, plan.videoRows, x, plan.videoStart);
    this.embedRows(plan.suffixIds, x, plan.videoEnd);
    return x;
  }

  /** Runs MemAug; returns all query outputs [Lq, H] (the video ones are rows videoStart..videoEnd). */
  async memAug(memory: Memory, plan: QueryPlan): Promise<Float32Array> {
    const H = this.hidden;
    const { rotaryDim } = memAugDims(this.config);
    const theta = this.config.rope_theta;
    memory.keyRope ??= memoryKeyRope(memory, rotaryDim, theta);
    const q = ropeTables(plan.qPos, rotaryDim, theta);
    const Lq = plan.qPos.length;
    const Lk = memory.rows.length / H;
    const half = rotaryDim / 2;
    const out = await (
      await (this.memAugGraph ??= this.compileMemAug())
    ).run({
      x: host(this.queryInput(memory, plan), [Lq, H]),
      memory: host(memory.rows, [Lk, H]),
      q_cos: host(q.cos, [Lq, half]),
      q_sin: host(q.sin, [Lq, half]),
      k_cos: host(memory.keyRope.cos, [Lk, half]),
      k_sin: host(memory.keyRope.sin, [Lk, half]),
    });
    return out.out.data as Float32Array;
  }

  /** LLM input embeddings [L, H]: text embeddings with the augmented video tokens in place of <image>. */
  llmInput(plan: QueryPlan, memAugOut: Float32Array): Float32Array {
    const H = this.hidden;
    const at = llmLayout(plan);
    const e = new Float32Array(at.length * H);
    this.embedRows(plan.llmPrefixIds, e, 0);
    e.set(memAugOut.subarray(plan.videoStart * H, plan.videoEnd * H), at.prefix * H);
    this.embedRows(plan.llmSuffixIds, e, at.prefix + at.video);
    return e;
  }

  // ---- LLM ----

  private compileLlm(lastOnly: boolean): Promise<CompiledGraph> {
    const c = this.config;
    const g = new Graph();
    const d = c.hidden_size / c.num_attention_heads;
    // The KV cache stays in the compute dtype between steps (half the memory in f16, no casts per step).
    const cache = (n: string) => g.input(n, this.weights.computeDtype, [1, c.num_key_value_heads, "P", d]);
    const out = qwen2(
      g,
      this.weights,
      c,
      {
        embeds: this.input(g, "embeds", ["L", c.hidden_size]),
        rope: { cos: this.input(g, "cos", ["L", d / 2]), sin: this.input(g, "sin", ["L", d / 2]) },
        pastK: Array.from({ length: c.num_hidden_layers }, (_, i) => cache(`past_k${i}`)),
        pastV: Array.from({ length: c.num_hidden_layers }, (_, i) => cache(`past_v${i}`)),
        scoreBytes: SCORE_BYTES,
      },
      lastOnly,
    );
    g.output("logits", asF32(out.logits));
    out.presentK.forEach((t, i) => g.output(`present_k${i}`, t));
    out.presentV.forEach((t, i) => g.output(`present_v${i}`, t));
    return this.runtime.compile(g);
  }

  private llm(lastOnly: boolean): Promise<CompiledGraph> {
    let hit = this.llmGraphs.get(lastOnly);
    if (!hit) this.llmGraphs.set(lastOnly, (hit = this.compileLlm(lastOnly)));
    return hit;
  }

  /** Compiles the question-time graphs (MemAug, and the decoder as answers use it) ahead of the first question:
   * ORT's weight prepacking makes a session take seconds per billion parameters (measured in bench/scale). */
  async warmUp(): Promise<void> {
    await Promise.all([(this.memAugGraph ??= this.compileMemAug()), this.llm(true)]);
  }

  /** One decoder pass over new embeddings at positions past…past+L−1. */
  async decode(embeds: Float32Array, past: HostTensor[] | undefined, lastOnly: boolean) {
    const c = this.config;
    const d = c.hidden_size / c.num_attention_heads;
    const L = embeds.length / c.hidden_size;
    const P = past ? past[0].dims[2] : 0;
    const rope = ropeTables(
      Array.from({ length: L }, (_, i) => P + i),
      d,
      c.rope_theta,
    );
    const feeds: Record<string, HostTensor> = {
      embeds: host(embeds, [L, c.hidden_size]),
      cos: host(rope.cos, [L, d / 2]),
      sin: host(rope.sin, [L, d / 2]),
    };
    const empty = this.weights.computeDtype === "float16" ? new Uint16Array(0) : new Float32Array(0);
    for (let i = 0; i < c.num_hidden_layers; i++) {
      feeds[`past_k${i}`] = past ? past[2 * i] : host(empty, [1, c.num_key_value_heads, 0, d]);
      feeds[`past_v${i}`] = past ? past[2 * i + 1] : host(empty, [1, c.num_key_value_heads, 0, d]);
    }
    const out = await (await this.llm(lastOnly)).run(feeds);
    const present: HostTensor[] = [];
    for (let i = 0; i < c.num_hidden_layers; i++) present.push(out[`present_k${i}`], out[`present_v${i}`]);
    return { logits: out.logits.data as Float32Array, present };
  }

  /** Logits for every position of the input [L, vocab]. */
  async logits(embeds: Float32Array): Promise<Float32Array> {
    return (await this.decode(embeds, undefined, false)).logits;
  }

  /** Streams generated token ids (prefill, then one token per step with the KV cache). */
  async *generate(embeds: Float32Array, opts: GenerateOptions = {}): AsyncGenerator<number> {
    const maxNew = opts.maxNewTokens ?? 256;
    const stops = new Set(opts.stopTokens ?? []);
    const sampler = new Sampler(opts);
    const V = this.config.vocab_size;
    let { logits, present } = await this.decode(embeds, undefined, true);
    const row = new Float32Array(this.hidden);
    for (let step = 0; step < maxNew; step++) {
      const tok = sampler.next(logits, 0, V);
      yield tok;
      if (stops.has(tok) || step === maxNew - 1) return;
      this.embedRows([tok], row, 0);
      ({ logits, present } = await this.decode(row, present, true));
    }
  }
}
