// `hourllava train --config FILE [--stage 1|2|3] [--from DIR] [--out DIR] [--steps N]`: thin wrapper over the trainer.
import type { Command } from "commander";
import { readTrainConfig } from "../train/config.ts";
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
    .action(async (o: { config: string; stage?: number; from?: string; out?: string; steps?: number; threads?: number; quiet?: boolean }) => {
      const cfg = readTrainConfig(o.config, { ...(o.stage !== undefined ? { stage: o.stage } : {}), ...(o.from ? { model: { from: o.from } } : {}) });
      if (o.out) cfg.out = o.out;
      if (o.steps !== undefined) cfg.steps = o.steps;
      if (o.threads !== undefined) cfg.threads = o.threads;
      const r = await train(cfg, { quiet: o.quiet });
      process.stdout.write(JSON.stringify({ checkpoint: r.checkpoint, steps: r.steps, first_loss: r.firstLoss, last_loss: r.lastLoss }) + "\n");
    });
}
