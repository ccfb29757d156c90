// The evaluation report: accuracy per topic, per short/long form and per question format, for each input
// variant beside chance, in-range and on longer videos than training saw; markdown + grouped bar charts.
import { escapeXml, svgToPng } from "../util/svg.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { TOPICS } from "../data/taxonomy.ts";
import type { EvalItem, Variant } from "./synth-eval.ts";
import { VARIANTS, chanceOf } from "./synth-eval.ts";

export const VARIANT_LABEL: Record<Variant | "chance", string> = {
  hourllava: "(a) Hour-LLaVA: memory + MemAug",
  no_memaug: "(b) decayed tokens, no MemAug",
  frames64: "(c) 64 uniform frames",
  chance: "chance",
};

interface Row {
  group: string;
  n: number;
  acc: Record<Variant | "chance", number>;
}

function rows(items: EvalItem[], chance: (it: EvalItem) => number): Row[] {
  const groups: [string, (it: EvalItem) => boolean][] = [
    ...TOPICS.map((t) => [t, (it: EvalItem) => it.q.topic === t] as [string, (it: EvalItem) => boolean]),
    ["short-form", (it) => it.q.form === "short"],
    ["long-form", (it) => it.q.form === "long"],
    ["open-ended", (it) => it.q.format === "open"],
    ["multiple-choice", (it) => it.q.format === "mc"],
    // MemAug's own ground: answers only the full memory holds (a brief event between the frames forgetting keeps).
    ["answer only in dropped frames", (it) => it.evidence === "dropped"],
    ["answer in kept frames", (it) => it.evidence === "kept"],
    ["all", () => true],
  ];
  // The extra brief-event questions (--brief-seeds) count only in the evidence rows.
  const evidenceRow = (g: string) => g.startsWith("answer ");
  return groups
    .map(([group, f]) => {
      const sel = items.filter((it) => f(it) && (!it.extra || evidenceRow(group)));
      const mean = (g: (it: EvalItem) => number) => (sel.length ? sel.reduce((s, it) => s + g(it), 0) / sel.length : NaN);
      const acc = { chance: mean(chance) } as Row["acc"];
      for (const v of VARIANTS) {
        const has = sel.filter((it) => it.correct[v] !== undefined);
        acc[v] = has.length ? has.filter((it) => it.correct[v]).length / has.length : NaN;
      }
      return { group, n: sel.length, acc };
    })
    .filter((r) => r.n > 0);
}

const pct = (x: number) => (Number.isNaN(x) ? "–" : `${(100 * x).toFixed(1)}`);

function table(title: string, rs: Row[]): string {
  const cols: (Variant | "chance")[] = [...VARIANTS, "chance"];
  const head = `| ${title} | n | ${cols.map((c) => VARIANT_LABEL[c]).join(" | ")} |\n|---|---:|${cols.map(() => "---:").join("|")}|`;
  return [head, ...rs.map((r) => `| ${r.group} | ${r.n} | ${cols.map((c) => pct(r.acc[c])).join(" | ")} |`)].join("\n");
}

const COLOR: Record<Variant | "chance", string> = { hourllava: "#08519c", no_memaug: "#6baed6", frames64: "#fd8d3c", chance: "#bdbdbd" };

