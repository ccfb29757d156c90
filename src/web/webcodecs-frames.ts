// Chosen frames of an H.264 mp4/mov as packed RGB, decoded with WebCodecs: every sample goes through one
// VideoDecoder in decode order and output frame n (presentation order) is frame n, as ffmpeg's select filter in
// the Node path counts them, so both paths pick the same frames; the YUV planes are converted to RGB as ffmpeg
// does (video/yuv-rgb.ts). Decoding stops after the last wanted frame; at most a few frames wait in memory.
import { mp4VideoSamples } from "../video/mp4-samples.ts";
import { yuv420ToRgb } from "../video/yuv-rgb.ts";

export interface RgbFrame {
  index: number;
  width: number;
  height: number;
  /** width*height*3 bytes, row-major RGB. */
  rgb: Uint8Array;
}

/** Chunks in flight in the decoder before feeding waits. */
const MAX_QUEUE = 8;

/** Throws, saying what the page reads, when this browser cannot decode the file's video with WebCodecs. */
async function checkSupported(config: VideoDecoderConfig, name: string): Promise<void> {
  if (typeof VideoDecoder === "undefined") throw new Error(`${name}: this browser has no WebCodecs VideoDecoder, which the page decodes with`);
  const { supported } = await VideoDecoder.isConfigSupported(config).catch(() => ({ supported: false }));
  if (!supported) throw new Error(`${name}: this browser cannot decode ${config.codec} video; re-encode it as H.264 (ffmpeg -c:v libx264)`);
}

export async function* webCodecsFrames(bytes: Uint8Array, indices: number[], name: string): AsyncGenerator<RgbFrame> {
  const track = mp4VideoSamples(bytes, name);
  const config = { codec: track.codec, description: track.description, codedWidth: track.width, codedHeight: track.height };
  await checkSupported(config, name);
  const wanted = new Set(indices);
  const last = Math.max(...indices);
  const ready: Promise<RgbFrame>[] = [];
  let failure: Error | undefined;
  let produced = 0;
  let wake: (() => void) | undefined;
  const decoder = new VideoDecoder({
    output(frame) {
      const index = produced++;
      if (wanted.has(index)) ready.push(toRgb(frame, index).finally(() => frame.close()));
      else frame.close();
      wake?.();
    },
    error(e) {
      failure = new Error(`${name}: the browser's H.264 decoder failed: ${e.message}`);
      wake?.();
    },
  });
  // Woken by an output, an error, or a chunk leaving the queue (the decoder may hold frames for reordering).
  decoder.addEventListener("dequeue", () => wake?.());
  const settle = () => new Promise<void>((resolve) => (wake = resolve));
  try {
    decoder.configure(config);
    let next = 0;
    while (produced <= last) {
      if (failure) throw failure;
      while (ready.length) yield await ready.shift()!;
      if (next < track.samples.length && decoder.decodeQueueSize < MAX_QUEUE) {
        const s = track.samples[next++];
        decoder.decode(new EncodedVideoChunk({ type: s.key ? "key" : "delta", timestamp: s.timeUs, data: bytes.subarray(s.offset, s.offset + s.size) }));
      } else if (next < track.samples.length) await settle();
      else {
        await decoder.flush();
        if (produced <= last) throw new Error(`${name}: the browser decoded ${produced} frames; frame ${last} is past the last decodable one`);
      }
    }
    if (failure) throw failure;
    while (ready.length) yield await ready.shift()!;
  } finally {
    if (decoder.state !== "closed") decoder.close();
  }
}

/** The frame's visible pixels as RGB: its YUV planes converted like ffmpeg where they are 4:2:0, else the canvas's. */
async function toRgb(frame: VideoFrame, index: number): Promise<RgbFrame> {
  const { width, height } = frame.visibleRect!;
  if (frame.format === "I420" || frame.format === "I420A" || frame.format === "NV12") {
    const data = new Uint8Array(frame.allocationSize());
    const [y, u, v] = await frame.copyTo(data);
    return { index, width, height, rgb: yuv420ToRgb({ width, height, data, y, u, v, uv: frame.format === "NV12" }) };
  }
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
  ctx.drawImage(frame, 0, 0);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0, q = 0; p < rgba.length; p += 4, q += 3) [rgb[q], rgb[q + 1], rgb[q + 2]] = [rgba[p], rgba[p + 1], rgba[p + 2]];
  return { index, width, height, rgb };
}
