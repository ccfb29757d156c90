// The library API: load a model folder once, `remember(video)` builds (or reuses) the video's memory repository,
// `ask(memory, question)` streams the answer as text; a Chat keeps the history of a multi-turn conversation.
import { Runtime, pickDevice } from "../graph/runtime.ts";
import type { Device } from "../graph/runtime.ts";
import type { ChatTurnInput } from "../io/chat-template.ts";
import { endTokenIds, readGenerationConfig } from "../io/generation-config.ts";
import type { GenerationDefaults } from "../io/generation-config.ts";
import { loadTokenizer } from "../io/tokenizer.ts";
import type { TextTokenizer } from "../io/tokenizer.ts";
import type { HourLlava } from "../model/arch/hourllava.ts";
import { TOKENS_PER_FRAME } from "../model/arch/projector.ts";
import { loadHourLlava } from "../model/load/load.ts";
import type { QuantScheme } from "../model/load/quant-plan.ts";
import { answerSettings, streamAnswer } from "../model/generate/answer.ts";
import type { Answer, AnswerRequestOptions } from "../model/generate/answer.ts";
import { MemoryCache, defaultCacheDir, memoryKey } from "../cache/cache.ts";
import type { CacheDtype, MemoryMeta } from "../cache/cache.ts";
import { contentHash, memoByFile } from "../cache/file-hash.ts";
import { cacheSampling } from "../cache/key-text.ts";
import { probeVideo, type ProbeTimings, type VideoInfo } from "../video/probe.ts";
import { join } from "node:path";
import type { ComputeDType } from "../graph/dtype.ts";
import { existsSync, statSync } from "node:fs";
import { describeOwner, type LockOwner } from "../cache/lock.ts";
import { createProgress, progressCallback } from "../util/progress.ts";
import { FrameBatches } from "../video/frame-batches.ts";
import { planFrames } from "../video/video-frames.ts";
import type { FramePlan } from "../video/video-frames.ts";
import type { SamplingStrategy } from "../video/video-frames.ts";
import type { RateOptions } from "../video/sampling.ts";
import { assertFinite } from "../model/generate/assert-finite.ts";
import { modelId } from "./model-id.ts";
import { checkTokenizerFits, encodeAllFrames, encodeFrameBatch, requireQuestion, type ImageMemory, type VideoMemory } from "./core.ts";
import { checkWeightsFinite } from "./weights-check.ts";
import { resolveModel } from "./resolve-model.ts";
import { quantizedCopy } from "./quantized-copy.ts";
import { loadImage } from "../image/load-image.ts";
import { LiveMemory, type LiveOptions } from "./live.ts";
import { liveEntryDir } from "../cache/live-store.ts";
import { isStreamUrl, liveUrlRefusal, parseLiveSource, type LiveSource } from "../video/live-source.ts";

export interface AppOptions {
  /** The execution provider; "auto" picks CUDA, then WebGPU, then the CPU (`app.device` says which). */
  device?: Device | "auto";
  threads?: number;
  cacheDir?: string;
  noCache?: boolean;
  quiet?: boolean;
  /** Frames per vision-encoder batch (and per persisted cache part). */
  batch?: number;
  /** Quantize a float model while loading (its video tokens differ, so the cache keys differ too). */
  quant?: QuantScheme;
  /** The float type the graphs compute in: f16 for GPU providers (f32 default; its video tokens differ, so it
   * is part of the cache key too). */
  computeDtype?: ComputeDType;
  /** Frame sampling rule: "one-fps-min" (the feature-extraction rule, default) or "streaming" (the raw-video loader's). */
  sampling?: SamplingStrategy;
  /** Frames per second to keep (official: 1) and a cap on their number (official: none). */
  rate?: RateOptions;
  /** Precision of cached video tokens (default f16: half the disk; f32 for exact work). */
  cacheDtype?: CacheDtype;
  /** Longest wait for another process encoding the same video (default 24 h). */
  lockTimeoutS?: number;
  /** Where waiting is reported (default stderr). */
  onLockWait?: (message: string) => void;
  /** Refuse a video whose header promises more than decodes (a truncated file) instead of warning. */
  strictMedia?: boolean;
  /** Where such warnings go (default stderr). */
  onWarning?: (message: string) => void;
  /** Told the bytes done while a hub id is downloaded (default: a progress bar unless quiet). */
  onPullProgress?: (doneBytes: number, totalBytes: number) => void;
}