export function barChartSvg(title: string, rs: Row[]): string {
  // A variant that applies to none of the chart's questions (64 frames of a single frame) gets no bars and no legend.
  const cols = ([...VARIANTS, "chance"] as const).filter((c) => rs.some((r) => !Number.isNaN(r.acc[c])));
  const W = 900;
  const H = 420;
  const m = { l: 50, r: 20, t: 40, b: 130 }; // rotated group labels, then the legend below them
  const gw = (W - m.l - m.r) / rs.length;
  const bw = (gw * 0.8) / cols.length;
  const Y = (v: number) => H - m.b - v * (H - m.t - m.b);
  const bars = rs.flatMap((r, gi) =>
    cols.map((c, ci) => {
      const v = Number.isNaN(r.acc[c]) ? 0 : r.acc[c];
      const x = m.l + gi * gw + gw * 0.1 + ci * bw;
      return `<rect x="${x.toFixed(1)}" y="${Y(v).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${(Y(0) - Y(v)).toFixed(1)}" fill="${COLOR[c]}"/>`;
    }),
  );
  const labels = rs.map((r, gi) => {
    const x = m.l + gi * gw + gw / 2;
    return `<text x="${x}" y="${H - m.b + 14}" font-size="11" text-anchor="end" transform="rotate(-35 ${x} ${H - m.b + 14})">${escapeXml(r.group)} (${r.n})</text>`;
  });
  const grid = [0, 0.25, 0.5, 0.75, 1].map(
    (f) =>
      `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(f)}" y2="${Y(f)}" stroke="#eee"/><text x="${m.l - 6}" y="${Y(f) + 4}" font-size="11" text-anchor="end">${f * 100}%</text>`,
  );
  let lx = m.l;
  const legend = cols.map((c) => {
    const x = lx;
    lx += 36 + VARIANT_LABEL[c].length * 6.2; // room for the label at 11 px
    return `<rect x="${x}" y="${H - 22}" width="12" height="12" fill="${COLOR[c]}"/><text x="${x + 16}" y="${H - 12}" font-size="11">${VARIANT_LABEL[c]}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="24" font-size="15" text-anchor="middle">${escapeXml(title)}</text>
${grid.join("\n")}
${bars.join("\n")}
${labels.join("\n")}
${legend.join("\n")}
</svg>`;
}

export interface ReportMeta {
  model: string;
  command: string;
  seconds: number;
  trainRange: [number, number];
  longRange: [number, number];
}

/** Writes report.md, accuracy-<bucket>.svg/.png and items.jsonl into outDir; returns the markdown. */
export function writeReport(outDir: string, items: EvalItem[], meta: ReportMeta): string {
  const chance = chanceOf(items);
  const parts: string[] = [
    `# Hour-LLaVA tiny: held-out accuracy on the procedural world`,
    ``,
    `Model: \`${meta.model}\`. Generated by \`${meta.command}\` in ${meta.seconds.toFixed(0)} s.`,
    `Questions come from held-out worlds (seeds never used in training), one per task and format per world; answers are scored exactly (letters for multiple choice).`,
    `Chance: 1/options for multiple choice; for open-ended questions, always giving the most common answer of that task among the same table's questions.`,
    ``,
  ];
  for (const [bucket, title] of [
    ["frame", `Single frames (stage 1's data: questions about what one frame shows)`],
    ["in_range", `Videos of ${meta.trainRange[0]}–${meta.trainRange[1]} s (the training range)`],
    ["longer", `Longer videos: ${meta.longRange[0]}–${meta.longRange[1]} s (never seen in training)`],
  ] as const) {
    const sel = items.filter((it) => it.bucket === bucket);
    if (sel.length === 0) continue;
    const rs = rows(sel, chance);
    const svg = barChartSvg(title, rs);
    writeFileAtomic(`${outDir}/accuracy-${bucket}.svg`, svg);
    writeFileAtomic(`${outDir}/accuracy-${bucket}.png`, svgToPng(svg, 1));
    parts.push(`## ${title}`, ``, `![accuracy](accuracy-${bucket}.png)`, ``, table("group", rs), ``);
  }
  writeFileAtomic(
    `${outDir}/items.jsonl`,
    items
      .map((it) =>
        JSON.stringify({
          world: it.world,
          durationS: it.durationS,
          bucket: it.bucket,
          task: it.q.task,
          topic: it.q.topic,
          form: it.q.form,
          format: it.q.format,
          evidence: it.evidence ?? null,
          extra: it.extra ?? false,
          question: it.q.question,
          answer: it.q.answer,
          pred: it.pred,
          correct: it.correct,
        }),
      )
      .join("\n") + "\n",
  );
  const md = parts.join("\n");
  writeFileAtomic(`${outDir}/report.md`, md);
  return md;
}
