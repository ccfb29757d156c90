// Can an LLM of this size learn to answer multiple choice by letter? Trains the LLM of a model folder (or a fresh
// one of another width) on option drills from the procedural world, no video, and prints the held-out curve as
// JSON lines. The shipped tiny model gives the right open-ended answer to "What scene is shown?" every time and the
// right letter one time in five (models/hourllava-tiny/report); this measures the missing skill on its own.
//   node --import tsx scripts/mc-lookup-probe.ts --steps 5000            # the shipped model's LLM
//   node --import tsx scripts/mc-lookup-probe.ts --width 256 --layers 4   # a fresh, wider LLM
//   node --import tsx scripts/mc-lookup-probe.ts --drills repeat --width 128 --steps 300   # the control
import { Command } from "commander";
import { openCheckpoint } from "../src/io/checkpoint.ts";
import { parseHourLlavaConfig } from "../src/io/config.ts";
import { loadTokenizer } from "../src/io/tokenizer.ts";
import { initWeights } from "../src/model/load/init.ts";
import { readAllWeights } from "../src/train/checkpoint.ts";
import { HELD_OUT_SEED } from "../src/train/held-out.ts";
import { probeOptionLookup } from "../src/train/option-probe.ts";
import { drillSet, withFreshLlm, type DrillKind } from "../src/train/drill-sets.ts";

const o = new Command()
  .option("--model <dir>", "model folder (its tokenizer is used in every case)", "models/hourllava-tiny")
  .option("--width <n>", "a fresh LLM this wide (heads of 32, GQA 2:1) instead of the folder's", Number)
  .option("--layers <n>", "with --width: layers", Number, 4)
  .option("--steps <n>", "steps", Number, 5000)
  .option("--lr <x>", "peak learning rate (cosine, 3 % warmup)", Number, 1e-3)
  .option("--per-step <n>", "drills per step, packed into one sequence", Number, 8)
  .option("--eval-every <n>", "steps between held-out scores", Number, 250)
  .option("--worlds <n>", "training worlds (frame and video MC questions of each)", Number, 150)
  .option("--drills <kind>", "mc (the data's MC questions), two / four (options of the world's words), name (reverse lookup) or repeat (the control)", "mc")
  .option("--loss-on <what>", "answers (the letters) or all (every next token, as language-model pretraining)", "answers")
  .option("--threads <n>", "intra-op threads", Number)
  .parse()
  .opts<{
    model: string;
    width?: number;
    layers: number;
    steps: number;
    lr: number;
    perStep: number;
    evalEvery: number;
    worlds: number;
    drills: string;
    lossOn: string;
    threads?: number;
  }>();
if (!["mc", "two", "four", "name", "repeat"].includes(o.drills)) throw new Error(`--drills must be mc, two or repeat, got ${JSON.stringify(o.drills)}`);
if (o.lossOn !== "answers" && o.lossOn !== "all") throw new Error(`--loss-on must be answers or all, got ${JSON.stringify(o.lossOn)}`);

const ck = openCheckpoint(o.model);
const config = o.width ? parseHourLlavaConfig(withFreshLlm(ck.config, o.width, o.layers), "--width") : ck.hourLlavaConfig();
const weights = o.width ? initWeights(config, 7) : readAllWeights(ck);
ck.close();

// The data's MC questions (mc) or the controls (two, repeat): src/train/drill-sets.ts.
const kind = o.drills as DrillKind;
const train = drillSet(kind, 20000, 41, o.worlds);
const held = drillSet(kind, 300, HELD_OUT_SEED + 41, 6);
console.error(
  `LLM ${config.hidden_size} wide × ${config.num_hidden_layers} layers (${o.width ? "fresh" : o.model}); ${train.length} drills, ${held.length} held out`,
);
await probeOptionLookup(config, weights, loadTokenizer(o.model), train, held, {
  steps: o.steps,
  lr: o.lr,
  perStep: o.perStep,
  evalEvery: o.evalEvery,
  lossOn: o.lossOn,
  threads: o.threads,
  onEval: (p) => console.log(JSON.stringify(p)),
});
