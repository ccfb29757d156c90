// The ground-truth event log of a procedural video at 1 fps. Time is in whole seconds; frame t shows the
// state during second t. Every interval is half-open [start, end): an object that appears at 12 and leaves
// at 30 is visible in frames 12..29. Beats (appear, leave, move, interaction, scene change, flash) never
// overlap and are separated by at least one idle second, so "what happened first/next" always has one
// answer. Objects keep apart on screen; interacting ones stop at contact (see contactDistance), close
// enough to look touching but never covering each other's centre, which keeps every frame readable.
import { Rng } from "./rng.ts";
import {
  COLOURS,
  CONTACT_FACTOR,
  DIRECTIONS,
  RADIUS,
  SCENES,
  SHAPES,
  SIZES,
  type Colour,
  type Direction,
  type InteractionKind,
  type SceneName,
  type Shape,
  type Size,
} from "./vocab.ts";

export interface Vec {
  x: number;
  y: number;
}

export interface WorldObject {
  id: number;
  /** "red circle": colour + shape, unique within a world. */
  name: string;
  shape: Shape;
  colour: Colour;
  size: Size;
  radius: number;
}

/** Straight-line motion: frame start shows the first step, frame end-1 shows `to`. */
export interface Motion {
  start: number;
  end: number;
  from: Vec;
  to: Vec;
}

export type ExitKind = "leave" | "merge" | "end";

/** One continuous stay of an object on screen. */
export interface Appearance {
  index: number;
  objectId: number;
  start: number;
  /** First second the object is gone (durationS if it stays to the end). */
  end: number;
  exit: ExitKind;
  at: Vec;
  motions: Motion[];
}

export interface SceneSpan {
  index: number;
  scene: SceneName;
  start: number;
  end: number;
}

interface EventBase {
  /** Position in the log. */
  index: number;
  start: number;
  end: number;
}
export type WorldEvent = EventBase &
  (
    | { kind: "appear"; objectId: number; appearance: number }
    | { kind: "leave"; objectId: number; appearance: number }
    | { kind: "move"; objectId: number; direction: Direction }
    | { kind: InteractionKind; objectId: number; otherId: number }
    | { kind: "scene"; scene: SceneName; from: SceneName }
    | { kind: "flash" }
  );
export type EventKind = WorldEvent["kind"];

export interface WorldOptions {
  seed: number;
  durationS: number;
  /** Most objects on screen at once (default 3). */
  maxOnScreen?: number;
  /** Mean idle seconds between beats (default grows with the duration: 2 s for short worlds, 20 s for an hour). */
  meanGapS?: number;
  /** How many distinct objects the world uses (default 4, plus one per 400 s, at most 10). */
  objectCount?: number;
}

export interface World {
  seed: number;
  durationS: number;
  fps: 1;
  options: Required<WorldOptions>;
  objects: WorldObject[];
  scenes: SceneSpan[];
  appearances: Appearance[];
  events: WorldEvent[];
}

export const MIN_DURATION_S = 10;
export const MAX_DURATION_S = 6 * 3600;
/** Keep objects off the very edge (where the flash border is drawn). */
const EDGE = 0.03;
/** Clearance between objects that are not interacting. */
const CLEARANCE = 0.03;