/** The folder to read weights from under --quant: the cached quantized copy, or (where the cache cannot be written)
 * the float folder quantized at load. */
async function quantizedWeights(dir: string, opts: AppOptions): Promise<{ dir: string; quant?: QuantScheme }> {
  const scheme = opts.quant!;
  try {
    const bar = progressCallback({ label: `quantize ${scheme} (once)`, unit: "tensors", quiet: opts.quiet });
    const copy = await quantizedCopy(dir, scheme, opts.cacheDir ?? defaultCacheDir(), bar);
    return { dir: copy.dir };
  } catch (e) {
    if (!["EACCES", "EROFS", "EPERM"].includes((e as NodeJS.ErrnoException).code ?? "")) throw e;
    return { dir, quant: scheme };
  }
}

/** One progress bar in MB over all of a pull's files. */
export function pullBar(quiet?: boolean): (doneBytes: number, totalBytes: number) => void {
  return progressCallback({ label: "pull", unit: "MB", quiet }, 1e6);
}

export interface MemoryStatus {
  plan: FramePlan;
  /** The memory cache key (content, model, sampling) and whether that entry exists; no cache with noCache. */
  key: string;
  cached: boolean;
  cache?: MemoryCache;
  sha: string;
  modelId: string;
  /** Seconds this call spent probing the video (looking up a remembered probe included) and counting its frames (0
   * when remembered). */
  probe: ProbeTimings;
}

export type AskOptions = AnswerRequestOptions & {
  /** Send the question byte for byte (benchmarks: the prompt as lmms-eval builds it); by default it is trimmed.
   * Either way an empty or whitespace-only question is refused. */
  rawPrompt?: boolean;
};
export type { Answer, AnswerTimings } from "../model/generate/answer.ts";
export type { VideoMemory, ImageMemory } from "./core.ts";

export class HourLlavaApp {
  private constructor(
    readonly modelDir: string,
    readonly model: HourLlava,
    readonly tokenizer: TextTokenizer,
    private readonly opts: AppOptions,
    /** generation_config.json's defaults (empty when the folder has none). */
    readonly generation: GenerationDefaults,
    /** Every token id that ends an answer (config.json, generation_config.json, the template's <|im_end|>). */
    readonly endTokens: number[],
  ) {}

  /** `modelDir`: a model folder, a hub id ("org/name[@revision]", from the shared hub cache, pulled when missing)
   * or nothing for the embedded model. */
  static async load(modelDir?: string, opts: AppOptions = {}): Promise<HourLlavaApp> {
    const dir = await resolveModel(modelDir, { onProgress: opts.onPullProgress ?? pullBar(opts.quiet) });
    const device = opts.device === "auto" ? await pickDevice() : opts.device;
    const runtime = new Runtime({ device, threads: opts.threads });
    // Quantize once: the converted folder is kept in the cache; the app keeps the source's identity (modelDir,
    // cache keys), since the copy computes what quantizing at load computes.
    const weights = opts.quant ? await quantizedWeights(dir, opts) : { dir, quant: undefined };
    const { model } = loadHourLlava(weights.dir, { runtime, quant: weights.quant, computeDtype: opts.computeDtype });
    await checkWeightsFinite(dir, opts.cacheDir ?? defaultCacheDir());
    const tokenizer = loadTokenizer(dir);
    checkTokenizerFits(dir, tokenizer, model);
    const generation = readGenerationConfig(dir);
    const endTokens = endTokenIds(model.config.eos_token_id, generation, tokenizer);
    return new HourLlavaApp(dir, model, tokenizer, opts, generation, endTokens);
  }

