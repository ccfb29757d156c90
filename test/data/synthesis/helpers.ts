// Shared bits of the synthesis tests: a real 1×1 PNG frame, a config pointing at the fake server.
import { parseSynthConfig, type SynthConfig } from "../../../src/data/synthesis/config.ts";
import type { FramesForClip } from "../../../src/data/synthesis/pipeline.ts";
import type { VideoSpec } from "../../../src/data/synthesis/video-spec.ts";

export const PNG_1X1 = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

export function testConfig(baseURL: string, extra: Record<string, unknown> = {}): SynthConfig {
  return parseSynthConfig({
    baseURL,
    apiKey: "test-key",
    captioner: { model: "cap-model" },
    summarizer: { model: "sum-model", temperature: 0.2 },
    framesPerClip: 2,
    network: { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 10_000 },
    ...extra,
  });
}

/** Two frames per clip, recording which windows were asked for. */
export function pngFrames(log?: string[]): FramesForClip {
  return async (video, s, e) => {
    log?.push(`${video.id}:${s}-${e}`);
    return [PNG_1X1, PNG_1X1];
  };
}

export const video = (id: string, duration = 100): VideoSpec => ({ id, video: `panda/${id}.mp4`, duration, data_source: "panda" });

/** Calls per video of `duration` s with 3 events: clips + split + events + global + 12 QA calls. */
export const callsPerVideo = (clips: number, events = 3) => clips + 1 + events + 1 + 12;
