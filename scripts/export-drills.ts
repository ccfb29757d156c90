// Writes option drills as token sequences for the batched text stage (tools/train_torch/text_stage.py): the LLM
// learns multiple-choice symbol binding on text alone, many drills per step along the batch axis, which a batch-1
// CPU trainer cannot afford (scripts/mc-lookup-probe.ts: 24k drills one at a time learned nothing).
//   node --import tsx scripts/export-drills.ts --out runs/drills                     # tokenizer of models/hourllava-tiny
//   node --import tsx scripts/export-drills.ts --out runs/drills --width 128 --layers 2   # plus a fresh LLM to start from
// Each kind gets train-<kind>.jsonl.gz and held-<kind>.jsonl.gz: one {"ids", "answers"} per drill, answers being the
// next-token targets of the letters and their <|im_end|> (IGNORE elsewhere), as held-out scoring reads them.
import { Command } from "commander";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openCheckpoint, writeCheckpoint } from "../src/io/checkpoint.ts";
import { parseHourLlavaConfig } from "../src/io/config.ts";
import { loadTokenizer } from "../src/io/tokenizer.ts";
import { initWeights } from "../src/model/load/init.ts";
import { DRILL_KINDS, drillSet, withFreshLlm, writeDrillFile } from "../src/train/drill-sets.ts";
import type { DrillKind } from "../src/train/drill-sets.ts";
import { HELD_OUT_SEED } from "../src/train/held-out.ts";

const o = new Command()
  .requiredOption("--out <dir>", "folder for the drill files (and init/ with --width)")
  .option("--model <dir>", "model folder whose tokenizer (and, without --width, config) is used", "models/hourllava-tiny")
  .option("--kinds <list>", `comma-separated: ${DRILL_KINDS.join(", ")}`, DRILL_KINDS.join(","))
  .option("--train <n>", "training drills per kind", Number, 200000)
  .option("--held <n>", "held-out drills per kind", Number, 400)
  .option("--worlds <n>", "worlds whose MC questions feed the mc kind", Number, 300)
  .option("--width <n>", "also write init/: the model folder with a fresh LLM this wide (heads of 32, GQA 2:1)", Number)
  .option("--layers <n>", "with --width: layers", Number, 4)
  .parse()
  .opts<{ out: string; model: string; kinds: string; train: number; held: number; worlds: number; width?: number; layers: number }>();

const kinds = o.kinds.split(",").map((k) => k.trim()) as DrillKind[];
for (const k of kinds) if (!DRILL_KINDS.includes(k)) throw new Error(`--kinds: unknown kind ${JSON.stringify(k)} (known: ${DRILL_KINDS.join(", ")})`);
mkdirSync(o.out, { recursive: true });
const tok = loadTokenizer(o.model);
for (const kind of kinds) {
  for (const [split, n, seed] of [
    ["train", o.train, 41],
    ["held", o.held, HELD_OUT_SEED + 41],
  ] as const) {
    writeDrillFile(join(o.out, `${split}-${kind}.jsonl.gz`), tok, drillSet(kind, n, seed, o.worlds));
    console.error(`${split}-${kind}: ${n} drills`);
  }
}
if (o.width) {
  const ck = openCheckpoint(o.model);
  const raw = withFreshLlm(ck.config, o.width, o.layers);
  ck.close();
  const weights = initWeights(parseHourLlavaConfig(raw, "--width"), 7);
  const tensors = Object.fromEntries([...weights].map(([n, t]) => [n, { dtype: "F32" as const, shape: t.shape, data: t.data }]));
  writeCheckpoint(join(o.out, "init"), raw, tensors, JSON.parse(readFileSync(join(o.model, "tokenizer.json"), "utf8")), {
    tokenizerConfig: JSON.parse(readFileSync(join(o.model, "tokenizer_config.json"), "utf8")),
  });
  console.error(`init: a fresh ${o.width} × ${o.layers} LLM in ${join(o.out, "init")}`);
}
