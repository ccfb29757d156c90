// A procedural world's frames as vision-tower input: rendered at renderSize, resized to the model's image size
// with the same Pillow-exact bicubic the video path uses, then normalised as SigLIP does. Training and the
// evaluation both read frames this way.
import { resizeBicubicRGB } from "../video/resize-bicubic.ts";
import { normalizeToCHW } from "../video/preprocess.ts";
import { renderFrame } from "./render.ts";
import { generateWorld } from "./world.ts";

export function renderWorldFrames(seed: number, durationS: number, renderSize: number, imageSize: number): Float32Array {
  const w = generateWorld({ seed, durationS });
  const per = 3 * imageSize * imageSize;
  const out = new Float32Array(durationS * per);
  const buf = new Uint8Array(renderSize * renderSize * 3);
  for (let t = 0; t < durationS; t++) {
    renderFrame(w, t, { width: renderSize, height: renderSize }, buf);
    const small = renderSize === imageSize ? buf : resizeBicubicRGB(buf, renderSize, renderSize, imageSize, imageSize);
    out.set(normalizeToCHW(small, imageSize * imageSize), t * per);
  }
  return out;
}
