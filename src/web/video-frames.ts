// Chosen frames of a local video as packed RGB, in a browser: an HTMLVideoElement seeks to the middle of each
// frame's display interval (index + ½) / fps, which shows that decoded frame whatever the rounding of its
// timestamps, and a canvas at the native size reads its pixels. Frames come out in the plan's order.
export interface RgbFrame {
  index: number;
  width: number;
  height: number;
  /** width*height*3 bytes, row-major RGB. */
  rgb: Uint8Array;
}

function once(el: HTMLVideoElement, ok: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      el.removeEventListener(ok, done);
      el.removeEventListener("error", fail);
      resolve();
    };
    const fail = () => {
      el.removeEventListener(ok, done);
      el.removeEventListener("error", fail);
      reject(new Error(`${what}: the browser cannot decode this video (${el.error?.message || `media error ${el.error?.code ?? "?"}`})`));
    };
    el.addEventListener(ok, done);
    el.addEventListener("error", fail);
  });
}

export async function* seekFrames(url: string, indices: number[], fps: number, name: string): AsyncGenerator<RgbFrame> {
  const video = document.createElement("video");
  video.muted = true;
  video.preload = "auto";
  const loaded = once(video, "loadeddata", name);
  video.src = url;
  await loaded;
  const w = video.videoWidth;
  const h = video.videoHeight;
  const canvas = document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d", { willReadFrequently: true, colorSpace: "srgb" })!;
  try {
    for (const index of indices) {
      const seeked = once(video, "seeked", name);
      video.currentTime = Math.min((index + 0.5) / fps, video.duration);
      await seeked;
      ctx.drawImage(video, 0, 0, w, h);
      const rgba = ctx.getImageData(0, 0, w, h).data;
      const rgb = new Uint8Array(w * h * 3);
      for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) {
        rgb[q] = rgba[p];
        rgb[q + 1] = rgba[p + 1];
        rgb[q + 2] = rgba[p + 2];
      }
      yield { index, width: w, height: h, rgb };
    }
  } finally {
    video.removeAttribute("src");
    video.load();
  }
}
