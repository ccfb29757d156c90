// The formats a quantized linear weight takes and the names of its stored parts: a leaf that the weight store and
// the quantization plan both read, so neither imports the other (no import circle through the model modules).
import type { NBits } from "../../graph/quant/nbits.ts";

export type LinearFormat = { kind: "nbits"; bits: NBits; blockSize: number } | { kind: "int8" };

export const PART = { qweight: "qweight", scales: "scales", qzeros: "qzeros" } as const;
export const partName = (weight: string, part: keyof typeof PART) => `${weight}.${PART[part]}`;
