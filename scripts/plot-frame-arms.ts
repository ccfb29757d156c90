// One chart of frame-training arms: held-out single-question accuracy (scripts/eval-by-template.ts lines) against
// training steps, multiple choice and open-ended per arm.
//   node --import tsx scripts/plot-frame-arms.ts --log runs/logs/eval.jsonl --out docs/frame-arms \
//     --arm "twins apart=runs/frame-mc-twins" --arm "MC only=runs/frame-mc-only+1750"
import { Command } from "commander";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../src/io/atomic.ts";
import { accuracyCurvesSvg, type CurveSeries } from "../src/train/curve-plot.ts";
import { svgToPng } from "../src/util/svg.ts";

const o = new Command()
  .requiredOption("--log <file>", "eval-by-template.ts lines")
  .requiredOption("--out <dir>", "folder for curves.svg and curves.png")
  .option("--arm <label=run[+offset]>", "a run folder, and the steps it started after (repeatable)", (v: string, a: string[]) => [...a, v], [] as string[])
  .option("--bucket <name>", "frame or in_range", "frame")
  .option("--title <text>", "chart title", "Frame probes: held-out single frames, one question each")
  .parse()
  .opts<{ log: string; out: string; arm: string[]; bucket: string; title: string }>();
if (o.arm.length === 0) throw new Error("give at least one --arm label=runs/…[+offset]");

type Line = { model: string; byFormat: Record<string, { correct: number; total: number }> };
const lines = readFileSync(o.log, "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as Line);
const series: CurveSeries[] = [];
o.arm.forEach((spec, colour) => {
  const m = /^(.+)=([^+]+)(?:\+(\d+))?$/.exec(spec);
  if (!m) throw new Error(`--arm ${JSON.stringify(spec)}: expected label=run-folder[+offset]`);
  const [, label, run, offset] = m;
  const checkpoint = new RegExp(`^${run.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}/checkpoint-(\\d+)$`);
  const rows = lines
    .map((l) => ({ l, step: checkpoint.exec(l.model) }))
    .filter((r) => r.step)
    .map((r) => ({ step: Number(r.step![1]) + Number(offset ?? 0), by: r.l.byFormat }))
    .sort((a, b) => a.step - b.step);
  (["mc", "open"] as const).forEach((format, k) => {
    const key = `${o.bucket}/${format}`;
    const points = rows.filter((r) => r.by[key]).map((r): [number, number] => [r.step, r.by[key].correct / r.by[key].total]);
    if (points.length) series.push({ label: `${label}: ${format === "mc" ? "multiple choice" : "open-ended"}`, points, colour, dash: k });
  });
});
const svg = accuracyCurvesSvg({ title: o.title, xLabel: "training steps (one conversation each)", series, chance: [{ label: "chance, 4 options", y: 0.25 }] });
mkdirSync(o.out, { recursive: true });
writeFileAtomic(join(o.out, "curves.svg"), svg);
writeFileAtomic(join(o.out, "curves.png"), svgToPng(svg));
console.log(`wrote ${join(o.out, "curves.svg")} and curves.png (${series.length} curves)`);
