// Multiply-add counts (×2 = FLOP) of MemAug and the decoder, for rates against the machine's matmul peak.
import type { HourLlavaConfig } from "../../src/io/config.ts";
import { memAugDims } from "../../src/model/arch/memaug.ts";

/** MemAug over Lq queries and Lk memory rows (all depth layers: projections, both attentions, MLP). */
export function memAugFlops(c: HourLlavaConfig, Lq: number, Lk: number): number {
  const H = c.hidden_size;
  const { qWidth, kvWidth } = memAugDims(c);
  const perLayer =
    Lq * H * (qWidth + 2 * kvWidth) + // self Wqkv
    2 * Lq * Lq * qWidth + // self scores + values
    Lq * qWidth * H + // self Wo
    Lq * H * qWidth + // cross Wq
    Lk * H * 2 * kvWidth + // cross Wkv over the memory
    2 * Lq * Lk * qWidth + // cross scores + values
    Lq * qWidth * H + // cross Wo
    2 * Lq * H * 4 * H; // MLP
  return 2 * c.memaug_depth * perLayer;
}

/** Decoder FLOP per token (linear layers and LM head; attention over short contexts is small). */
export function llmFlopsPerToken(c: HourLlavaConfig): number {
  const H = c.hidden_size;
  const d = H / c.num_attention_heads;
  const kv = d * c.num_key_value_heads;
  const layer = H * (H + 2 * kv) + H * H + 3 * H * c.intermediate_size;
  return 2 * (c.num_hidden_layers * layer + H * c.vocab_size);
}

/** Weight bytes a decode step streams: the decoder's linears and the LM head, at a precision's bits per weight
 * (blocks of 32: an f32 scale and a zero point per block). */
export function decodeBytesPerToken(c: HourLlavaConfig, scheme: "q4" | "q8" | undefined): number {
  const linear = llmFlopsPerToken(c) / 2 - c.hidden_size * c.vocab_size;
  const head = c.hidden_size * c.vocab_size;
  const bits = (b: number) => b + 32 / 32 + b / 32;
  if (!scheme) return 4 * (linear + head);
  return (linear * bits(scheme === "q4" ? 4 : 8) + head * bits(8)) / 8;
}
