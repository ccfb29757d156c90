// `hourllava quantize MODEL --bits 4|8 --out DIR`: writes a quantized copy of a float model folder.
import type { Command } from "commander";
import { parseQuantScheme } from "../model/load/quant-plan.ts";
import { quantizeFolder } from "../model/load/quantize-folder.ts";
import { resolveModel } from "../app/resolve-model.ts";
import { progressCallback } from "../util/progress.ts";
import { choiceOption, powerOfTwoOption } from "./options.ts";

export function registerQuantizeCommands(program: Command): void {
  program
    .command("quantize <model>")
    .description("write a weight-only quantized copy of a model folder (LLM as 4/8-bit blocks, vision and MemAug as int8)")
    .requiredOption("--bits <n>", "4 or 8", choiceOption("bits", ["4", "8"]))
    .requiredOption("--out <dir>", "the new model folder")
    .option("--block-size <n>", "weights per quantization block of the LLM (power of two ≥ 16)", powerOfTwoOption("block-size", 16, 4096), 32)
    .option("--quiet", "no progress bar")
    .action(async (ref: string, o: { bits: string; out: string; blockSize: number; quiet?: boolean }) => {
      const model = await resolveModel(ref); // a folder or a hub id (pulled when missing)
      const scheme = parseQuantScheme(`q${o.bits}`)!; // --bits is 4 or 8 (checked when parsed)
      const r = quantizeFolder(model, o.out, scheme, {
        blockSize: o.blockSize,
        onProgress: progressCallback({ label: "quantize", unit: "tensors", quiet: o.quiet }),
      });
      process.stdout.write(
        JSON.stringify({
          out: o.out,
          scheme: r.scheme,
          block_size: r.blockSize,
          quantized_weights: r.quantized,
          bytes_in: r.bytesIn,
          bytes_out: r.bytesOut,
          shards: r.shards,
        }) + "\n",
      );
    });
}
