// What a question template returns, and the small helpers the templates share.
import type { Rng } from "./rng.ts";
import type { Appearance, World, WorldEvent } from "./world.ts";
import { COLOURS, SHAPES } from "./vocab.ts";
import { formatTime } from "./phrases.ts";

export interface Span {
  start: number;
  end: number;
}

/** One question in both formats. `mc` replaces the open-ended question/answer for the multiple-choice form
 * where the two differ (e.g. a yes/no question becomes "which of these..."); null means no MC form. */
export interface Draft {
  /** Template name, e.g. "first-appear-time". */
  kind: string;
  question: string;
  answer: string;
  /** Wrong answers to draw MC options from (more than three is fine; duplicates and the answer are dropped). */
  distractors: string[];
  span: Span;
  mc?: { question: string; answer: string; distractors: string[] } | null;
}

export interface Ctx {
  world: World;
  rng: Rng;
}

export type Template = (ctx: Ctx) => Draft | null;

export const whole = (w: World): Span => ({ start: 0, end: w.durationS });

/** Nearby wrong counts/durations, never negative (or below min). */
export function numberPool(answer: number, min = 0): string[] {
  const out = new Set<number>();
  for (const d of [1, -1, 2, -2, 3, -3, 4, 5, -4, -5]) out.add(answer + d);
  for (const f of [0.5, 1.5, 2]) out.add(Math.round(answer * f));
  out.delete(answer);
  return [...out].filter((n) => n >= min).map(String);
}

/** Wrong times: other events' starts, then near misses. */
export function timePool(world: World, answer: number): string[] {
  const out: string[] = [];
  for (const e of world.events) if (e.start !== answer) out.push(formatTime(e.start));
  for (const d of [5, -5, 10, -10, 20, -20]) if (answer + d >= 0 && answer + d < world.durationS) out.push(formatTime(answer + d));
  return out;
}

export function appearedIds(world: World): number[] {
  return [...new Set(world.appearances.map((a) => a.objectId))];
}

/** Names of colour+shape combinations the world never shows. */
export function absentNames(world: World): string[] {
  const shown = new Set(appearedIds(world).map((id) => world.objects[id].name));
  const out: string[] = [];
  for (const c of COLOURS) for (const s of SHAPES) if (!shown.has(`${c} ${s}`)) out.push(`${c} ${s}`);
  return out;
}

export function appearancesOf(world: World, objectId: number): Appearance[] {
  return world.appearances.filter((a) => a.objectId === objectId);
}

export function eventsOfKind<K extends WorldEvent["kind"]>(world: World, ...kinds: K[]): (WorldEvent & { kind: K })[] {
  return world.events.filter((e): e is WorldEvent & { kind: K } => (kinds as string[]).includes(e.kind));
}

/** Every permutation of a short list (≤ 5 items), the identity first. */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  const out: T[][] = [];
  items.forEach((x, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

/** Picks uniformly, or null from an empty list (templates then give up). */
export function maybePick<T>(rng: Rng, items: readonly T[]): T | null {
  return items.length ? rng.pick(items) : null;
}
