// Read-only queries over a world's log: what is on screen at frame t, where, and in which scene.
import { appearancePositionAt, type Appearance, type SceneSpan, type Vec, type World, type WorldObject } from "./world.ts";
import { REGIONS, type ActionWord, type Region } from "./vocab.ts";

export interface VisibleObject {
  object: WorldObject;
  appearance: Appearance;
  pos: Vec;
}

export interface FrameState {
  t: number;
  scene: SceneSpan;
  flash: boolean;
  /** In drawing order: earlier appearances first, so a newer object is drawn on top. */
  objects: VisibleObject[];
}

export function checkFrameIndex(world: World, t: number): void {
  if (!Number.isInteger(t) || t < 0 || t >= world.durationS) {
    throw new Error(`frame ${t} is outside the world's timeline [0, ${world.durationS - 1}] (1 fps, integer seconds)`);
  }
}

export function sceneAt(world: World, t: number): SceneSpan {
  checkFrameIndex(world, t);
  // Scenes partition [0, durationS): binary search on start.
  let lo = 0;
  let hi = world.scenes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (world.scenes[mid].start <= t) lo = mid;
    else hi = mid - 1;
  }
  return world.scenes[lo];
}

export function visibleAt(world: World, t: number): VisibleObject[] {
  checkFrameIndex(world, t);
  const out: VisibleObject[] = [];
  for (const app of world.appearances) {
    if (app.start > t) break; // appearances are created in time order
    if (t < app.end) out.push({ object: world.objects[app.objectId], appearance: app, pos: appearancePositionAt(app, t) });
  }
  return out;
}

export function frameState(world: World, t: number): FrameState {
  const flash = world.events.some((e) => e.kind === "flash" && e.start === t);
  return { t, scene: sceneAt(world, t), flash, objects: visibleAt(world, t) };
}

/** The 3×3 region holding a point of the unit square. */
export function regionOf(p: Vec): Region {
  const col = p.x < 1 / 3 ? 0 : p.x < 2 / 3 ? 1 : 2;
  const row = p.y < 1 / 3 ? 0 : p.y < 2 / 3 ? 1 : 2;
  return REGIONS[row * 3 + col];
}

/** Distance from a point to the nearest 3×3 region boundary, to skip questions a viewer could get wrong. */
export function regionMargin(p: Vec): number {
  const m = (v: number): number => Math.min(Math.abs(v - 1 / 3), Math.abs(v - 2 / 3));
  return Math.min(m(p.x), m(p.y));
}

/** What an object is doing at frame t (it must be visible then); interactions count as null. */
export function actionAt(world: World, objectId: number, t: number): ActionWord | null {
  for (const e of world.events) {
    if (e.start > t) break;
    if (t >= e.end) continue;
    if (e.kind === "move" && e.objectId === objectId) return `moving ${e.direction}`;
    if ((e.kind === "touch" || e.kind === "merge") && e.objectId === objectId) return null;
    if (e.kind === "bounce" && (e.objectId === objectId || e.otherId === objectId)) return null;
  }
  return "standing still";
}
