// Templates for the Spatiality topic: where an object is, where it is relative to another, where it went.
import { appearancePositionAt } from "./world.ts";
import { maybePick, type Template } from "./q-common.ts";
import { capitalise, formatTime, the } from "./phrases.ts";
import { regionMargin, regionOf, visibleAt } from "./state.ts";
import { DIRECTIONS, REGIONS } from "./vocab.ts";

/** How far from a 3×3 boundary a centre must be for its region to be unmistakable. */
export const REGION_MARGIN = 0.04;

const regionAt: Template = ({ world, rng }) => {
  const app = maybePick(rng, world.appearances);
  if (!app) return null;
  const t = rng.int(app.start, app.end - 1);
  const pos = appearancePositionAt(app, t);
  if (regionMargin(pos) < REGION_MARGIN) return null;
  const region = regionOf(pos);
  return {
    kind: "region-at",
    question: `Where on the screen was ${the(world, app.objectId)} at ${formatTime(t)}?`,
    answer: region,
    distractors: REGIONS.filter((r) => r !== region),
    span: { start: t, end: t + 1 },
  };
};

/** Dominant direction of a displacement, or null when neither axis clearly dominates. */
export function dominantDirection(dx: number, dy: number, min: number): "left" | "right" | "up" | "down" | null {
  const ax = Math.abs(dx);
  const ay = Math.abs(dy);
  if (ax >= min && ay <= ax / 2) return dx < 0 ? "left" : "right";
  if (ay >= min && ax <= ay / 2) return dy < 0 ? "up" : "down";
  return null;
}

const RELATIVE = { left: "left of", right: "right of", up: "above", down: "below" } as const;

const relativeAt: Template = ({ world, rng }) => {
  const t = rng.int(0, world.durationS - 1);
  const vis = visibleAt(world, t);
  if (vis.length < 2) return null;
  const [a, b] = rng.sample(vis, 2);
  const d = dominantDirection(a.pos.x - b.pos.x, a.pos.y - b.pos.y, 0.15);
  if (!d) return null;
  const answer = RELATIVE[d];
  return {
    kind: "relative-at",
    question: `At ${formatTime(t)}, where was ${the(world, a.object.id)} compared with ${the(world, b.object.id)}?`,
    answer,
    distractors: Object.values(RELATIVE).filter((r) => r !== answer),
    span: { start: t, end: t + 1 },
  };
};

export const spatialPerception = [regionAt, relativeAt];

const netDisplacement: Template = ({ world, rng }) => {
  const app = maybePick(
    rng,
    world.appearances.filter((a) => a.motions.length >= 2),
  );
  if (!app) return null;
  const last = appearancePositionAt(app, app.end - 1);
  const d = dominantDirection(last.x - app.at.x, last.y - app.at.y, 0.12);
  if (!d) return null;
  const when = app.exit === "end" ? "by the end of the video" : `by the time it disappeared at ${formatTime(app.end)}`;
  return {
    kind: "net-displacement",
    question: `${capitalise(the(world, app.objectId))} appeared at ${formatTime(app.start)}. Overall, which way had it moved ${when}?`,
    answer: d,
    distractors: DIRECTIONS.filter((x) => x !== d),
    span: { start: app.start, end: app.end },
  };
};

const whereItLeft: Template = ({ world, rng }) => {
  const app = maybePick(
    rng,
    world.appearances.filter((a) => a.exit !== "end" && a.motions.length >= 1),
  );
  if (!app) return null;
  const from = regionOf(app.at);
  const pos = appearancePositionAt(app, app.end - 1);
  if (regionMargin(pos) < REGION_MARGIN || regionMargin(app.at) < REGION_MARGIN) return null;
  const to = regionOf(pos);
  if (to === from) return null;
  return {
    kind: "region-when-gone",
    question: `${capitalise(the(world, app.objectId))} appeared in the ${from} part of the screen at ${formatTime(app.start)}. Where was it when it disappeared at ${formatTime(app.end)}?`,
    answer: to,
    distractors: REGIONS.filter((r) => r !== to),
    span: { start: app.start, end: app.end },
  };
};

export const spatialReasoning = [netDisplacement, whereItLeft];
