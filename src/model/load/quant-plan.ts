// Which weights a quantization scheme turns into which format, and the tensors that then stand in a folder.
// By measurement on the 2-core AVX2 machine (bench/engine/quant.ts): the LLM's linears decode fastest as
// MatMulNBits blocks (memory-bound M=1); the vision tower, projector and MemAug always run large M, where
// DynamicQuantizeMatMul's int8 GEMM is fastest. Embeddings keep 8 bits: they feed every token.
import { z } from "zod";
import { checkBlockSize, nbitsShapes } from "../../graph/quant/nbits.ts";
import type { NBits } from "../../graph/quant/nbits.ts";
import type { HourLlavaConfig } from "../../io/config.ts";
import { memAugLinearNames } from "../arch/memaug.ts";
import { PROJECTOR_LINEARS } from "../arch/projector.ts";
import { EMBED_WEIGHT, LM_HEAD_WEIGHT, qwen2LinearNames } from "../arch/qwen2.ts";
import { visionLinearNames } from "../arch/siglip.ts";
import { partName, type LinearFormat } from "../arch/quant-format.ts";

export const QUANT_SCHEMES = ["q4", "q8"] as const;
export type QuantScheme = (typeof QUANT_SCHEMES)[number];

export { PART, partName, type LinearFormat } from "../arch/quant-format.ts";

/** What config.json records of a quantized folder (key QUANT_CONFIG_KEY). */
export const quantizationSchema = z
  .object({
    scheme: z.enum(QUANT_SCHEMES),
    block_size: z.int(),
    format_version: z.literal(1),
  })
  .strict();
export type QuantizationConfig = z.output<typeof quantizationSchema>;
export const QUANT_CONFIG_KEY = "hourllava_quantization";
export const DEFAULT_BLOCK_SIZE = 32;

export function parseQuantScheme(s: string): QuantScheme | undefined {
  if (s === "f32" || s === "none") return undefined;
  if ((QUANT_SCHEMES as readonly string[]).includes(s)) return s as QuantScheme;
  throw new Error(`unknown --quant "${s}": use q4, q8 or f32 (weights as stored, computed in f32)`);
}

/** The scheme recorded in a folder's config.json, if any. */
export function folderQuantization(config: Record<string, unknown>, where: string): QuantizationConfig | undefined {
  const raw = config[QUANT_CONFIG_KEY];
  if (raw === undefined) return undefined;
  const r = quantizationSchema.safeParse(raw);
  if (!r.success) throw new Error(`${where}: "${QUANT_CONFIG_KEY}" is not a quantization this version reads: ${r.error.issues[0].message}`);
  checkBlockSize(r.data.block_size);
  return r.data;
}

/** Weight name → format for every linear layer the scheme quantizes. */
export function linearFormats(c: HourLlavaConfig, q: QuantizationConfig): Map<string, LinearFormat> {
  const out = new Map<string, LinearFormat>();
  const bits: NBits = q.scheme === "q4" ? 4 : 8;
  const blockSize = q.block_size;
  for (const n of [...visionLinearNames(c.vision), ...PROJECTOR_LINEARS, ...memAugLinearNames(c)]) out.set(n, { kind: "int8" });
  for (const n of qwen2LinearNames(c)) out.set(n, { kind: "nbits", bits, blockSize });
  out.set(EMBED_WEIGHT, { kind: "nbits", bits: 8, blockSize });
  if (!c.tie_word_embeddings) out.set(LM_HEAD_WEIGHT, { kind: "nbits", bits: 8, blockSize });
  return out;
}

/** The stored tensors standing for weight [N, K] in a format, with their shapes and safetensors dtypes. */
export function quantizedParts(weight: string, shape: number[], f: LinearFormat): { name: string; shape: number[]; dtype: "U8" | "I8" | "F32" }[] {
  const [N, K] = shape;
  if (f.kind === "int8")
    return [
      { name: partName(weight, "qweight"), shape: [K, N], dtype: "I8" },
      { name: partName(weight, "scales"), shape: [N], dtype: "F32" },
    ];
  const s = nbitsShapes(N, K, f.bits, f.blockSize);
  return [
    { name: partName(weight, "qweight"), shape: s.qweight, dtype: "U8" },
    { name: partName(weight, "scales"), shape: s.scales, dtype: "F32" },
    { name: partName(weight, "qzeros"), shape: s.zeros, dtype: "U8" },
  ];
}

/** Expected tensors of a folder: float shapes with each quantized weight replaced by its parts. */
export function storedShapes(floatShapes: Map<string, number[]>, formats: Map<string, LinearFormat>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [n, shape] of floatShapes) {
    const f = formats.get(n);
    if (!f) out.set(n, shape);
    else for (const p of quantizedParts(n, shape, f)) out.set(p.name, p.shape);
  }
  return out;
}
