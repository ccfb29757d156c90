// The synthetic world's whole vocabulary. Kept small on purpose: the tiny model's tokenizer is trained on
// the text built from these words.

export const SHAPES = ["circle", "square", "triangle", "diamond"] as const;
export const COLOURS = ["red", "green", "blue", "yellow", "white", "orange"] as const;
export const SIZES = ["small", "large"] as const;
export const DIRECTIONS = ["left", "right", "up", "down"] as const;
export const SCENES = ["red room", "blue field", "green forest", "yellow desert", "gray city", "purple cave"] as const;
export const INTERACTIONS = ["touch", "bounce", "merge"] as const;
/** 3×3 screen regions, row by row. */
export const REGIONS = ["top left", "top", "top right", "left", "center", "right", "bottom left", "bottom", "bottom right"] as const;

export type Shape = (typeof SHAPES)[number];
export type Colour = (typeof COLOURS)[number];
export type Size = (typeof SIZES)[number];
export type Direction = (typeof DIRECTIONS)[number];
export type SceneName = (typeof SCENES)[number];
export type InteractionKind = (typeof INTERACTIONS)[number];
export type Region = (typeof REGIONS)[number];

/** Radius in world units (the world is the unit square; renderers scale radii by the shorter side). */
export const RADIUS: Record<Size, number> = { small: 0.09, large: 0.14 };

/** Share of the circumradius at which a shape meets another in touch/bounce/merge: a square's or
 * diamond's side lies inside its circumcircle, so contact by circumradius would leave a visible gap. */
export const CONTACT_FACTOR: Record<Shape, number> = { circle: 1, square: 0.85, diamond: 0.85, triangle: 0.8 };

/** What an object is doing, as Action Recognition answers it. */
export const ACTION_WORDS = ["moving left", "moving right", "moving up", "moving down", "standing still"] as const;
export type ActionWord = (typeof ACTION_WORDS)[number];
