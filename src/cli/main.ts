// The `hourllava` command: parses arguments and calls the layers; errors are one line on stderr.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { PACKAGE_ROOT } from "../app/default-model.ts";
import { registerModelsCommands, registerPullCommands } from "./pull.ts";
import { registerAskCommands } from "./ask.ts";
import { registerCacheCommands } from "./cache.ts";
import { registerDataCommands } from "./data.ts";
import { registerSynthCommands } from "./synth.ts";
import { registerReportCommands } from "./report.ts";
import { registerTrainCommands } from "./train.ts";
import { registerQuantizeCommands } from "./quantize.ts";
import { registerEvalCommands } from "./eval.ts";
import { registerWorkerCommands } from "./worker.ts";
import { registerFeatureCommands } from "./features.ts";
import { registerServeCommands } from "./serve.ts";
import { cleanStaleRunTempDirs } from "../util/run-temp.ts";

export function buildProgram(): Command {
  const { version } = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string };
  const program = new Command("hourllava").version(version).description("Hour-LLaVA: questions about hour-long videos, training and VideoMarathon data tools");
  program.option("--verbose", "stage timings, and stack traces on errors");
  registerAskCommands(program);
  registerPullCommands(program);
  registerModelsCommands(program);
  registerCacheCommands(program);
  registerTrainCommands(program);
  registerQuantizeCommands(program);
  registerReportCommands(program);
  registerDataCommands(program);
  registerSynthCommands(program); // adds `data synth …`
  registerEvalCommands(program);
  registerWorkerCommands(program);
  registerFeatureCommands(program);
  registerServeCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  cleanStaleRunTempDirs(); // what killed runs left in the temp folder
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? 0); // a command may report failure without throwing (data validate's rejects)
  } catch (e) {
    const err = e as Error;
    if (argv.includes("--verbose")) process.stderr.write(`${err.stack}\n`);
    else process.stderr.write(`hourllava: ${err.message.split("\n")[0]}\n`);
    return 1;
  }
}
