// What the memory cache keys hash, as text, so Node (node:crypto) and the browser (WebCrypto) derive the same
// keys: a memory is named by the video's content, the model's identity and the sampling settings.
import type { RateOptions } from "../video/sampling.ts";

/** First line of a model's identity; config.json's bytes and one `modelFileLine` per weight file follow. */
export const MODEL_ID_HEADER = "model-id v2\n";

export function modelFileLine(file: string, contentSha256: string): string {
  return `\n${file}\n${contentSha256}`;
}

/** The sampling part of a key: non-default rates are in it; official settings keep the keys of earlier versions. */
export function cacheSampling(strategy: string, frames: number, size: number, rate: RateOptions | undefined, dtype: string): Record<string, unknown> {
  return { strategy, indices: frames, size, ...rate, dtype };
}

export function memoryKeyText(contentSha256: string, modelId: string, sampling: Record<string, unknown>): string {
  return JSON.stringify({ contentSha256, modelId, sampling });
}
