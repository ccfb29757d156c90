// The library API of the browser build, the same steps as app/app.ts with browser edges: model files from bytes,
// frames from <video> + canvas, memories in IndexedDB under the Node cache's keys. The model, preprocessing,
// sampling rule and the answer loop are the Node code itself.
import { GraphRuntime } from "../graph/runtime-core.ts";
import type { Device } from "../graph/runtime-core.ts";
import { checkpointFromBytes } from "../io/checkpoint-bytes.ts";
import { f32ToHalfBits, halfBitsToF32 } from "../io/dtype.ts";
import { endTokenIds, parseGenerationConfig } from "../io/generation-config-core.ts";
import type { GenerationDefaults } from "../io/generation-config-core.ts";
import { tokenizerFromJson } from "../io/tokenizer-core.ts";
import type { TextTokenizer } from "../io/tokenizer-core.ts";
import { cacheSampling } from "../cache/key-text.ts";
import { answerSettings, streamAnswer } from "../model/generate/answer.ts";
import type { Answer, AnswerRequestOptions } from "../model/generate/answer.ts";
import { CheckpointWeights } from "../model/load/checkpoint-weights.ts";
import { modelFromCheckpoint } from "../model/load/from-checkpoint.ts";
import type { HourLlava } from "../model/arch/hourllava.ts";
import { checkTokenizerFits, encodeAllFrames, requireQuestion, type EncodeTimings, type TakeFrames, type VideoMemory } from "../app/core.ts";
import { TOKENS_PER_FRAME } from "../model/arch/projector.ts";
import { mp4VideoInfo } from "../video/mp4-info.ts";
import { preprocessFrame } from "../video/preprocess.ts";
import { sampleOneFpsMin } from "../video/sampling.ts";
import { webMemoryKey, sha256Hex, webModelId } from "./cache-key.ts";
import { MemoryStore } from "./memory-store.ts";
import type { ModelFiles } from "./model-files.ts";
import { bestWebDevice, webBackend } from "./ort-web-backend.ts";
import { webCodecsFrames } from "./webcodecs-frames.ts";

export interface WebLoadOptions {
  /** Default: WebGPU when the browser has an adapter, else WASM. */
  device?: Device;
  /** URL of the folder holding onnxruntime-web's .mjs/.wasm files. */
  wasmBase: string;
  threads?: number;
  /** Frames per vision-encoder batch (progress and IndexedDB writes happen per batch). */
  batch?: number;
}

/** The app's one memory type (app/core.ts); the old name stays for the browser build's callers. */
export type WebVideoMemory = VideoMemory;

export type Progress = (done: number, total: number) => void;

const F16_MAX = 65504;

/** Tokens as the Node cache keeps them by default (f16): a fresh encode and a later hit give the same memory. */
function toF16Bits(tokens: Float32Array): Uint16Array {
  for (const v of tokens) if (Math.abs(v) > F16_MAX) throw new Error(`a video token of ${v} is beyond f16's range`);
  const bits = new Uint16Array(tokens.length);
  f32ToHalfBits("F16", tokens, bits);
  return bits;
}

function fromF16Bits(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  halfBitsToF32("F16", bits, out);
  return out;
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`${what}: cannot read: ${(e as Error).message.split("\n")[0]}`);
  }
}

export class WebHourLlava {
  private constructor(
    readonly model: HourLlava,
    readonly tokenizer: TextTokenizer,
    readonly generation: GenerationDefaults,
    readonly endTokens: number[],
    /** The model's cache identity, as app/model-id.ts computes it. */
    readonly modelId: string,
    readonly device: Device,
    private readonly store: MemoryStore,
    private readonly batch: number,
  ) {}

  static async load(files: ModelFiles, opts: WebLoadOptions): Promise<WebHourLlava> {
    const device = opts.device ?? (await bestWebDevice());
    const runtime = new GraphRuntime(await webBackend({ device, wasmBase: opts.wasmBase, threads: opts.threads }), { device });
    const dir = files.name.replace(/\/$/, "");
    const ckpt = checkpointFromBytes(dir, parseJson(files.config, `${dir}/config.json`), files.safetensors);
    const model = modelFromCheckpoint(ckpt, runtime, {}, new CheckpointWeights(ckpt, false));
    const cfg = files.tokenizerConfig ? parseJson(files.tokenizerConfig, `${dir}/tokenizer_config.json`) : {};
    if (cfg === null || typeof cfg !== "object" || Array.isArray(cfg)) throw new Error(`${dir}/tokenizer_config.json: must hold a JSON object`);
    const tokenizer = tokenizerFromJson(parseJson(files.tokenizer, `${dir}/tokenizer.json`), cfg as Record<string, unknown>, `${dir}/tokenizer.json`);
    checkTokenizerFits(dir, tokenizer, model);
    const path = `${dir}/generation_config.json`;
    const generation = files.generationConfig ? parseGenerationConfig(parseJson(files.generationConfig, path), path) : { eosTokenIds: [] };
    const endTokens = endTokenIds(model.config.eos_token_id, generation, tokenizer);
    const id = await webModelId(files.config, files.safetensors);
    return new WebHourLlava(model, tokenizer, generation, endTokens, id, device, await MemoryStore.open(), opts.batch ?? 16);
  }

