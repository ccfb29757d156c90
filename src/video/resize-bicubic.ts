// Pillow's Image.resize(size, Image.BICUBIC) for 8-bit RGB, ported from the algorithm of Pillow's Resample.c
// so that the output is bit-identical: separable passes (horizontal first, then vertical), the bicubic
// kernel with a = -0.5 widened by the downscale factor (antialiasing), coefficients normalised to sum 1, then
// turned into fixed point with PRECISION_BITS = 22 and each pass rounded and clipped to uint8.

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);
const MAX_FIXED = (1 << PRECISION_BITS) * 256; // 1 << PRECISION_BITS << 8

function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}
const BICUBIC_SUPPORT = 2;

interface Coeffs {
  ksize: number;
  /** Per output pixel: first input pixel and how many are used. */
  bounds: Int32Array;
  /** outSize*ksize fixed-point weights. */
  kk: Int32Array;
}

/** Pillow's precompute_coeffs for the full box [0, inSize) followed by normalize_coeffs_8bpc. */
export function bicubicCoeffs(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = BICUBIC_SUPPORT * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kk = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  const ss = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero; the arguments here are ≥ -support + 0.5.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const v = bicubic((x + xmin - center + 0.5) * ss);
      w[x] = v;
      ww += v;
    }
    for (let x = 0; x < xmax; x++) {
      const k = ww !== 0 ? w[x] / ww : w[x];
      // normalize_coeffs_8bpc: round half away from zero, then (int) truncation.
      kk[xx * ksize + x] = Math.trunc(k < 0 ? -0.5 + k * (1 << PRECISION_BITS) : 0.5 + k * (1 << PRECISION_BITS));
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
  }
  return { ksize, bounds, kk };
}

function clip8(v: number): number {
  if (v >= MAX_FIXED) return 255;
  if (v <= 0) return 0;
  return v >> PRECISION_BITS;
}

/**
 * Resizes packed RGB uint8 (row-major, w*h*3) to outW×outH exactly as Pillow's BICUBIC resize does
 * (reducing_gap=None, the default Hugging Face image processors use).
 */
/** One output pixel of a pass: n taps from src at p, p+step, … weighted by kk[k0…], each channel rounded and clipped. */
function convolveRGB(src: Uint8Array, p: number, step: number, kk: Int32Array, k0: number, n: number, out: Uint8Array, o: number): void {
  let s0 = HALF,
    s1 = HALF,
    s2 = HALF;
  for (let i = 0; i < n; i++, p += step) {
    const k = kk[k0 + i];
    s0 += src[p] * k;
    s1 += src[p + 1] * k;
    s2 += src[p + 2] * k;
  }
  out[o] = clip8(s0);
  out[o + 1] = clip8(s1);
  out[o + 2] = clip8(s2);
}

export function resizeBicubicRGB(rgb: Uint8Array, w: number, h: number, outW: number, outH: number): Uint8Array {
  if (rgb.length !== w * h * 3) throw new Error(`resizeBicubicRGB: buffer has ${rgb.length} bytes, expected ${w}x${h}x3 = ${w * h * 3}`);
  for (const [name, v] of [
    ["width", w],
    ["height", h],
    ["output width", outW],
    ["output height", outH],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`resizeBicubicRGB: ${name} ${v} must be a positive integer`);
  }
  const horiz = bicubicCoeffs(w, outW);
  const vert = bicubicCoeffs(h, outH);
  const needH = outW !== w;
  const needV = outH !== h;

  let src = rgb;
  let srcW = w;
  let rowOffset = 0; // first source row the vertical pass reads from src
  if (needH) {
    // Only the rows the vertical pass reads (Pillow's ybox_first..ybox_last).
    const first = needV ? vert.bounds[0] : 0;
    const last = needV ? vert.bounds[outH * 2 - 2] + vert.bounds[outH * 2 - 1] : h;
    const rows = last - first;
    const tmp = new Uint8Array(outW * rows * 3);
    const { ksize, bounds, kk } = horiz;
    for (let y = 0; y < rows; y++) {
      const inRow = (y + first) * w * 3;
      const outRow = y * outW * 3;
      for (let xx = 0; xx < outW; xx++) {
        const xmin = bounds[xx * 2];
        const xmax = bounds[xx * 2 + 1];
        const k0 = xx * ksize;
        convolveRGB(rgb, inRow + xmin * 3, 3, kk, k0, xmax, tmp, outRow + xx * 3);
      }
    }
    src = tmp;
    srcW = outW;
    rowOffset = first;
  }
  if (!needV) return src === rgb ? rgb.slice() : src;

  const out = new Uint8Array(srcW * outH * 3);
  const { ksize, bounds, kk } = vert;
  const stride = srcW * 3;
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[yy * 2] - rowOffset;
    const ymax = bounds[yy * 2 + 1];
    const k0 = yy * ksize;
    const outRow = yy * stride;
    for (let xx = 0; xx < srcW; xx++) {
      convolveRGB(src, ymin * stride + xx * 3, stride, kk, k0, ymax, out, outRow + xx * 3);
    }
  }
  return out;
}