export function resolveWorldOptions(o: WorldOptions): Required<WorldOptions> {
  const need = (name: string, v: unknown, lo: number, hi: number): number => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
      throw new Error(`generateWorld: ${name} must be an integer in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const seed = need("seed", o.seed, 0, 0xffffffff);
  const durationS = need("durationS", o.durationS, MIN_DURATION_S, MAX_DURATION_S);
  const maxOnScreen = need("maxOnScreen", o.maxOnScreen ?? 3, 1, 4);
  const meanGapS = need("meanGapS", o.meanGapS ?? Math.min(20, Math.max(2, Math.round(durationS / 180))), 1, 600);
  const objectCount = need("objectCount", o.objectCount ?? Math.min(10, 4 + Math.floor(durationS / 400)), 2, SHAPES.length * COLOURS.length);
  return { seed, durationS, maxOnScreen, meanGapS, objectCount };
}

const q = (v: number): number => Math.round(v * 1000) / 1000;

/** Position of a motion-carrying appearance at frame t (t inside the appearance). */
export function appearancePositionAt(app: Appearance, t: number): Vec {
  let pos = app.at;
  for (const m of app.motions) {
    // The last frame of a motion is exactly `to` (no lerp rounding), so the object rests where logged.
    if (t >= m.end - 1) {
      pos = m.to;
      continue;
    }
    if (t >= m.start) {
      const f = (t - m.start + 1) / (m.end - m.start);
      return { x: m.from.x + (m.to.x - m.from.x) * f, y: m.from.y + (m.to.y - m.from.y) * f };
    }
    break;
  }
  return pos;
}

interface Live {
  app: Appearance;
  obj: WorldObject;
  pos: Vec;
}

function dist(a: Vec, b: Vec): number {
  return Math.sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y));
}

/** Centre distance at which two shapes look like they touch. */
export function contactDistance(a: WorldObject, b: WorldObject): number {
  return a.radius * CONTACT_FACTOR[a.shape] + b.radius * CONTACT_FACTOR[b.shape];
}

function inBounds(p: Vec, r: number): boolean {
  const lo = r + EDGE;
  const hi = 1 - r - EDGE;
  return p.x >= lo && p.x <= hi && p.y >= lo && p.y <= hi;
}

/** Frames s..s+k-1 of a straight move from a to b, as appearancePositionAt draws them. */
function pathFrames(a: Vec, b: Vec, k: number): Vec[] {
  const out: Vec[] = [];
  for (let i = 1; i <= k; i++) out.push({ x: a.x + ((b.x - a.x) * i) / k, y: a.y + ((b.y - a.y) * i) / k });
  return out;
}

function pathClear(mover: Live, path: Vec[], others: Live[]): boolean {
  for (const p of path) {
    if (!inBounds(p, mover.obj.radius)) return false;
    for (const o of others) if (dist(p, o.pos) < mover.obj.radius + o.obj.radius + CLEARANCE) return false;
  }
  return true;
}

export function generateWorld(options: WorldOptions): World {
  const opts = resolveWorldOptions(options);
  const { durationS, maxOnScreen, meanGapS } = opts;
  const rng = new Rng(`world:${opts.seed}`);

  // Distinct (colour, shape) identities; sizes free.
  const combos: [Colour, Shape][] = [];
  for (const c of COLOURS) for (const s of SHAPES) combos.push([c, s]);
  const objects: WorldObject[] = rng.sample(combos, opts.objectCount).map(([colour, shape], id) => {
    const size = rng.pick(SIZES);
    return { id, name: `${colour} ${shape}`, shape, colour, size, radius: RADIUS[size] };
  });

  const scenes: SceneSpan[] = [{ index: 0, scene: rng.pick(SCENES), start: 0, end: durationS }];
  const appearances: Appearance[] = [];
  const events: WorldEvent[] = [];
  const live = new Map<number, Live>();
  const timesSeen = new Array<number>(objects.length).fill(0);
  const minSceneS = Math.max(6, 2 * meanGapS);
  const gap = (): number => rng.int(1, 2 * meanGapS - 1);

  type Draft = { end: number; commit: () => void };
  const push = (e: WorldEvent): void => void events.push(e);

  const tryAppear = (t: number): Draft | null => {
    const free = objects.filter((o) => !live.has(o.id));
    if (free.length === 0 || live.size >= maxOnScreen) return null;
    const obj = rng.weighted(free.map((o) => [o, timesSeen[o.id] === 0 ? 4 : 1] as const));
    for (let tries = 0; tries < 40; tries++) {
      const lo = obj.radius + EDGE;
      const p = { x: q(rng.float(lo, 1 - lo)), y: q(rng.float(lo, 1 - lo)) };
      if (!inBounds(p, obj.radius)) continue;
      if ([...live.values()].some((o) => dist(p, o.pos) < obj.radius + o.obj.radius + 2 * CLEARANCE)) continue;
      return {
        end: t + 1,
        commit: () => {
          const app: Appearance = { index: appearances.length, objectId: obj.id, start: t, end: durationS, exit: "end", at: p, motions: [] };
          appearances.push(app);
          live.set(obj.id, { app, obj, pos: p });
          timesSeen[obj.id]++;
          push({ index: events.length, kind: "appear", start: t, end: t + 1, objectId: obj.id, appearance: app.index });
        },
      };
    }
    return null;
  };

  const tryLeave = (t: number): Draft | null => {
    if (live.size === 0) return null;
    const l = rng.pick([...live.values()]);
    return {
      end: t + 1,
      commit: () => {
        l.app.end = t;
        l.app.exit = "leave";
        live.delete(l.obj.id);
        push({ index: events.length, kind: "leave", start: t, end: t + 1, objectId: l.obj.id, appearance: l.app.index });
      },
    };
  };

  const tryMove = (t: number): Draft | null => {
    if (live.size === 0) return null;
    for (let tries = 0; tries < 12; tries++) {
      const l = rng.pick([...live.values()]);
      const direction = rng.pick(DIRECTIONS);
      const k = rng.int(2, 5);
      const step = rng.float(0.04, 0.08);
      const d = q(step * k);
      const to = {
        x: q(l.pos.x + (direction === "left" ? -d : direction === "right" ? d : 0)),
        y: q(l.pos.y + (direction === "up" ? -d : direction === "down" ? d : 0)),
      };
      const others = [...live.values()].filter((o) => o !== l);
      if (!pathClear(l, pathFrames(l.pos, to, k), others)) continue;
      return {
        end: t + k,
        commit: () => {
          l.app.motions.push({ start: t, end: t + k, from: l.pos, to });
          l.pos = to;
          push({ index: events.length, kind: "move", start: t, end: t + k, objectId: l.obj.id, direction });
        },
      };
    }
    return null;
  };

  /** Unit vector from b's centre towards a's. */
  const unit = (a: Vec, b: Vec): Vec => {
    const dd = dist(a, b);
    return { x: (a.x - b.x) / dd, y: (a.y - b.y) / dd };
  };

  const tryInteract = (t: number): Draft | null => {
    if (live.size < 2) return null;
    const all = [...live.values()];
    for (let tries = 0; tries < 12; tries++) {
      const [a, b] = rng.sample(all, 2);
      const kind = rng.weighted([
        ["touch", 1],
        ["bounce", 1],
        ["merge", 1],
      ] as const);
      const k = rng.int(2, 4);
      const gapAB = dist(a.pos, b.pos) - a.obj.radius - b.obj.radius;
      if (gapAB < 0.06) continue;
      const others = all.filter((o) => o !== a && o !== b);
      if (kind === "bounce") {
        // Both close half the free gap, touch at frame t+k-1, then return along the same line.
        const u = unit(a.pos, b.pos);
        const g = (dist(a.pos, b.pos) - contactDistance(a.obj, b.obj)) / 2;
        const aTo = { x: q(a.pos.x - u.x * g), y: q(a.pos.y - u.y * g) };
        const bTo = { x: q(b.pos.x + u.x * g), y: q(b.pos.y + u.y * g) };

        if (!pathClear(a, pathFrames(a.pos, aTo, k), others) || !pathClear(b, pathFrames(b.pos, bTo, k), others)) continue;
        return {
          end: t + 2 * k,
          commit: () => {
            a.app.motions.push({ start: t, end: t + k, from: a.pos, to: aTo }, { start: t + k, end: t + 2 * k, from: aTo, to: a.pos });
            b.app.motions.push({ start: t, end: t + k, from: b.pos, to: bTo }, { start: t + k, end: t + 2 * k, from: bTo, to: b.pos });
            push({ index: events.length, kind: "bounce", start: t, end: t + 2 * k, objectId: a.obj.id, otherId: b.obj.id });
          },
        };
      }
      const u = unit(a.pos, b.pos);
      const want = contactDistance(a.obj, b.obj);
      const aTo = { x: q(b.pos.x + u.x * want), y: q(b.pos.y + u.y * want) };
      if (!pathClear(a, pathFrames(a.pos, aTo, k), others)) continue;
      return {
        end: t + k,
        commit: () => {
          a.app.motions.push({ start: t, end: t + k, from: a.pos, to: aTo });
          a.pos = aTo;
          if (kind === "merge") {
            // a is absorbed: its last frame shows it touching b.
            a.app.end = t + k;
            a.app.exit = "merge";
            live.delete(a.obj.id);
          }
          push({ index: events.length, kind, start: t, end: t + k, objectId: a.obj.id, otherId: b.obj.id });
        },
      };
    }
    return null;
  };

  const trySceneChange = (t: number): Draft | null => {
    const cur = scenes[scenes.length - 1];
    if (t - cur.start < minSceneS) return null;
    const next = rng.pick(SCENES.filter((s) => s !== cur.scene));
    return {
      end: t + 1,
      commit: () => {
        cur.end = t;
        scenes.push({ index: scenes.length, scene: next, start: t, end: durationS });
        push({ index: events.length, kind: "scene", start: t, end: t + 1, scene: next, from: cur.scene });
      },
    };
  };

  const tryFlash = (t: number): Draft | null => ({
    end: t + 1,
    commit: () => push({ index: events.length, kind: "flash", start: t, end: t + 1 }),
  });

  const makers = { appear: tryAppear, leave: tryLeave, move: tryMove, interact: tryInteract, scene: trySceneChange, flash: tryFlash };
  type Beat = keyof typeof makers;

  let t = rng.int(1, Math.min(3, meanGapS));
  while (t < durationS) {
    const n = live.size;
    const weights: [Beat, number][] = [
      ["appear", n >= maxOnScreen ? 0 : n === 0 ? 8 : 3],
      ["leave", n === 0 ? 0 : n >= maxOnScreen ? 2.5 : 1.2],
      ["move", n === 0 ? 0 : 3.5],
      ["interact", n < 2 ? 0 : 2],
      ["scene", 1],
      ["flash", 0.6],
    ];
    let draft: Draft | null = null;
    // A beat that cannot happen (no room, no free object) gives way to another kind.
    for (let tries = 0; tries < 6 && !draft; tries++) {
      const live_ = weights.filter(([, w]) => w > 0);
      if (live_.length === 0) break;
      const beat = rng.weighted(live_);
      draft = makers[beat](t);
      if (!draft) for (const w of weights) if (w[0] === beat) w[1] = 0;
    }
    // A beat must end before the last frame so its outcome (e.g. an object gone) is visible.
    if (draft && draft.end < durationS) draft.commit();
    else if (draft) break;
    t = (draft ? draft.end : t + 1) + gap();
  }

  return { seed: opts.seed, durationS, fps: 1, options: opts, objects, scenes, appearances, events };
}
