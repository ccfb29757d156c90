// The official three training stages (scripts/hourllava/qwen25_3b/s{1,2,3}_*.sh of jylins/hourllava): which
// parts each trains (mm_tunable_parts) and at what learning rate (--learning_rate for the rest, the
// mm_*_lr flags per part), what data it reads, and that stages 2 and 3 start from the previous stage's folder.
import type { Part } from "./parts.ts";

export type Stage = 1 | 2 | 3;
export type SynthKind = "frame" | "clip" | "video";

export interface StageRecipe {
  name: string;
  tunable: Part[];
  /** --learning_rate: every trained part without its own rate below. */
  baseLr: number;
  lr: Partial<Record<Part, number>>;
  /** The procedural stand-in for the stage's data: images → single frames, short videos, long videos. */
  data: SynthKind;
}

export const STAGES: Record<Stage, StageRecipe> = {
  1: { name: "image-language pretraining", tunable: ["vision_resampler"], baseLr: 1e-4, lr: { vision_resampler: 1e-4 }, data: "frame" },
  2: {
    name: "video-language adaptation",
    tunable: ["vision_tower", "mm_projector", "vision_resampler", "language_model"],
    baseLr: 2e-5,
    lr: { vision_tower: 5e-6, mm_projector: 1e-4, vision_resampler: 1e-4 },
    data: "clip",
  },
  3: {
    name: "video instruction tuning",
    tunable: ["mm_projector", "vision_resampler", "language_model"],
    baseLr: 2e-5,
    lr: { mm_projector: 1e-4, vision_resampler: 1e-4 },
    data: "video",
  },
};
