// Held-out answers of a model (or a training run's checkpoint) split by question template and format, with the
// letters its multiple-choice answers pile on: where a model fails, not only how much. One question per
// conversation, as users ask (the training records' multi-turn teacher forcing hides shortcuts).
//   node --import tsx scripts/eval-by-template.ts --model runs/frame-mc-twins/checkpoint-2000 --frame-worlds 48
//   … --worlds 6 --log runs/logs/eval.jsonl        # videos too; one JSON line appended per call
import { Command } from "commander";
import { appendFileSync } from "node:fs";
import { readGenerationConfig } from "../src/io/generation-config.ts";
import { loadTokenizer } from "../src/io/tokenizer.ts";
import { loadHourLlava } from "../src/model/load/load.ts";
import { evaluateSynth, type EvalItem } from "../src/eval/synth-eval.ts";

const o = new Command()
  .option("--model <dir>", "model folder or checkpoint", "models/hourllava-tiny")
  .option("--frame-worlds <n>", "held-out single frames", Number, 48)
  .option("--worlds <n>", "held-out 60–180 s videos", Number, 0)
  .option("--seed <n>", "held-out seed", Number, 20261207)
  .option("--log <file>", "append the result as one JSON line")
  .parse()
  .opts<{ model: string; frameWorlds: number; worlds: number; seed: number; log?: string }>();

type Tally = { correct: number; total: number; acc?: number };
function add(map: Record<string, Tally>, key: string, ok: boolean): void {
  const t = (map[key] ??= { correct: 0, total: 0 });
  t.total++;
  if (ok) t.correct++;
}
function finish(map: Record<string, Tally>): Record<string, Tally> {
  for (const t of Object.values(map)) t.acc = Math.round((1000 * t.correct) / t.total) / 1000;
  return map;
}

const t0 = Date.now();
const { model } = loadHourLlava(o.model);
const items: EvalItem[] = await evaluateSynth(model, loadTokenizer(o.model), {
  seed: o.seed,
  frameWorlds: o.frameWorlds,
  worlds: o.worlds,
  longWorlds: 0,
  minDurationS: 60,
  maxDurationS: 180,
  longMinS: 0,
  longMaxS: 0,
  renderSize: 64,
  generation: readGenerationConfig(o.model),
  variants: ["hourllava"],
  onProgress: (d, n) => process.stderr.write(`\r${d}/${n} inputs`),
});
process.stderr.write("\n");
const byFormat: Record<string, Tally> = {};
const byTemplate: Record<string, Tally> = {};
const letters: Record<string, Record<string, number>> = {};
for (const i of items) {
  const ok = i.correct.hourllava === true;
  add(byFormat, `${i.bucket}/${i.q.format}`, ok);
  add(byTemplate, `${i.bucket}/${i.q.template}/${i.q.format}`, ok);
  if (i.q.format === "mc") {
    const l = (letters[i.bucket] ??= {});
    const p = (i.pred.hourllava ?? "").slice(0, 1) || "∅";
    l[p] = (l[p] ?? 0) + 1;
  }
}
const line = {
  model: o.model,
  seed: o.seed,
  byFormat: finish(byFormat),
  byTemplate: finish(byTemplate),
  mcLetters: letters,
  seconds: (Date.now() - t0) / 1000,
};
console.log(JSON.stringify(line, null, 1));
if (o.log) appendFileSync(o.log, JSON.stringify(line) + "\n");