  /** The execution provider the model runs on. */
  get device(): Device {
    return this.model.runtime.device;
  }

  private idPromise?: Promise<string>;

  /** The model's cache identity (content hashes of its weights, cached in the cache folder's hash index; a
   * quantization at load changes the video tokens, so it is part of it). */
  modelId(cacheDir = this.opts.cacheDir ?? defaultCacheDir()): Promise<string> {
    this.idPromise ??= appModelId(this.modelDir, cacheDir, this.opts);
    return this.idPromise;
  }

  /** The video's frame plan and memory cache key, and whether that memory is cached — without encoding anything. */
  async memoryStatus(video: string): Promise<MemoryStatus> {
    const cacheDir = this.opts.cacheDir ?? defaultCacheDir();
    const cache = this.opts.noCache ? undefined : MemoryCache.open(cacheDir);
    // An mp4's frames are counted from its sample tables, or by decoding it where they do not prove the count;
    // remembered per file version, so a cache hit stays quick. probeS includes looking up what is remembered.
    const probe: ProbeTimings = { probeS: 0, countS: 0 };
    const t0 = performance.now();
    const info = cache ? await probeOnce(video, cacheDir, probe) : await probeVideo(video, { countFrames: true, timings: probe });
    probe.probeS = (performance.now() - t0) / 1000 - probe.countS;
    const plan = await planFrames(video, { info, strategy: this.opts.sampling, rate: this.opts.rate });
    const T = plan.sample.indices.length;
    const size = this.model.config.vision.image_size;
    const sampling = cacheSampling(plan.sample.strategy, T, size, this.opts.rate, this.opts.cacheDtype ?? "f16");
    const sha = cache ? await contentHash(video, cacheDir) : "";
    const id = cache ? await this.modelId(cacheDir) : "";
    const key = memoryKey(sha, id, sampling);
    return { plan, key, cache, sha, modelId: id, cached: cache ? existsSync(cache.pathOf(key)) : false, probe };
  }

  /** Probe, sample (1 fps, ≥128 frames), decode, preprocess and encode the video — or reuse its cached memory. */
  async remember(video: string, opts: { onProgress?: (done: number, total: number) => void } = {}): Promise<VideoMemory> {
    if (isStreamUrl(video)) throw new Error(liveUrlRefusal(video));
    const t0 = performance.now();
    const { plan, key, cache, sha, modelId: id, probe } = await this.memoryStatus(video);
    const incomplete = this.checkComplete(video, plan);
    const T = plan.sample.indices.length;
    const size = this.model.config.vision.image_size;
    const hit = cache?.lookup(key);
    const timings = { decodeS: 0, encodeS: 0 };
    let tokens: Float32Array;
    let path: string | undefined;
    let reused = false; // another process encoded it while this one waited: a hit for this run
    if (hit) {
      tokens = hit.tokens;
      path = hit.path;
    } else {
      const progress = createProgress({ label: "encode", total: T, unit: "frames", quiet: this.opts.quiet });
      const frames = new FrameBatches(video, plan, size);
      const take = (start: number, count: number) => frames.take(start, count);
      const encode = async (start: number, count: number) => {
        const out = await encodeFrameBatch(this.model, take, start, count, timings);
        progress.tick(count);
        opts.onProgress?.(start + count, T);
        return out;
      };
      const meta: MemoryMeta = {
        video,
        contentSha256: sha,
        modelId: id,
        durationS: plan.sample.durationS,
        frameIndices: plan.sample.indices,
        frameTimesS: plan.sample.timesS,
        hidden: this.model.hidden,
        created: new Date().toISOString(),
      };
      const batch = this.opts.batch ?? 16;
      try {
        if (cache) {
          const lockWaitMs = (this.opts.lockTimeoutS ?? 24 * 3600) * 1000;
          const onWait = (o: LockOwner) =>
            (this.opts.onLockWait ?? ((m: string) => process.stderr.write(`${m}\n`)))(
              `waiting for ${describeOwner(o)}, which is encoding ${video} into the same cache entry; giving up after ${lockWaitMs / 1000} s (--lock-timeout)`,
            );
          const res = await cache.encode({ key, meta, batch, encode, onResume: (n) => progress.tick(n), onWait, lockWaitMs, dtype: this.opts.cacheDtype });
          tokens = res.tokens;
          path = res.path;
          reused = res.encodedElsewhere === true;
        } else {
          const all = new Float32Array(T * TOKENS_PER_FRAME * this.model.hidden);
          const keep = (out: Float32Array, start: number) => void all.set(out, start * TOKENS_PER_FRAME * this.model.hidden);
          let last = 0;
          await encodeAllFrames(this.model, take, T, batch, timings, keep, (done, total) => {
            progress.tick(done - last);
            last = done;
            opts.onProgress?.(done, total);
          });
          tokens = all;
        }
      } finally {
        await frames.close();
      }
      progress.done();
    }
    return {
      video,
      durationS: plan.sample.durationS,
      frames: T,
      memory: this.model.buildMemory(tokens, T),
      cache: { key, hit: !!hit || reused, bytes: path ? statSync(path).size : tokens.byteLength, path }, // bytes stored, when cached
      timings: { ...timings, probeS: probe.probeS, countFramesS: probe.countS, totalS: (performance.now() - t0) / 1000 },
      frameCountSource: plan.info.frameCountSource,
      ...(incomplete ? { incomplete } : {}),
    };
  }

