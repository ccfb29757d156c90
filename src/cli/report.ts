// `hourllava report --model DIR --out DIR`: held-out evaluation of a model on the procedural world, written as
// markdown with bar charts (Hour-LLaVA vs no MemAug vs 64 frames, beside chance).
import { mkdirSync } from "node:fs";
import type { Command } from "commander";
import { loadHourLlava } from "../model/load.ts";
import { loadTokenizer } from "../io/tokenizer.ts";
import { evaluateSynth } from "../eval/synth-eval.ts";
import { writeReport } from "../eval/report.ts";
import { createProgress } from "../util/progress.ts";

export function registerReportCommands(program: Command): void {
  program
    .command("report")
    .description("evaluate a model on held-out procedural videos and write report.md with plots")
    .requiredOption("--model <dir>", "model folder")
    .requiredOption("--out <dir>", "where report.md, plots and per-question results go")
    .option("--worlds <n>", "held-out videos in the training duration range", (v) => Number.parseInt(v, 10), 24)
    .option("--long-worlds <n>", "held-out videos longer than training ones", (v) => Number.parseInt(v, 10), 12)
    .option("--min <s>", "shortest in-range video (s)", (v) => Number.parseInt(v, 10), 60)
    .option("--max <s>", "longest in-range video (s)", (v) => Number.parseInt(v, 10), 180)
    .option("--long-min <s>", "shortest long video (s)", (v) => Number.parseInt(v, 10), 360)
    .option("--long-max <s>", "longest long video (s)", (v) => Number.parseInt(v, 10), 720)
    .option("--render-size <px>", "render size before resizing to the model's input", (v) => Number.parseInt(v, 10), 64)
    .option("--seed <n>", "evaluation seed", (v) => Number.parseInt(v, 10), 0)
    .option("--quiet", "no progress bar")
    .action(async (o) => {
      const t0 = Date.now();
      const { model } = loadHourLlava(o.model);
      const tok = loadTokenizer(o.model);
      mkdirSync(o.out, { recursive: true });
      const total = o.worlds + o.longWorlds;
      const progress = createProgress({ label: "evaluate", total, unit: "videos", quiet: o.quiet });
      const items = await evaluateSynth(model, tok, {
        seed: o.seed,
        worlds: o.worlds,
        longWorlds: o.longWorlds,
        minDurationS: o.min,
        maxDurationS: o.max,
        longMinS: o.longMin,
        longMaxS: o.longMax,
        renderSize: o.renderSize,
        onProgress: () => progress.tick(1),
      });
      progress.done();
      const cmd = `hourllava report --model ${o.model} --out ${o.out} --worlds ${o.worlds} --long-worlds ${o.longWorlds} --seed ${o.seed}`;
      const md = writeReport(o.out, items, {
        model: o.model,
        command: cmd,
        seconds: (Date.now() - t0) / 1000,
        trainRange: [o.min, o.max],
        longRange: [o.longMin, o.longMax],
      });
      process.stdout.write(md + "\n");
    });
}
