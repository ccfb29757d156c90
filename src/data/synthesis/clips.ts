// The clip windows a video is captioned in: `clipS` long every `strideS` seconds. A tail shorter than a
// quarter clip is folded into the window before it rather than captioned on its own.

export interface ClipWindow {
  index: number;
  start: number;
  end: number;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export function clipWindows(durationS: number, clipS: number, strideS = clipS): ClipWindow[] {
  if (!(durationS > 0)) throw new Error(`clip windows: duration must be > 0 s, got ${durationS}`);
  if (!(clipS > 0) || !(strideS > 0)) throw new Error(`clip windows: clip length and stride must be > 0 s, got ${clipS} and ${strideS}`);
  const out: ClipWindow[] = [];
  for (let k = 0; k * strideS < durationS; k++) {
    const start = round(k * strideS);
    const end = round(Math.min(start + clipS, durationS));
    const prev = out[out.length - 1];
    if (prev && end - start < clipS / 4) {
      if (prev.end < end) prev.end = end;
      break;
    }
    out.push({ index: out.length, start, end });
    if (end >= durationS) break;
  }
  return out;
}
