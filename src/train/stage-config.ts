// Applies a config's stage: the official tunable parts and learning rates, the stage's data kind, and clear
// errors where the config contradicts the stage. Without a stage the defaults are stage 3's parts.
import { findTask } from "../data/taxonomy.ts";
import type { RawTrainConfig, TrainConfig } from "./config-schema.ts";
import type { Part } from "./parts.ts";
import { STAGES } from "./stages.ts";
import type { SynthKind } from "./stages.ts";

/** Stage 2's stand-in questions: what a short clip shows, no long-range reasoning. */
export const SIMPLE_TASKS = ["Object Recognition", "Object Attribute", "Object Existence", "Scene Recognition", "Spatial Perception", "Action Recognition"];

const DURATIONS: Record<SynthKind, [number, number]> = { frame: [60, 180], clip: [10, 30], video: [60, 180] };

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

export function resolveStage(c: RawTrainConfig): TrainConfig {
  const stage = c.stage;
  const recipe = stage ? STAGES[stage] : undefined;
  const label = recipe ? `stage ${stage} (${recipe.name})` : "";
  if (stage && recipe) {
    if (c.tunable && !sameSet(c.tunable, recipe.tunable))
      throw new Error(`tunable: ${label} trains exactly [${recipe.tunable.join(", ")}]; drop tunable or the stage`);
    for (const p of Object.keys(c.lr) as Part[]) if (!recipe.tunable.includes(p)) throw new Error(`lr.${p}: ${label} freezes ${p}, so it has no learning rate`);
    // Stage 1 trains MemAug alone, so it needs a vision tower and LLM that already work (the official run
    // starts from LLaVA-OV-SI); stages 2 and 3 continue the previous stage.
    if (!("from" in c.model))
      throw new Error(
        stage === 1
          ? `model: ${label} trains only MemAug, so it starts from a trained model (model.from; the official recipe starts from LLaVA-OV-SI)`
          : `model: ${label} starts from the previous stage's checkpoint: set model.from to stage ${stage - 1}'s output folder`,
      );
    if (stage === 1 && c.data.synth.kind && c.data.synth.kind !== "frame")
      throw new Error(`data.synth.kind: ${label} trains on images (single frames, "frame"), got "${c.data.synth.kind}"`);
  }
  const s = c.data.synth;
  const kind = s.kind ?? recipe?.data ?? "video";
  const [lo, hi] = DURATIONS[kind];
  const minDurationS = s.minDurationS ?? lo;
  const maxDurationS = s.maxDurationS ?? Math.max(hi, minDurationS);
  if (maxDurationS < minDurationS) throw new Error(`data.synth.maxDurationS: ${maxDurationS} is below minDurationS ${minDurationS}`);
  const tasks = s.tasks ?? (kind === "clip" ? SIMPLE_TASKS : undefined);
  tasks?.forEach((t, i) => {
    if (!findTask(t)) throw new Error(`data.synth.tasks.${i}: unknown task "${t}"`);
  });
  if (kind === "frame" && s.tasks) throw new Error(`data.synth.tasks: kind "frame" asks its own questions about one frame; drop tasks`);
  if (kind === "frame" && s.frameShare > 0)
    throw new Error(`data.synth.frameShare: kind "frame" is all frames already; frameShare mixes frames into clips or videos`);
  const scale = (x: number) => x * c.lrScale;
  const lr = Object.fromEntries(Object.entries({ ...recipe?.lr, ...c.lr }).map(([p, x]) => [p, scale(x)])) as Partial<Record<Part, number>>;
  return {
    ...c,
    tunable: c.tunable ?? recipe?.tunable ?? ["mm_projector", "vision_resampler", "language_model"],
    baseLr: scale(c.baseLr ?? recipe?.baseLr ?? 2e-5),
    lr,
    data: { synth: { ...s, kind, minDurationS, maxDurationS, ...(tasks ? { tasks } : {}) } },
  };
}
