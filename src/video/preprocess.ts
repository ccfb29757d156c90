// SigLIP preprocessing as the official SigLipImageProcessor (Hugging Face transforms on PIL) does it: resize
// straight to size×size with PIL BICUBIC (no crop, aspect ratio not kept), rescale by 1/255, normalise with
// mean 0.5 and std 0.5, channels first.
import { resizeBicubicRGB } from "./resize-bicubic.ts";

export const SIGLIP_SIZE = 384;

/**
 * uint8 → float32 value, computed as numpy does it in transformers: float64(u) * (1/255) cast to float32
 * (rescale), then (x - 0.5) / 0.5 in float32 (normalize). A table, since there are only 256 inputs.
 */
export const SIGLIP_NORMALIZE_LUT: Float32Array = (() => {
  const lut = new Float32Array(256);
  const scale = 1 / 255;
  for (let u = 0; u < 256; u++) {
    const x = Math.fround(u * scale);
    lut[u] = Math.fround(Math.fround(x - Math.fround(0.5)) / Math.fround(0.5));
  }
  return lut;
})();

/** Packed RGB (w*h*3) → Float32Array(3*size*size) in CHW, ready for the vision tower. */
export function preprocessFrame(rgb: Uint8Array, w: number, h: number, size = SIGLIP_SIZE): Float32Array {
  if (!Number.isInteger(size) || size < 1) throw new Error(`preprocessFrame: size ${size} must be a positive integer`);
  const resized = resizeBicubicRGB(rgb, w, h, size, size);
  return normalizeToCHW(resized, size * size);
}

/** Packed RGB uint8 with `pixels` pixels → normalised float32 planes R, G, B. */
export function normalizeToCHW(rgb: Uint8Array, pixels: number): Float32Array {
  if (rgb.length !== pixels * 3) throw new Error(`normalizeToCHW: buffer has ${rgb.length} bytes, expected ${pixels}x3`);
  const out = new Float32Array(3 * pixels);
  for (let p = 0, q = 0; p < pixels; p++, q += 3) {
    out[p] = SIGLIP_NORMALIZE_LUT[rgb[q]];
    out[pixels + p] = SIGLIP_NORMALIZE_LUT[rgb[q + 1]];
    out[2 * pixels + p] = SIGLIP_NORMALIZE_LUT[rgb[q + 2]];
  }
  return out;
}
