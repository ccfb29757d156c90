// One chart of the language stage's arms: held-out exact answers against drills seen, per run and drill kind,
// from each run's metrics.jsonl (tools/train_torch/text_stage.py; with --x conversations, cached_stage.py's).
//   node --import tsx scripts/plot-text-stage.ts --out docs/language-stage \
//     --arm "fresh 128×4, two=runs/lang/fresh-two:two,four" --arm "tiny LLM, mix=runs/lang/tiny-lang:two,four,mc"
import { Command } from "commander";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../src/io/atomic.ts";
import { accuracyCurvesSvg, type CurveSeries } from "../src/train/curve-plot.ts";
import { svgToPng } from "../src/util/svg.ts";

const o = new Command()
  .requiredOption("--out <dir>", "folder for curves.svg and curves.png")
  .option("--arm <label=run:kinds>", "a run folder and the held-out kinds to draw (repeatable)", (v: string, a: string[]) => [...a, v], [] as string[])
  .option("--title <text>", "chart title", "Language stage: held-out multiple-choice answers by letter")
  .option("--x <field>", "what the x axis counts: drills (text_stage.py) or conversations (cached_stage.py)", "drills")
  .parse()
  .opts<{ out: string; arm: string[]; title: string; x: string }>();
const X_LABELS: Record<string, string> = {
  drills: "drills seen (one per sequence, 64 per step)",
  conversations: "video and frame conversations seen (cached stage)",
};
if (!(o.x in X_LABELS)) throw new Error(`--x ${JSON.stringify(o.x)}: expected ${Object.keys(X_LABELS).join(" or ")}`);
if (o.arm.length === 0) throw new Error("give at least one --arm label=runs/…:kind,kind");

const series: CurveSeries[] = [];
o.arm.forEach((spec, colour) => {
  const m = /^(.+)=([^:]+):(.+)$/.exec(spec);
  if (!m) throw new Error(`--arm ${JSON.stringify(spec)}: expected label=run-folder:kind,kind`);
  const rows = readFileSync(join(m[2], "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, number> & { held: Record<string, number> });
  m[3].split(",").forEach((kind, k) => {
    const points = rows.filter((r) => kind in r.held).map((r): [number, number] => [r[o.x], r.held[kind]]);
    series.push({ label: `${m[1]}: ${kind}`, points, colour, dash: k });
  });
});
const svg = accuracyCurvesSvg({
  title: o.title,
  xLabel: X_LABELS[o.x],
  series,
  chance: [
    { label: "chance, 2 options", y: 0.5 },
    { label: "chance, 4 options", y: 0.25 },
  ],
});
mkdirSync(o.out, { recursive: true });
writeFileAtomic(join(o.out, "curves.svg"), svg);
writeFileAtomic(join(o.out, "curves.png"), svgToPng(svg));
console.log(`wrote ${join(o.out, "curves.svg")} and curves.png (${series.length} curves)`);
