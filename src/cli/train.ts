// `hourllava train --config FILE [--stage 1|2|3] [--from DIR] [--out DIR] [--steps N] [--export DIR]`: thin wrapper
// over the trainer (or, with --export, over the export for tools/train_torch).
import type { Command } from "commander";
import { readTrainConfig } from "../train/config.ts";
import { exportRun } from "../train/export.ts";
import { train } from "../train/trainer.ts";
import { intOption } from "./options.ts";

export function registerTrainCommands(program: Command): void {
  program
    .command("train")
    .description("instruction-tune an Hour-LLaVA model (tiny models on the procedural world out of the box)")
    .requiredOption("--config <file>", "training config (JSON), e.g. configs/tiny.json")
    .option(
      "--stage <n>",
      "official stage 1 (MemAug on images), 2 (all parts on video) or 3 (instruction tuning); overrides the config",
      intOption("stage", 1, 3),
    )
    .option("--from <dir>", "start from this model or run folder (overrides model in the config: the previous stage's --out)")
    .option("--out <dir>", "output folder (overrides the config); an existing run there is resumed")
    .option("--steps <n>", "total steps (overrides the config)", intOption("steps", 1))
    .option("--threads <n>", "intra-op threads", intOption("threads", 1))
    .option("--quiet", "no progress bar; a log line every logEvery steps")
    .option("--export <dir>", "do not train: write the run (from its --out checkpoint, if any) for tools/train_torch/train.py")
    .option("--export-steps <n>", "with --export: only this many steps", intOption("export-steps", 1))
    .action(
      async (o: {
        config: string;
        stage?: number;
        from?: string;
        out?: string;
        steps?: number;
        threads?: number;
        quiet?: boolean;
        export?: string;
        exportSteps?: number;
      }) => {
        const cfg = readTrainConfig(o.config, { ...(o.stage !== undefined ? { stage: o.stage } : {}), ...(o.from ? { model: { from: o.from } } : {}) });
        if (o.out) cfg.out = o.out;
        if (o.steps !== undefined) cfg.steps = o.steps;
        if (o.threads !== undefined) cfg.threads = o.threads;
        if (o.export) {
          const m = await exportRun(cfg, o.export, { steps: o.exportSteps, quiet: o.quiet });
          process.stdout.write(JSON.stringify({ export: o.export, start: m.start, end: m.end, content_sha256: m.contentSha256 }) + "\n");
          return;
        }
        const r = await train(cfg, { quiet: o.quiet });
        process.stdout.write(JSON.stringify({ checkpoint: r.checkpoint, steps: r.steps, first_loss: r.firstLoss, last_loss: r.lastLoss }) + "\n");
      },
    );
}
