// Fixed English phrasing of times, objects and events, shared by the question templates and the summaries.
import type { World, WorldEvent } from "./world.ts";

/** "m:ss" (or "h:mm:ss" from one hour on). */
export function formatTime(t: number): string {
  if (!Number.isInteger(t) || t < 0) throw new Error(`formatTime: expected a non-negative integer second, got ${t}`);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = t % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** Inverse of formatTime; NaN when the text is not a time. */
export function parseTime(text: string): number {
  const m = /^(?:(\d+):)?(\d+):(\d\d)$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

const ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];

/** "first".."tenth", then "11th"... (1-based). */
export function ordinal(n: number): string {
  return ORDINALS[n - 1] ?? `${n}th`;
}

/** "a, b and c" */
export function listAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

export function the(world: World, objectId: number): string {
  return `the ${world.objects[objectId].name}`;
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Clause for an event, past tense ("the red circle moved left") or bare ("the red circle move left", after "did"). */
export function eventPhrase(world: World, e: WorldEvent, form: "past" | "bare" = "past"): string {
  const v = (past: string, bare: string): string => (form === "past" ? past : bare);
  switch (e.kind) {
    case "appear":
      return `${the(world, e.objectId)} ${v("appeared", "appear")}`;
    case "leave":
      return `${the(world, e.objectId)} ${v("left", "leave")}`;
    case "move":
      return `${the(world, e.objectId)} ${v("moved", "move")} ${e.direction}`;
    case "touch":
      return `${the(world, e.objectId)} ${v("touched", "touch")} ${the(world, e.otherId)}`;
    case "bounce":
      return `${the(world, e.objectId)} ${v("bounced", "bounce")} off ${the(world, e.otherId)}`;
    case "merge":
      return `${the(world, e.objectId)} ${v("merged", "merge")} into ${the(world, e.otherId)}`;
    case "scene":
      return `the scene ${v("changed", "change")} to the ${e.scene}`;
    case "flash":
      return `the screen ${v("flashed", "flash")}`;
  }
}

/** An event's phrase, with its time added when the phrase alone would fit more than one event. */
export function eventRef(world: World, e: WorldEvent): string {
  const p = eventPhrase(world, e);
  const same = world.events.filter((x) => eventPhrase(world, x) === p).length;
  return same === 1 ? p : `${p} at ${formatTime(e.start)}`;
}

export function isUniquePhrase(world: World, e: WorldEvent): boolean {
  const p = eventPhrase(world, e);
  return world.events.filter((x) => eventPhrase(world, x) === p).length === 1;
}
