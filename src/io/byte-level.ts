// The GPT-2 / Qwen2 byte-level alphabet: every byte maps to one printable unicode character, and the
// first 256 vocabulary ids follow this order (so "\n" → "Ċ" is id 198 and " " → "Ġ" is id 220, as in Qwen2).

/** The 256 byte symbols in vocabulary order; `BYTE_ORDER[i]` is the byte whose symbol has id i. */
export const BYTE_ORDER: number[] = (() => {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const rest: number[] = [];
  for (let b = 0; b < 256; b++) if (!printable.includes(b)) rest.push(b);
  return [...printable, ...rest];
})();

/** byte → its symbol. Printable bytes map to themselves, the others to U+0100 upwards in byte order. */
export const BYTE_TO_SYMBOL: string[] = (() => {
  const out = new Array<string>(256);
  let n = 0;
  for (const b of BYTE_ORDER) out[b] = b >= 0x21 && (b <= 0x7e || (b >= 0xa1 && b !== 0xad)) ? String.fromCharCode(b) : String.fromCharCode(256 + n++);
  return out;
})();

/** The Qwen2 pre-tokenizer split pattern (Oniguruma syntax, as tokenizer.json stores it). */
export const QWEN2_SPLIT_PATTERN = String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`;

/** tokenizer.json components of a Qwen2 tokenizer (everything except the model and added tokens). */
export function qwen2Pipeline(): Record<string, unknown> {
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false };
  return {
    normalizer: { type: "NFC" },
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [{ type: "Split", pattern: { Regex: QWEN2_SPLIT_PATTERN }, behavior: "Isolated", invert: false }, byteLevel],
    },
    post_processor: { ...byteLevel },
    decoder: { ...byteLevel },
  };
}
