// Node's memory cache keys, derived with WebCrypto: the same video, model and settings give the same key in the
// browser as on disk (src/cache/key-text.ts holds the recipe both hash).
import { MODEL_ID_HEADER, memoryKeyText, modelFileLine } from "../cache/key-text.ts";

const utf8 = new TextEncoder();

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** app/model-id.ts's identity of a single-file model folder. */
export async function webModelId(configJson: Uint8Array, safetensors: Uint8Array): Promise<string> {
  const line = modelFileLine("model.safetensors", await sha256Hex(safetensors));
  return (await sha256Hex(concat([utf8.encode(MODEL_ID_HEADER), configJson, utf8.encode(line)]))).slice(0, 16);
}

/** cache/cache.ts's memoryKey. */
export async function webMemoryKey(contentSha256: string, modelId: string, sampling: Record<string, unknown>): Promise<string> {
  return (await sha256Hex(utf8.encode(memoryKeyText(contentSha256, modelId, sampling)))).slice(0, 32);
}
