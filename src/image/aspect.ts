// config.json's `image_aspect_ratio` as the image path reads it (official process_images and multi_image_resize):
// anyres tiling with or without a token budget (`anyres_max_N`: the unpadded grid is downscaled to about N tiles'
// worth of tokens), or one tile (`pad`: letterboxed to a square first; anything else: squashed to a square).

export type ImageAspect = { kind: "anyres"; maxTiles?: number } | { kind: "pad" } | { kind: "square" };

export function parseImageAspect(value: string | undefined): ImageAspect {
  const v = value ?? "anyres_max_9";
  if (v === "anyres") return { kind: "anyres" };
  const m = /^anyres_max_(\d+)$/.exec(v);
  if (m) return { kind: "anyres", maxTiles: Number(m[1]) };
  if (v.startsWith("anyres") || v === "highres" || v === "crop_split")
    throw new Error(`image_aspect_ratio "${v}" is not supported for images (supported: anyres, anyres_max_N, pad, square)`);
  return v === "pad" ? { kind: "pad" } : { kind: "square" };
}