  /** Samples (1 fps, ≥128 frames), decodes, preprocesses and encodes a local mp4/mov — or reuses its stored memory. */
  async remember(video: Blob, name: string, opts: { onProgress?: Progress } = {}): Promise<WebVideoMemory> {
    const t0 = performance.now();
    const bytes = new Uint8Array(await video.arrayBuffer());
    const info = mp4VideoInfo(bytes, name);
    const sample = sampleOneFpsMin(info);
    const T = sample.indices.length;
    const size = this.model.config.vision.image_size;
    const key = await webMemoryKey(await sha256Hex(bytes), this.modelId, cacheSampling(sample.strategy, T, size, undefined, "f16"));
    const found = await this.store.get(key);
    // An entry that does not fit this model and plan (damaged, or written by another version) is encoded again.
    const stored = found?.frames === T && found.bits?.length === T * TOKENS_PER_FRAME * this.model.hidden ? found : undefined;
    const timings = { decodeS: 0, encodeS: 0 };
    let bits: Uint16Array;
    if (stored) {
      bits = stored.bits;
    } else {
      const frames = webCodecsFrames(bytes, sample.indices, name);
      try {
        // WebCodecs hands frames over in plan order: `take` reads the next `count` of them.
        bits = await this.encode(T, opts.onProgress, timings, async (_start, count) => {
          const out = new Float32Array(count * 3 * size * size);
          for (let i = 0; i < count; i++) {
            const f = (await frames.next()).value;
            if (!f) throw new Error(`${name}: the browser decoded fewer frames than the ${T} sampled`);
            out.set(preprocessFrame(f.rgb, f.width, f.height, size), i * 3 * size * size);
          }
          return out;
        });
        await this.store.put({ key, frames: T, hidden: this.model.hidden, durationS: sample.durationS, bits, video: name, created: new Date().toISOString() });
      } finally {
        await frames.return(undefined);
      }
    }
    return {
      video: name,
      durationS: sample.durationS,
      frames: T,
      memory: this.model.buildMemory(fromF16Bits(bits), T),
      cache: { key, hit: !!stored, bytes: bits.byteLength },
      timings: { ...timings, totalS: (performance.now() - t0) / 1000 },
    };
  }

  /** A memory from frames already decoded (packed RGB, w×h, in plan order): compares the model part exactly. */
  async rememberRgb(rgb: Uint8Array, width: number, height: number, durationS: number, opts: { onProgress?: Progress } = {}): Promise<WebVideoMemory> {
    const t0 = performance.now();
    const per = width * height * 3;
    const T = rgb.length / per;
    if (!Number.isInteger(T) || T < 1) throw new Error(`rememberRgb: ${rgb.length} bytes are not whole ${width}×${height} RGB frames`);
    const size = this.model.config.vision.image_size;
    const timings = { decodeS: 0, encodeS: 0 };
    const take = async (start: number, count: number) => {
      const out = new Float32Array(count * 3 * size * size);
      for (let i = 0; i < count; i++)
        out.set(preprocessFrame(rgb.subarray(per * (start + i), per * (start + i + 1)), width, height, size), i * 3 * size * size);
      return out;
    };
    const bits = await this.encode(T, opts.onProgress, timings, take);
    const memory = this.model.buildMemory(fromF16Bits(bits), T);
    return {
      video: "frames",
      durationS,
      frames: T,
      memory,
      cache: { key: "", hit: false, bytes: 0 },
      timings: { ...timings, totalS: (performance.now() - t0) / 1000 },
    };
  }

  /** Every frame through the app's one encode loop (app/core.ts), kept as f16 bits as the Node cache keeps them. */
  private async encode(T: number, onProgress: Progress | undefined, timings: EncodeTimings, take: TakeFrames): Promise<Uint16Array> {
    const per = TOKENS_PER_FRAME * this.model.hidden;
    const bits = new Uint16Array(T * per);
    await encodeAllFrames(this.model, take, T, this.batch, timings, (out, start) => bits.set(toF16Bits(out), start * per), onProgress);
    return bits;
  }

  /** Streams the answer to one question about a remembered video; the generator returns the whole Answer. */
  ask(mem: WebVideoMemory, question: string, opts: AnswerRequestOptions = {}): AsyncGenerator<string, Answer> {
    const q = requireQuestion(question);
    const video = { memory: mem.memory, durationS: mem.durationS, frames: mem.frames };
    const s = answerSettings(this.model, this.generation, this.endTokens, opts);
    return streamAnswer(this.model, this.tokenizer, video, [{ role: "user", content: q }], s);
  }

  storedKeys(): Promise<string[]> {
    return this.store.keys();
  }
}
