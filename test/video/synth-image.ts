// The integer-only test-image generator of tools/parity/video_pixels.py (synth_image), repeated exactly.
export function synthImage(w: number, h: number, seed: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  let state = seed >>> 0;
  let i = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const checker = x < Math.floor(w / 3) && y < Math.floor(h / 2);
      const on = ((x >> 2) + (y >> 2)) & 1;
      for (let c = 0; c < 3; c++) {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        let v: number;
        if (checker) v = on ? 255 : 0;
        else {
          const base =
            c === 0
              ? Math.floor((x * 255) / Math.max(w - 1, 1))
              : c === 1
                ? Math.floor((y * 255) / Math.max(h - 1, 1))
                : Math.floor(((x + y) * 255) / Math.max(w + h - 2, 1));
          v = Math.min(255, Math.max(0, base + ((state >>> 24) & 63) - 32));
        }
        out[i++] = v;
      }
    }
  }
  return out;
}
