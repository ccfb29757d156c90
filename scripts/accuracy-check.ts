// Runs the CI accuracy check (src/eval/accuracy-check.ts) on a model folder and prints the tallies; --write records
// them as the figure the model must keep (do this when a new model is shipped).
//   node --import tsx scripts/accuracy-check.ts                 # the embedded model
//   node --import tsx scripts/accuracy-check.ts --write
import { Command } from "commander";
import { join } from "node:path";
import { writeFileAtomic } from "../src/io/atomic.ts";
import { readGenerationConfig } from "../src/io/generation-config.ts";
import { loadTokenizer } from "../src/io/tokenizer.ts";
import { loadHourLlava } from "../src/model/load/load.ts";
import { runAccuracyCheck } from "../src/eval/accuracy-check.ts";

const o = new Command()
  .option("--model <dir>", "model folder", "models/hourllava-tiny")
  .option("--write", "record the result in <model>/report/accuracy-check.json")
  .option("--margin <n>", "answers the model may lose before the check fails", Number, 3)
  .parse()
  .opts<{ model: string; write?: boolean; margin: number }>();

const t0 = Date.now();
const { model } = loadHourLlava(o.model);
const r = await runAccuracyCheck(model, loadTokenizer(o.model), readGenerationConfig(o.model));
const record = { ...r, margin: o.margin };
console.log(JSON.stringify({ ...record, seconds: (Date.now() - t0) / 1000 }, null, 2));
if (o.write) writeFileAtomic(join(o.model, "report", "accuracy-check.json"), JSON.stringify(record, null, 2) + "\n");
