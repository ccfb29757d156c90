// Trains a small Qwen2-style byte-level BPE tokenizer.json from a text corpus: 256 byte symbols, then
// greedy merges of the most frequent adjacent pair (ties: lowest ids first) up to the target vocabulary,
// then the special tokens. Pre-tokenization runs through @huggingface/tokenizers itself, so training
// sees exactly the pieces that encoding will see.
import { Tokenizer } from "@huggingface/tokenizers";
import { BYTE_ORDER, BYTE_TO_SYMBOL, qwen2Pipeline } from "./byte-level.ts";

export const QWEN2_SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<image>"];

/** The Qwen2-Instruct chat template (the default system prompt when none is given). */
export const QWEN2_CHAT_TEMPLATE =
  "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export interface BpeTrainOptions {
  /** Total vocabulary including the special tokens (= embedding rows the model needs). */
  vocabSize: number;
  /** Pairs seen fewer times than this are never merged (default 2). */
  minFrequency?: number;
  specialTokens?: string[];
  /** Called every 100 merges and at the end. */
  onProgress?: (merges: number, target: number) => void;
}

export interface TokenizerJson {
  version: string;
  added_tokens: { id: number; content: string; single_word: boolean; lstrip: boolean; rstrip: boolean; normalized: boolean; special: boolean }[];
  model: { type: "BPE"; vocab: Record<string, number>; merges: string[]; [k: string]: unknown };
  [k: string]: unknown;
}

