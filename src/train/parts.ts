// Tunable parts by name, as the official trainer groups parameters (mm_tunable_parts, per-module learning rates).
export const PARTS = ["vision_tower", "mm_projector", "vision_resampler", "language_model"] as const;
export type Part = (typeof PARTS)[number];

// The official train.py unfreezes "mm_language_model" as every name without vision_tower / mm_projector /
// vision_resampler, and llava_trainer.py keys learning rates on the same substrings: `model.image_newline`
// (the memory's newline token) is therefore trained, at the base learning rate, with the language model.
export function partOf(name: string): Part {
  if (name.startsWith("model.vision_tower.")) return "vision_tower";
  if (name.startsWith("model.mm_projector.")) return "mm_projector";
  if (name.startsWith("model.vision_resampler.")) return "vision_resampler";
  return "language_model";
}
