// A procedural world's frames as vision-tower input: rendered at renderSize, resized to the model's image size
// with the same Pillow-exact bicubic the video path uses, then normalised as SigLIP does. Training and the
// evaluation both read frames this way.
import { resizeBicubicRGB } from "../video/resize-bicubic.ts";
import { normalizeToCHW } from "../video/preprocess.ts";
import { renderFrame } from "./render.ts";
import { generateWorld } from "./world.ts";

/** Every second of the world, or only the seconds in `times` (in that order). */
export function renderWorldFrames(seed: number, durationS: number, renderSize: number, imageSize: number, times?: readonly number[]): Float32Array {
  const w = generateWorld({ seed, durationS });
  const ts = times ?? Array.from({ length: durationS }, (_, t) => t);
  const per = 3 * imageSize * imageSize;
  const out = new Float32Array(ts.length * per);
  const buf = new Uint8Array(renderSize * renderSize * 3);
  ts.forEach((t, k) => {
    renderFrame(w, t, { width: renderSize, height: renderSize }, buf);
    const small = renderSize === imageSize ? buf : resizeBicubicRGB(buf, renderSize, renderSize, imageSize, imageSize);
    out.set(normalizeToCHW(small, imageSize * imageSize), k * per);
  });
  return out;
}
