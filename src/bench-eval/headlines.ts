// The benchmarks' summary numbers, in percent: accuracy over questions, and macro averages (M-Avg) over a
// category's groups, each optionally restricted to a subset (one duration group, one TempCompass task).
import type { Headline, ResultRow } from "./types.ts";

type Filter = (r: ResultRow) => boolean;

export const categoryIs =
  (dim: string, value: string): Filter =>
  (r) => {
    const v = r.categories[dim];
    return Array.isArray(v) ? v.includes(value) : v === value;
  };

function pct(rows: readonly ResultRow[]): number {
  return rows.length ? (100 * rows.filter((r) => r.correct).length) / rows.length : NaN;
}

export function accuracy(label: string, filter: Filter = () => true): Headline {
  return { label, compute: (rows) => pct(rows.filter(filter)) };
}

/** Mean of the per-group accuracies of `dim` over the groups that have questions, or, with `over`, over exactly
 * those groups, one without questions counting 0 (how lmms-eval's MLVU average divides by its seven task types). */
export function macroAverage(label: string, dim: string, filter: Filter = () => true, over?: readonly string[]): Headline {
  return {
    label,
    compute(rows) {
      const groups = new Map<string, ResultRow[]>((over ?? []).map((g) => [g, []]));
      for (const r of rows.filter(filter)) {
        const v = r.categories[dim];
        for (const g of Array.isArray(v) ? v : [v]) if (!over || groups.has(g)) groups.set(g, [...(groups.get(g) ?? []), r]);
      }
      const accs = [...groups.values()].map((g) => (g.length ? pct(g) : 0));
      return accs.length ? accs.reduce((a, b) => a + b, 0) / accs.length : NaN;
    },
  };
}
