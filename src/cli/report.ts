// `hourllava report --model DIR --out DIR`: held-out evaluation of a model on the procedural world, written as
// markdown with bar charts (Hour-LLaVA vs no MemAug vs 64 frames, beside chance).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { readMetrics } from "../train/trainer.ts";
import { writeLossPlot } from "../train/plot.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HourLlavaApp } from "../app/app.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { answerDemo, demoMarkdown, readDemoQuestions } from "../eval/demo-eval.ts";
import type { Command } from "commander";
import { loadHourLlava } from "../model/load/load.ts";
import { loadTokenizer } from "../io/tokenizer.ts";
import { evaluateSynth } from "../eval/synth-eval.ts";
import { writeReport } from "../eval/report.ts";
import { createProgress } from "../util/progress.ts";
import { readGenerationConfig } from "../io/generation-config.ts";
import { intOption } from "./options.ts";

interface ReportOpts {
  model: string;
  out: string;
  worlds: number;
  longWorlds: number;
  frameWorlds: number;
  briefSeeds: number;
  min: number;
  max: number;
  longMin: number;
  longMax: number;
  renderSize: number;
  seed: number;
  demo?: string;
  curves?: string;
  quiet?: boolean;
}

/** The stages' loss curves on one axis (loss-stages.svg/.png); returns the report section. */
function writeStageCurves(out: string, spec: string): string {
  const segments = spec.split(",").map((item) => {
    const eq = item.indexOf("=");
    const [label, dir] = eq > 0 ? [item.slice(0, eq), item.slice(eq + 1)] : [item, item];
    const file = [join(dir, "metrics.jsonl"), join(dir, "metrics.jsonl.gz")].find((f) => existsSync(f));
    if (!file) throw new Error(`--curves: ${dir} has no metrics.jsonl(.gz)`);
    return { label, points: readMetrics(file) };
  });
  writeLossPlot(join(out, "loss-stages"), segments, "training loss per stage (mean over supervised tokens)");
  const rows = segments.map((s) => {
    const head = s.points.slice(0, Math.max(1, Math.round(s.points.length / 10)));
    const tail = s.points.slice(-Math.max(1, Math.round(s.points.length / 10)));
    const mean = (ps: { loss: number }[]) => (ps.reduce((a, p) => a + p.loss, 0) / ps.length).toFixed(3);
    return `| ${s.label} | ${s.points.length} | ${mean(head)} | ${mean(tail)} |`;
  });
  return [
    `## Training, stage by stage`,
    ``,
    `![loss per stage](loss-stages.png)`,
    ``,
    `| stage | steps | loss, first tenth | loss, last tenth |`,
    `|---|---:|---:|---:|`,
    ...rows,
    ``,
  ].join("\n");
}

export function registerReportCommands(program: Command): void {
  program
    .command("report")
    .description("evaluate a model on held-out procedural videos and write report.md with plots")
    .requiredOption("--model <dir>", "model folder")
    .requiredOption("--out <dir>", "where report.md, plots and per-question results go")
    .option("--worlds <n>", "held-out videos in the training duration range", intOption("worlds", 0), 24)
    .option("--long-worlds <n>", "held-out videos longer than training ones", intOption("long-worlds", 0), 12)
    .option("--frame-worlds <n>", "held-out single frames asked what they show (stage 1's data)", intOption("frame-worlds", 0), 0)
    .option(
      "--brief-seeds <n>",
      "in-range videos also ask brief-event questions of this many more seeds where forgetting drops the answer (MemAug's ground)",
      intOption("brief-seeds", 0),
      0,
    )
    .option("--min <s>", "shortest in-range video (s)", intOption("min", 1), 60)
    .option("--max <s>", "longest in-range video (s)", intOption("max", 1), 180)
    .option("--long-min <s>", "shortest long video (s)", intOption("long-min", 1), 360)
    .option("--long-max <s>", "longest long video (s)", intOption("long-max", 1), 720)
    .option("--render-size <px>", "render size before resizing to the model's input", intOption("render-size", 1), 64)
    .option("--seed <n>", "evaluation seed", intOption("seed", 0, 2 ** 31 - 1), 0)
    .option("--demo <video>", "also ask the video's questions (the .json beside it, like samples/demo.mp4) as `hourllava ask` does")
    .option("--curves <list>", 'training loss per stage, drawn in order: "LABEL=RUN_DIR,..." (each with metrics.jsonl or .jsonl.gz)')
    .option("--quiet", "no progress bar")
    .action(async (o: ReportOpts) => {
      const t0 = Date.now();
      const { model } = loadHourLlava(o.model);
      const tok = loadTokenizer(o.model);
      mkdirSync(o.out, { recursive: true });
      const total = o.frameWorlds + o.worlds + o.longWorlds;
      const progress = createProgress({ label: "evaluate", total, unit: "videos", quiet: o.quiet });
      const items = await evaluateSynth(model, tok, {
        seed: o.seed,
        worlds: o.worlds,
        longWorlds: o.longWorlds,
        frameWorlds: o.frameWorlds,
        briefSeeds: o.briefSeeds,
        minDurationS: o.min,
        maxDurationS: o.max,
        longMinS: o.longMin,
        longMaxS: o.longMax,
        renderSize: o.renderSize,
        generation: readGenerationConfig(o.model),
        onProgress: () => progress.tick(1),
      });
      progress.done();
      const cmd = `hourllava report --model ${o.model} --out ${o.out} --worlds ${o.worlds} --long-worlds ${o.longWorlds}${o.frameWorlds ? ` --frame-worlds ${o.frameWorlds}` : ""}${o.briefSeeds ? ` --brief-seeds ${o.briefSeeds}` : ""} --seed ${o.seed}`;
      const md = writeReport(o.out, items, {
        model: o.model,
        command: cmd,
        seconds: (Date.now() - t0) / 1000,
        trainRange: [o.min, o.max],
        longRange: [o.longMin, o.longMax],
      });
      let demoMd = "";
      if (o.demo) {
        const demoJson = o.demo.replace(/\.[^./]+$/, "") + ".json";
        const cacheDir = mkdtempSync(join(tmpdir(), "hourllava-report-"));
        try {
          const app = await HourLlavaApp.load(o.model, { cacheDir });
          const rows = await answerDemo(app, o.demo, readDemoQuestions(demoJson));
          writeFileAtomic(join(o.out, "demo.json"), JSON.stringify({ video: o.demo, questions: demoJson, answers: rows }, null, 2) + "\n");
          demoMd = "\n" + demoMarkdown(o.demo, rows);
        } finally {
          rmSync(cacheDir, { recursive: true, force: true });
        }
      }
      const curvesMd = o.curves ? "\n" + writeStageCurves(o.out, o.curves) : "";
      // writeReport wrote the evaluation alone; the sections after it are appended once.
      if (demoMd || curvesMd) writeFileAtomic(join(o.out, "report.md"), md + demoMd + curvesMd);
      process.stdout.write(md + demoMd + curvesMd + "\n");
    });
}