  /**
   * A memory that grows while `source` arrives (a file still being written, "-" for stdin, a udp/srt/rtmp/rtsp URL,
   * an HLS playlist URL, a V4L2 device): ask about `live.snapshot()` at any moment. Stored in the cache as it grows
   * (unless noCache), so a later call on the same source resumes it; `live.stop()` ends the reading.
   */
  async rememberLive(source: string | LiveSource, opts: Omit<LiveOptions, "store"> & { idleTimeoutS?: number } = {}): Promise<LiveMemory> {
    const src = typeof source === "string" ? parseLiveSource(source, { idleTimeoutS: opts.idleTimeoutS }) : source;
    let store: LiveOptions["store"];
    if (!this.opts.noCache) {
      const cacheDir = this.opts.cacheDir ?? defaultCacheDir();
      const dtype = this.opts.cacheDtype ?? "f16";
      const modelId = await this.modelId(cacheDir);
      store = { dir: liveEntryDir(cacheDir, src.canonical, modelId, opts.videoFps ?? 1, this.model.config.vision.image_size, dtype), modelId, dtype };
    }
    return LiveMemory.start(this.model, src, { ...opts, store, onNotice: opts.onNotice ?? this.opts.onWarning ?? ((m) => process.stderr.write(`${m}\n`)) });
  }

  /** A truncated video is told (or refused with strictMedia) before anything is encoded, never answered silently. */
  private checkComplete(video: string, plan: FramePlan): VideoMemory["incomplete"] {
    const header = plan.info.headerDurationS;
    if (header === undefined) return undefined;
    const decodableS = plan.info.durationS;
    const message = `${video}: the file says ${header.toFixed(1)} s but only ${decodableS.toFixed(1)} s of video decode (a truncated file, or a video track shorter than the file); answers cover the first ${decodableS.toFixed(1)} s`;
    if (this.opts.strictMedia) throw new Error(`${message} (--strict-media refuses it)`);
    (this.opts.onWarning ?? ((m: string) => process.stderr.write(`warning: ${m}\n`)))(message);
    return { headerDurationS: header, decodableS };
  }

