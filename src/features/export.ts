// Per-video features in the official pre-extracted layout, for users who train with the official PyTorch code
// (scripts/embedding/videomarathon_emb.py writes {"vid_feat": [T, 64, 1152], "duration"} per video): the SigLIP
// features after the bilinear 27×27 → 8×8 pooling and before the projector, sampled by the feature-extraction
// rule (max(duration, 128) frames by linspace, plus the last). Written as safetensors (vid_feat, duration),
// streamed batch by batch, and renamed into place only when complete.
import { createSafetensorsWriter } from "../io/safetensors.ts";
import type { HourLlava } from "../model/arch/hourllava.ts";
import { TOKENS_PER_FRAME } from "../model/arch/projector.ts";
import { FrameBatches } from "../video/frame-batches.ts";
import { encodeAllFrames } from "../app/core.ts";
import { planFrames } from "../video/video-frames.ts";

export interface FeatureExport {
  path: string;
  frames: number;
  width: number;
  durationS: number;
}

export async function exportFeatures(
  model: HourLlava,
  video: string,
  out: string,
  o: { batch?: number; dtype?: "F32" | "F16"; onProgress?: (frames: number) => void } = {},
): Promise<FeatureExport> {
  const plan = await planFrames(video, { strategy: "one-fps-min" });
  const T = plan.sample.indices.length;
  const v = model.config.vision;
  const width = v.hidden_size;
  const dtype = o.dtype ?? "F32";
  const w = createSafetensorsWriter(
    out,
    [
      { name: "vid_feat", dtype, shape: [T, TOKENS_PER_FRAME, width] },
      { name: "duration", dtype: "F32", shape: [] },
    ],
    { format: "pt", video, frame_indices: JSON.stringify(plan.sample.indices) },
  );
  const frames = new FrameBatches(video, plan, v.image_size);
  try {
    // The app's one encode loop (app/core.ts), keeping the pooled features instead of the tokens.
    let done = 0;
    const take = (start: number, count: number) => frames.take(start, count);
    const keep = (pooled: Float32Array) => w.write("vid_feat", pooled);
    const progress = (n: number) => {
      o.onProgress?.(n - done); // the caller counts frames per batch
      done = n;
    };
    await encodeAllFrames(model, take, T, o.batch ?? 8, { decodeS: 0, encodeS: 0 }, keep, progress, "pooled");
    w.write("duration", [plan.sample.durationS]);
    w.finish();
  } catch (e) {
    w.abort();
    throw e;
  } finally {
    await frames.close();
  }
  return { path: out, frames: T, width, durationS: plan.sample.durationS };
}