function buildJson(tokens: string[], merges: string[], specials: string[]): TokenizerJson {
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => (vocab[t] = i));
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, i) => ({
      id: tokens.length + i,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    ...qwen2Pipeline(),
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

/** Max-heap entries [count, a, b]; lazily invalidated (checked against the live count when popped). */
class PairHeap {
  private h: [number, number, number][] = [];
  private better(x: [number, number, number], y: [number, number, number]): boolean {
    return x[0] !== y[0] ? x[0] > y[0] : x[1] !== y[1] ? x[1] < y[1] : x[2] < y[2];
  }
  get size(): number {
    return this.h.length;
  }
  push(e: [number, number, number]): void {
    const h = this.h;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.better(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }
  pop(): [number, number, number] | undefined {
    const h = this.h;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.better(h[l], h[m])) m = l;
        if (r < h.length && this.better(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

const KEY = 2 ** 21;
const key = (a: number, b: number) => a * KEY + b;

/** Counts the byte-level pre-tokens of the corpus, with special tokens cut out first. */
function countWords(corpus: Iterable<string>, specials: string[]): Map<string, number> {
  const probe = new Tokenizer(
    buildJson(
      BYTE_ORDER.map((b) => BYTE_TO_SYMBOL[b]),
      [],
      [],
    ),
    {},
  );
  const esc = specials.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const cut = esc.length > 0 ? new RegExp(esc.join("|"), "g") : null;
  const counts = new Map<string, number>();
  for (const text of corpus) {
    for (const part of cut ? text.split(cut) : [text]) {
      if (part.length === 0) continue;
      const normalized = probe.normalizer ? probe.normalizer.normalize(part) : part;
      const pieces = probe.pre_tokenizer ? probe.pre_tokenizer.pre_tokenize(normalized) : [normalized];
      for (const p of pieces) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
  }
  return counts;
}

/** Trains and returns a tokenizer.json object (serialize with JSON.stringify). */
export function trainByteLevelBpe(corpus: string | Iterable<string>, opts: BpeTrainOptions): TokenizerJson {
  const specials = opts.specialTokens ?? QWEN2_SPECIAL_TOKENS;
  const minFrequency = opts.minFrequency ?? 2;
  const baseSize = opts.vocabSize - specials.length;
  if (!Number.isInteger(opts.vocabSize) || baseSize < 256)
    throw new Error(`vocabSize ${opts.vocabSize} is too small: it must hold the 256 byte symbols plus ${specials.length} special tokens`);
  if (baseSize >= KEY) throw new Error(`vocabSize ${opts.vocabSize} is too large for this trainer (max ${KEY - 1})`);

  const tokens = BYTE_ORDER.map((b) => BYTE_TO_SYMBOL[b]);
  const idOf = new Map(tokens.map((t, i) => [t, i]));
  const words: number[][] = [];
  const freqs: number[] = [];
  for (const [w, f] of countWords(typeof corpus === "string" ? [corpus] : corpus, specials)) {
    words.push(Array.from(w, (ch) => idOf.get(ch)!));
    freqs.push(f);
  }

  const counts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const addPairs = (wi: number, sign: number, changed: Set<number> | null) => {
    const w = words[wi];
    for (let i = 0; i + 1 < w.length; i++) {
      const k = key(w[i], w[i + 1]);
      counts.set(k, (counts.get(k) ?? 0) + sign * freqs[wi]);
      if (sign > 0) {
        let s = where.get(k);
        if (!s) where.set(k, (s = new Set()));
        s.add(wi);
      }
      changed?.add(k);
    }
  };
  for (let wi = 0; wi < words.length; wi++) addPairs(wi, 1, null);
  const heap = new PairHeap();
  for (const [k, c] of counts) heap.push([c, Math.floor(k / KEY), k % KEY]);

  const merges: string[] = [];
  const target = baseSize - tokens.length;
  while (tokens.length < baseSize) {
    const top = heap.pop();
    if (!top) break;
    const [c, a, b] = top;
    const k = key(a, b);
    const live = counts.get(k) ?? 0;
    if (live !== c) {
      if (live > 0 && live < c) heap.push([live, a, b]);
      continue;
    }
    if (c < minFrequency) break;
    const id = tokens.length;
    tokens.push(tokens[a] + tokens[b]);
    merges.push(`${tokens[a]} ${tokens[b]}`);
    const changed = new Set<number>();
    for (const wi of where.get(k) ?? []) {
      const w = words[wi];
      addPairs(wi, -1, changed);
      const out: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
          out.push(id);
          i++;
        } else out.push(w[i]);
      }
      words[wi] = out;
      addPairs(wi, 1, changed);
    }
    where.delete(k);
    counts.delete(k);
    for (const ck of changed) {
      const n = counts.get(ck) ?? 0;
      if (n > 0) heap.push([n, Math.floor(ck / KEY), ck % KEY]);
    }
    if (merges.length % 100 === 0) opts.onProgress?.(merges.length, target);
  }
  opts.onProgress?.(merges.length, target);
  return buildJson(tokens, merges, specials);
}

/** A Qwen2-style tokenizer_config.json for a trained tokenizer. */
export function qwen2TokenizerConfig(json: TokenizerJson, modelMaxLength = 32768): Record<string, unknown> {
  const decoder: Record<string, unknown> = {};
  for (const t of json.added_tokens)
    decoder[String(t.id)] = {
      content: t.content,
      lstrip: t.lstrip,
      normalized: t.normalized,
      rstrip: t.rstrip,
      single_word: t.single_word,
      special: t.special,
    };
  const has = (s: string) => json.added_tokens.some((t) => t.content === s);
  return {
    add_bos_token: false,
    add_prefix_space: false,
    added_tokens_decoder: decoder,
    // The official preprocessing takes the first two of these as <|im_start|>, <|im_end|>.
    additional_special_tokens: ["<|im_start|>", "<|im_end|>", "<image>"].filter(has),
    bos_token: null,
    chat_template: QWEN2_CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false,
    eos_token: has("<|im_end|>") ? "<|im_end|>" : null,
    errors: "replace",
    model_max_length: modelMaxLength,
    pad_token: has("<|endoftext|>") ? "<|endoftext|>" : null,
    split_special_tokens: false,
    tokenizer_class: "Qwen2Tokenizer",
    unk_token: null,
  };
}
