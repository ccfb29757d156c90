// Tunable parts by name, as the official trainer groups parameters (mm_tunable_parts, per-module learning rates).
export const PARTS = ["vision_tower", "mm_projector", "vision_resampler", "language_model"] as const;
export type Part = (typeof PARTS)[number];

export function partOf(name: string): Part {
  if (name.startsWith("model.vision_tower.")) return "vision_tower";
  if (name.startsWith("model.mm_projector.") || name === "model.image_newline") return "mm_projector";
  if (name.startsWith("model.vision_resampler.")) return "vision_resampler";
  return "language_model";
}
