// The synthetic long-video world: one import for the CLI, the demo, the eval harness and the trainer.
export { Rng, hashString32 } from "./rng.ts";
export * from "./vocab.ts";
export {
  generateWorld,
  appearancePositionAt,
  contactDistance,
  type World,
  type WorldOptions,
  type WorldEvent,
  type WorldObject,
  type Appearance,
  type SceneSpan,
} from "./world.ts";
export { frameState, sceneAt, visibleAt, actionAt, regionOf, type FrameState, type VisibleObject } from "./state.ts";
export { renderFrame, renderFrames, type Resolution } from "./render.ts";
export { OBJECT_RGB, SCENE_LOOK } from "./palette.ts";
export { writeWorldMp4, type Mp4Options } from "./mp4.ts";
export { formatTime, parseTime, eventPhrase } from "./phrases.ts";
export { summarise } from "./summary.ts";
export { generateQuestions, answerMatches, normaliseAnswer, TASK_TEMPLATES, type SynthQuestion, type QaFormat, type QuestionOptions } from "./questions.ts";
export {
  buildSynthDataset,
  writeSynthDataset,
  planWorlds,
  DATA_SOURCE,
  type SynthDataset,
  type SynthRecord,
  type SynthFlatQa,
  type SynthDatasetOptions,
} from "./dataset.ts";
