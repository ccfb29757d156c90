// Accuracy per group of one category dimension; a question with several values counts in each of its groups.
import type { ResultRow } from "./types.ts";

export interface GroupScore {
  group: string;
  n: number;
  correct: number;
  /** Percent. */
  acc: number;
}

export function groupScores(rows: readonly ResultRow[], dim: string): GroupScore[] {
  const m = new Map<string, { n: number; correct: number }>();
  for (const r of rows) {
    const v = r.categories[dim];
    for (const g of Array.isArray(v) ? v : [v ?? "(none)"]) {
      const s = m.get(g) ?? { n: 0, correct: 0 };
      s.n++;
      if (r.correct) s.correct++;
      m.set(g, s);
    }
  }
  return [...m].map(([group, s]) => ({ group, ...s, acc: (100 * s.correct) / s.n })).sort((a, b) => a.group.localeCompare(b.group, "en", { numeric: true }));
}
