// The time instruction of the streaming loader (notes §4.2) and the frame count it states for a
// VideoMarathon video. The text itself comes from the chat template so there is one copy of it.
export { timeInstruction } from "../io/chat-template.ts";

/**
 * Frames the official streaming loader samples from a VideoMarathon feature file and states in the time
 * instruction: min(T_feat, int(duration)) (streaming_supervised_dataset.py). The extractor stores
 * T_feat = max(int(duration), 128) frames, so without the feature file this is int(duration): exactly
 * 1 fps. `featureFrames` is T_feat when the feature file is at hand.
 */
export function videoMarathonFrameCount(durationS: number, featureFrames?: number): number {
  if (!(durationS > 0) || !Number.isFinite(durationS)) throw new Error(`frame count: duration must be a positive number of seconds, got ${durationS}`);
  const perSecond = Math.floor(durationS);
  return featureFrames === undefined ? perSecond : Math.min(featureFrames, perSecond);
}