  /** Decode the image, cut it into anyres tiles, encode them and build its memory. */
  async rememberImage(path: string): Promise<ImageMemory> {
    const t0 = performance.now();
    const img = await loadImage(path);
    const tiles = this.model.imageTiles(img);
    const t1 = performance.now();
    const { tokens } = await this.model.encodeTiles(tiles.pixels, tiles.count);
    assertFinite(tokens, "the vision encoder (image tiles)");
    const t2 = performance.now();
    const memory = this.model.buildImageMemory({ tokens, count: tiles.count, grid: tiles.grid, width: img.width, height: img.height });
    const timings = { decodeS: (t1 - t0) / 1000, encodeS: (t2 - t1) / 1000, totalS: (performance.now() - t0) / 1000 };
    return { image: path, width: img.width, height: img.height, tiles: tiles.count, grid: tiles.grid, memory, timings };
  }

  /** Builds the answer path's sessions now (what would otherwise delay the first question). */
  warmUp(): Promise<void> {
    return this.model.warmUp();
  }

  /** Streams the answer to one question (a fresh conversation); the generator returns the whole Answer. */
  ask(mem: VideoMemory | ImageMemory, question: string, opts: AskOptions = {}): AsyncGenerator<string, Answer> {
    return this.chat(mem).send(question, opts);
  }

  chat(mem: VideoMemory | ImageMemory): Chat {
    return new Chat(this, mem);
  }

  /** Streams the answer to the last user turn of a whole conversation the caller keeps (serve is stateless); no
   * memory: a text-only conversation (the LLM alone, no <image>). `opts.system` replaces the template's system message. */
  respond(mem: VideoMemory | ImageMemory | undefined, turns: readonly ChatTurnInput[], opts: AskOptions = {}): AsyncGenerator<string, Answer> {
    const video =
      mem === undefined
        ? undefined
        : "image" in mem
          ? { memory: mem.memory, image: true as const }
          : { memory: mem.memory, durationS: mem.durationS, frames: mem.frames };
    return streamAnswer(this.model, this.tokenizer, video, turns, answerSettings(this.model, this.generation, this.endTokens, opts));
  }
}

/** HourLlavaApp.modelId without loading the model (queueing encodes names the model they are for). */
export async function appModelId(modelDir: string, cacheDir: string, variant: Pick<AppOptions, "quant" | "computeDtype"> = {}): Promise<string> {
  const quant = variant.quant ? `+${variant.quant}` : "";
  const dtype = variant.computeDtype === "float16" ? "+f16" : "";
  return (await modelId(modelDir, (p) => contentHash(p, cacheDir))) + quant + dtype;
}

async function probeOnce(video: string, cacheDir: string, timings: ProbeTimings): Promise<VideoInfo> {
  const text = await memoByFile(join(cacheDir, "file-hashes.json"), video, "videoInfo", async () =>
    JSON.stringify(await probeVideo(video, { countFrames: true, timings })),
  );
  return JSON.parse(text) as VideoInfo;
}

/** The finished answer of a streamed one (ask, respond, Chat.send), for callers that do not print as it streams. */
export async function finalAnswer(stream: AsyncGenerator<string, Answer>): Promise<Answer> {
  let r = await stream.next();
  while (!r.done) r = await stream.next();
  return r.value;
}

/** A multi-turn conversation about one video: later turns reuse the memory; the time instruction stays in turn one. */
export class Chat {
  readonly turns: ChatTurnInput[] = [];
  constructor(
    private readonly app: HourLlavaApp,
    readonly mem: VideoMemory | ImageMemory,
  ) {}

  async *send(question: string, opts: AskOptions = {}): AsyncGenerator<string, Answer> {
    const q = requireQuestion(question, opts.rawPrompt);
    const turns: ChatTurnInput[] = [...this.turns, { role: "user", content: q }];
    const answer = yield* this.app.respond(this.mem, turns, opts);
    this.turns.push({ role: "user", content: q }, { role: "assistant", content: answer.text });
    return answer;
  }
}
