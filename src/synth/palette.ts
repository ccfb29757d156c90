// RGB values for the world's colours and scene backgrounds. Backgrounds are dark and muted, objects bright
// and saturated, so an object never blends into any scene.
import type { Colour, SceneName } from "./vocab.ts";

export type Rgb = readonly [number, number, number];

export const OBJECT_RGB: Record<Colour, Rgb> = {
  red: [230, 40, 40],
  green: [40, 190, 60],
  blue: [50, 100, 240],
  yellow: [245, 220, 40],
  white: [245, 245, 245],
  orange: [250, 140, 30],
};

export type Pattern = "floor" | "hstripes" | "vstripes" | "dots" | "checks" | "diagonal";

export interface SceneLook {
  base: Rgb;
  alt: Rgb;
  pattern: Pattern;
}

export const SCENE_LOOK: Record<SceneName, SceneLook> = {
  "red room": { base: [110, 40, 40], alt: [140, 75, 60], pattern: "floor" },
  "blue field": { base: [30, 45, 110], alt: [45, 65, 135], pattern: "hstripes" },
  "green forest": { base: [25, 80, 35], alt: [40, 105, 50], pattern: "vstripes" },
  "yellow desert": { base: [130, 110, 50], alt: [160, 140, 75], pattern: "dots" },
  "gray city": { base: [80, 80, 85], alt: [105, 105, 110], pattern: "checks" },
  "purple cave": { base: [65, 30, 85], alt: [50, 20, 65], pattern: "diagonal" },
};

export const FLASH_RGB: Rgb = [255, 255, 255];
