// The page's frame source: WebCodecs for H.264 (exact frame picking, as the Node path counts frames), the <video>
// element for what WebCodecs cannot take here.
import type { RgbFrame } from "./video-frames.ts";
import { seekFrames } from "./video-frames.ts";
import { webCodecsFrames, webCodecsSupports } from "./webcodecs-frames.ts";

export async function* sampledFrames(video: Blob, bytes: Uint8Array, indices: number[], fps: number, name: string): AsyncGenerator<RgbFrame> {
  if (await webCodecsSupports(bytes, name)) {
    yield* webCodecsFrames(bytes, indices, name);
    return;
  }
  const url = URL.createObjectURL(video);
  try {
    yield* seekFrames(url, indices, fps, name);
  } finally {
    URL.revokeObjectURL(url);
  }
}
