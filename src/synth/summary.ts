// The canonical one-paragraph summary of a world (the Overall Summarization answer), and near-miss variants
// used as multiple-choice distractors.
import type { Rng } from "./rng.ts";
import type { World } from "./world.ts";
import { absentNames, appearedIds } from "./q-common.ts";
import { SCENES } from "./vocab.ts";

export interface SummaryParts {
  scenes: string[];
  objects: string[];
  flashes: number;
}

export function summaryParts(world: World): SummaryParts {
  return {
    scenes: world.scenes.map((s) => s.scene),
    objects: appearedIds(world).map((id) => world.objects[id].name),
    flashes: world.events.filter((e) => e.kind === "flash").length,
  };
}

export function formatSummary(p: SummaryParts): string {
  const objects = p.objects.length ? p.objects.join(", ") : "none";
  return `scenes: ${p.scenes.join(", ")}. objects: ${objects}. flashes: ${p.flashes}.`;
}

export function summarise(world: World): string {
  return formatSummary(summaryParts(world));
}

/** Summaries that differ from the true one in exactly one part. */
export function wrongSummaries(world: World, rng: Rng): string[] {
  const p = summaryParts(world);
  const out: SummaryParts[] = [];
  if (p.scenes.length >= 2) {
    const s = p.scenes.slice();
    const i = rng.int(0, s.length - 2);
    [s[i], s[i + 1]] = [s[i + 1], s[i]];
    out.push({ ...p, scenes: s });
    out.push({ ...p, scenes: p.scenes.slice(0, -1) });
  }
  const last = p.scenes[p.scenes.length - 1];
  out.push({ ...p, scenes: [...p.scenes, rng.pick(SCENES.filter((s) => s !== last))] });
  const absent = absentNames(world);
  if (p.objects.length && absent.length) {
    const o = p.objects.slice();
    o[rng.int(0, o.length - 1)] = rng.pick(absent);
    out.push({ ...p, objects: o });
  }
  if (p.objects.length >= 2) out.push({ ...p, objects: p.objects.slice(0, -1) });
  out.push({ ...p, flashes: p.flashes + 1 });
  if (p.flashes > 0) out.push({ ...p, flashes: p.flashes - 1 });
  return out.map(formatSummary);
}
