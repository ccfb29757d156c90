// generation_config.json's contents: the end tokens the checkpoint names and its sampling defaults. Greedy
// decoding stays our default (reproducible answers); the file's sampling values only fill what a user who asks
// for sampling (temperature > 0) did not set. Parsing only: reading the file is the platform's job.
import type { TextTokenizer } from "./tokenizer-core.ts";

export interface GenerationDefaults {
  eosTokenIds: number[];
  maxNewTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
}

/** HF writes eos_token_id as one id or a list. */
export function idList(v: unknown, what: string): number[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  for (const id of list)
    if (!Number.isInteger(id) || (id as number) < 0) throw new Error(`${what}: eos_token_id must be a token id or a list of them, got ${JSON.stringify(v)}`);
  return list as number[];
}

function optNumber(j: Record<string, unknown>, key: string, path: string): number | undefined {
  const v = j[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${path}: ${key} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** generation_config.json's parsed JSON (`path` names it in errors). */
export function parseGenerationConfig(j: unknown, path: string): GenerationDefaults {
  if (j === null || typeof j !== "object" || Array.isArray(j)) throw new Error(`${path}: must hold a JSON object`);
  const o = j as Record<string, unknown>;
  return {
    eosTokenIds: idList(o.eos_token_id, path),
    maxNewTokens: optNumber(o, "max_new_tokens", path),
    temperature: optNumber(o, "temperature", path),
    topP: optNumber(o, "top_p", path),
    topK: optNumber(o, "top_k", path),
  };
}

/** Every id that ends an answer: config.json's and generation_config.json's eos lists, the template's turn end. */
export function endTokenIds(configEos: number | number[] | null, gen: GenerationDefaults, tok: TextTokenizer): number[] {
  const ids = new Set([...idList(configEos, "config.json"), ...gen.eosTokenIds, tok.tokenId("<|im_end|>")]);
  if (tok.eosToken && tok.hasToken(tok.eosToken)) ids.add(tok.tokenId(tok.eosToken));
  for (const id of ids) if (id >= tok.vocabSize) throw new Error(`${tok.source}: end token id ${id} is outside the vocabulary (size ${tok.vocabSize})`);
  return [...ids].sort((a, b) => a - b);
}
