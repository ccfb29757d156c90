// A tokenizer from parsed tokenizer.json (+ tokenizer_config.json) through @huggingface/tokenizers (pure JS, so
// Node and the browser build share it; loading the files is the platform's job).
// `<image>` is always a special added token (added after the vocabulary when the file lacks it, as the
// official preprocessing does with `add_tokens(["<image>"], special_tokens=True)`), so it is never split.
import { Tokenizer } from "@huggingface/tokenizers";

export const IMAGE_TOKEN = "<image>";
/** Placeholder id the model replaces with video tokens (official IMAGE_TOKEN_INDEX). */
export const IMAGE_TOKEN_INDEX = -200;

export interface TextTokenizer {
  readonly source: string;
  /** Largest id + 1, counting added tokens. */
  readonly vocabSize: number;
  /** Contents of all special tokens (added special tokens and tokenizer_config's additional_special_tokens). */
  readonly specialTokens: string[];
  /** tokenizer_config.json's eos_token, if any. */
  readonly eosToken: string | null;
  readonly imageTokenId: number;
  encode(text: string): number[];
  /** Encodes untrusted text (a user's question): special-token strings such as "<|im_end|>" stay plain text. */
  encodePlain(text: string): number[];
  /** IMAGE_TOKEN_INDEX decodes as "<image>". */
  decode(ids: readonly number[], opts?: { skipSpecial?: boolean }): string;
  /** The id of a token (vocabulary entry or added token), e.g. tokenId("<|im_end|>"); throws when unknown. */
  tokenId(token: string): number;
  hasToken(token: string): boolean;
  idToToken(id: number): string;
  isSpecial(id: number): boolean;
}

interface AddedTokenJson {
  id: number;
  content: string;
  special?: boolean;
  normalized?: boolean;
  [k: string]: unknown;
}

function tokenContent(v: unknown): string | null {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { content?: unknown }).content === "string") return (v as { content: string }).content;
  return null;
}

/** Builds a tokenizer from parsed tokenizer.json / tokenizer_config.json objects. */
export function tokenizerFromJson(tokenizerJson: unknown, tokenizerConfig: Record<string, unknown> = {}, source = "tokenizer.json"): TextTokenizer {
  if (tokenizerJson === null || typeof tokenizerJson !== "object") throw new Error(`${source}: tokenizer.json must hold a JSON object`);
  const tj = structuredClone(tokenizerJson) as { model?: { vocab?: unknown }; added_tokens?: unknown };
  if (!tj.model || typeof tj.model !== "object") throw new Error(`${source}: tokenizer.json has no "model" object`);
  if (tj.added_tokens === undefined) tj.added_tokens = [];
  if (!Array.isArray(tj.added_tokens)) throw new Error(`${source}: field "added_tokens" must be a list`);
  const added = tj.added_tokens as AddedTokenJson[];

  const vocab = tj.model.vocab;
  let maxId = -1;
  if (vocab && typeof vocab === "object" && !Array.isArray(vocab)) for (const v of Object.values(vocab)) if (typeof v === "number" && v > maxId) maxId = v;
  for (const t of added) if (t.id > maxId) maxId = t.id;
  const image = added.find((t) => t.content === IMAGE_TOKEN);
  if (image) {
    image.special = true;
    image.normalized = false;
  } else {
    const inVocab = vocab && typeof vocab === "object" ? (vocab as Record<string, unknown>)[IMAGE_TOKEN] : undefined;
    const id = typeof inVocab === "number" ? inVocab : ++maxId;
    added.push({ id, content: IMAGE_TOKEN, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  }

  // Qwen2 configs say clean_up_tokenization_spaces=false; the library defaults to true, which would edit text.
  const config: Record<string, unknown> = { ...tokenizerConfig, clean_up_tokenization_spaces: tokenizerConfig.clean_up_tokenization_spaces ?? false };
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(tj, config);
  } catch (e) {
    throw new Error(`${source}: cannot build the tokenizer: ${(e as Error).message}`);
  }
  const special = new Set<string>(added.filter((t) => t.special).map((t) => t.content));
  for (const s of (config.additional_special_tokens as unknown[] | undefined) ?? []) {
    const c = tokenContent(s);
    if (c) special.add(c);
  }
  const specialIds = new Set<number>();
  for (const s of special) {
    const id = tok.token_to_id(s);
    if (id !== undefined) specialIds.add(id);
  }
  // Special tokens must come only from the template: untrusted text goes through a twin without them.
  let plainTok: Tokenizer | undefined;
  const plain = (): Tokenizer => (plainTok ??= new Tokenizer({ ...tj, added_tokens: added.filter((t) => !special.has(t.content)) }, config));
  const checkedIds = (ids: (number | undefined)[], text: string): number[] => {
    for (let i = 0; i < ids.length; i++)
      if (typeof ids[i] !== "number")
        throw new Error(`${source}: cannot encode ${JSON.stringify(text.slice(0, 40))}: a piece has no id (vocabulary lacks a byte symbol?)`);
    return ids as number[];
  };
  const vocabSize = maxId + 1;
  const tokenId = (token: string): number => {
    const id = tok.token_to_id(token);
    if (id === undefined) throw new Error(`${source}: token ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  };
  const imageTokenId = tokenId(IMAGE_TOKEN);

  return {
    source,
    vocabSize,
    specialTokens: [...special],
    eosToken: tokenContent(config.eos_token),
    imageTokenId,
    encode: (text) => checkedIds(tok.encode(text, { add_special_tokens: false }).ids, text),
    encodePlain(text) {
      // Most text names no special token: then both tokenizers agree and the twin is never built.
      const t = [...special].some((s) => text.includes(s)) ? plain() : tok;
      return checkedIds(t.encode(text, { add_special_tokens: false }).ids, text);
    },
    decode(ids, opts = {}) {
      if (ids.length === 0) return "";
      const mapped = ids.map((id) => {
        if (id === IMAGE_TOKEN_INDEX) return imageTokenId;
        if (!Number.isInteger(id) || id < 0 || id >= vocabSize || tok.id_to_token(id) === undefined)
          throw new Error(`${source}: token id ${id} is outside the vocabulary (size ${vocabSize})`);
        return id;
      });
      const kept = opts.skipSpecial ? mapped.filter((id) => !specialIds.has(id)) : mapped;
      return kept.length === 0 ? "" : tok.decode(kept, { skip_special_tokens: false });
    },
    tokenId,
    hasToken: (token) => tok.token_to_id(token) !== undefined,
    idToToken(id) {
      const t = tok.id_to_token(id);
      if (t === undefined) throw new Error(`${source}: token id ${id} is outside the vocabulary (size ${vocabSize})`);
      return t;
    },
    isSpecial: (id) => specialIds.has(id),
  };
}
