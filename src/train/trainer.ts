// The instruction-tuning loop: samples of QA turns about one video (qaPerSample), loss on answer tokens, only the
// tunable parts trained (each with its own learning rate), AdamW with cosine/warmup, clipping, gradient
// accumulation, checkpoints the loader can open, and exact resume (weights, optimizer, step and data order).
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { adamwStep, newAdamWState } from "./adamw.ts";
import type { AdamWState } from "./adamw.ts";
import { Runtime } from "../graph/runtime.ts";
import { openCheckpoint } from "../io/checkpoint.ts";
import { parseHourLlavaConfig } from "../io/config.ts";
import type { HourLlavaConfig } from "../io/config.ts";
import { qwen2TokenizerConfig, trainByteLevelBpe } from "../io/bpe-trainer.ts";
import type { TokenizerJson } from "../io/bpe-trainer.ts";
import { tokenizerFromJson } from "../io/tokenizer.ts";
import type { TextTokenizer } from "../io/tokenizer.ts";
import { renderConversation } from "../io/chat-template.ts";
import { gunzipSync } from "node:zlib";
import { scratchWeights } from "./init-scales.ts";
import { seededRandom } from "../model/arch/sampling.ts";
import { shuffleInPlace } from "../util/prng.ts";
import { MapWeights, WeightStore } from "../model/arch/weights.ts";
import { createProgress } from "../util/progress.ts";
import { latestCheckpoint, loadTrainingCheckpoint, readAllWeights, saveTrainingCheckpoint } from "./checkpoint.ts";
import type { TrainConfig } from "./config.ts";
import { partOf } from "./parts.ts";
import { writeLossPlot } from "./plot.ts";
import { heldOutMetrics, heldOutSamples } from "./held-out.ts";
import { prepareSample } from "./sample.ts";
import { cosineWithWarmup } from "./schedule.ts";
import { synthSource } from "./synth-source.ts";
import type { SampleSource } from "./synth-source.ts";
import { buildTrainGraph } from "./train-graph.ts";
import { WithDrills } from "./drill-source.ts";

export interface TrainResult {
  checkpoint: string;
  steps: number;
  firstLoss: number;
  lastLoss: number;
}

export interface TrainerOptions {
  quiet?: boolean;
  /** Stop after this many steps of this run (tests: simulate an interruption). */
  stopAfter?: number;
  source?: SampleSource;
  log?: (line: string) => void;
}

type Tensors = Map<string, { data: Float32Array; shape: number[] }>;

function hashConfig(c: TrainConfig): string {
  // What only observes or paces the run stays out of the hash, so a resumed run may change it.
  const { out: _out, steps: _steps, saveEvery: _s, logEvery: _l, threads: _t, evalEvery: _e, evalSamples: _n, supervise, ...rest } = c;
  // A field added with a default that changes nothing stays out while at that default: older runs still resume.
  const hashed = supervise === "official" ? rest : { ...rest, supervise };
  return createHash("sha256").update(JSON.stringify(hashed)).digest("hex").slice(0, 16);
}

/** A seeded permutation per epoch: sample k of the run is order(epoch)[k % size]. */
export function sampleIndex(seed: number, size: number, k: number): number {
  const epoch = Math.floor(k / size);
  const perm = shuffleInPlace(
    Array.from({ length: size }, (_, i) => i),
    seededRandom((seed * 1000003 + epoch) >>> 0),
  );
  return perm[k % size];
}

/** A model folder, or a training run's folder (the previous stage's --out): its latest checkpoint. */
export function modelFolder(from: string): string {
  return existsSync(join(from, "latest.json")) ? latestCheckpoint(from)! : from;
}

function loadModel(cfg: TrainConfig): { modelJson: Record<string, unknown>; config: HourLlavaConfig; weights: Tensors; tokenizerJson?: TokenizerJson } {
  if ("from" in cfg.model) {
    const dir = modelFolder(cfg.model.from);
    const ck = openCheckpoint(dir);
    const weights = readAllWeights(ck);
    const tokPath = join(dir, "tokenizer.json");
    const tokenizerJson = existsSync(tokPath) ? (JSON.parse(readFileSync(tokPath, "utf8")) as TokenizerJson) : undefined;
    const config = ck.hourLlavaConfig();
    ck.close();
    return { modelJson: ck.config, config, weights, tokenizerJson };
  }
  const config = parseHourLlavaConfig(cfg.model.init, "train config model.init");
  return { modelJson: cfg.model.init, config, weights: scratchWeights(config, cfg.model.seed) };
}

function makeTokenizer(cfg: TrainConfig, source: SampleSource, fromModel?: TokenizerJson): TokenizerJson {
  if (cfg.tokenizer && "from" in cfg.tokenizer)
    return JSON.parse(readFileSync(join(modelFolder(cfg.tokenizer.from), "tokenizer.json"), "utf8")) as TokenizerJson;
  if (!cfg.tokenizer && fromModel) return fromModel;
  const vocabSize = cfg.tokenizer && "train" in cfg.tokenizer ? cfg.tokenizer.train.vocabSize : 512;
  // The template's fixed text (system prompt, time instruction) is part of the corpus too.
  function* corpus() {
    yield renderConversation([{ role: "user", content: "q" }], { video: { duration: 123.45, nFrames: 123 }, addGenerationPrompt: true });
    yield "0123456789";
    yield* source.texts();
  }
  return trainByteLevelBpe(corpus(), { vocabSize });
}

/** Everything a run needs before its first step: the model, tokenizer and data, the trained tensors with their
 * learning rates, and the state a checkpoint in `cfg.out` resumes (the TypeScript trainer and the export for
 * tools/train_torch start from the same place). */
export interface RunSetup {
  modelJson: Record<string, unknown>;
  config: HourLlavaConfig;
  weights: Tensors;
  tokJson: TokenizerJson;
  tokConfig: Record<string, unknown>;
  tokenizer: TextTokenizer;
  source: SampleSource;
  /** Tunable tensors, in the order the training graph outputs their gradients. */
  trained: string[];
  lrOf: (name: string) => number;
  optimizer: AdamWState;
  start: number;
  configHash: string;
  resumeDir?: string;
}

export function setupRun(cfg: TrainConfig, opts: { source?: SampleSource; log?: (line: string) => void } = {}): RunSetup {
  const log = opts.log ?? (() => {});
  const { modelJson, config, weights: initial, tokenizerJson: modelTok } = loadModel(cfg);
  const plain = opts.source ?? synthSource(cfg.data.synth, config.vision.image_size);
  const source =
    cfg.data.synth.drillsPerSample > 0 && !opts.source
      ? new WithDrills(plain, cfg.data.synth.drillsPerSample, cfg.data.synth.seed, cfg.data.synth.drillKinds)
      : plain;
  const tokJson = makeTokenizer(cfg, source, modelTok);
  const tokenizer: TextTokenizer = tokenizerFromJson(tokJson);
  if (tokenizer.vocabSize > config.vocab_size)
    throw new Error(`the tokenizer has ${tokenizer.vocabSize} tokens but the model's vocab_size is ${config.vocab_size}`);
  const tokConfig = qwen2TokenizerConfig(tokJson, config.tokenizer_model_max_length);

  let weights = initial;
  let optimizer: AdamWState = newAdamWState();
  let start = 0;
  const configHash = hashConfig(cfg);
  const resumeDir = latestCheckpoint(cfg.out);
  if (resumeDir) {
    const saved = loadTrainingCheckpoint(resumeDir);
    if (saved.state.configHash !== configHash)
      throw new Error(`${resumeDir} was written by a different training config; use a new --out or delete it to start over`);
    weights = saved.weights;
    optimizer = saved.optimizer;
    start = saved.state.step;
    log(`resuming from ${resumeDir} at step ${start}`);
  }
  // Only the tunable parts are graph outputs; autodiff builds no gradient for the frozen ones.
  const trained = [...weights.keys()].filter((n) => cfg.tunable.includes(partOf(n)));
  const lrOf = (n: string) => cfg.lr[partOf(n)] ?? cfg.baseLr;
  return { modelJson, config, weights, tokJson, tokConfig, tokenizer, source, trained, lrOf, optimizer, start, configHash, resumeDir };
}

/** Micro-step k (= step · gradAccum + j) of a run: which sample, and the seed of its random forgetting. */
export function microStep(cfg: TrainConfig, size: number, k: number): { index: number; seed: number } {
  return { index: sampleIndex(cfg.seed, size, k), seed: (cfg.seed * 7919 + k) >>> 0 };
}

export async function train(cfg: TrainConfig, opts: TrainerOptions = {}): Promise<TrainResult> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + "\n"));
  mkdirSync(cfg.out, { recursive: true });
  const run = setupRun(cfg, { source: opts.source, log });
  const { modelJson, config, weights, tokJson, tokConfig, tokenizer, source, trained, lrOf, optimizer, start, configHash, resumeDir } = run;
  const store = new WeightStore(new MapWeights(weights));
  log(
    `${cfg.stage ? `stage ${cfg.stage}: ` : ""}training ${cfg.tunable.join(", ")} (${trained.length} tensors) on ${source.size} ${cfg.data.synth.kind} samples${cfg.data.synth.frameShare > 0 ? ` (${Math.round(cfg.data.synth.frameShare * 100)} % single frames)` : ""}`,
  );
  const rt = new Runtime({ threads: cfg.threads });
  const { graph } = buildTrainGraph(config, store, trained, { checkpointing: cfg.checkpointing });
  const trainStep = await rt.compile(graph, { weightsAsInputs: true });
  const heldOut = cfg.evalEvery > 0 ? heldOutSamples(cfg, config.vision.image_size, cfg.evalSamples) : [];
  const evalStep = heldOut.length ? await rt.compile(buildTrainGraph(config, store, [], { logits: true }).graph, { weightsAsInputs: true }) : undefined;
  // The tunable weights go to every step explicitly; AdamW updates these arrays in place between steps.
  const params = new Map(trained.map((n) => [n, weights.get(n)!.data]));
  const paramFeeds = new Map(trained.map((n) => [n, { data: weights.get(n)!.data, dims: weights.get(n)!.shape }]));

  const metricsPath = join(cfg.out, "metrics.jsonl");
  const progress = createProgress({ label: "train", total: cfg.steps, unit: "steps", quiet: opts.quiet });
  progress.tick(start);
  let firstLoss = NaN;
  let lastLoss = NaN;
  const end = Math.min(cfg.steps, opts.stopAfter !== undefined ? start + opts.stopAfter : cfg.steps);
  const t0 = Date.now();
  let tokensSeen = 0;
  let lastSaved = "";
  for (let step = start; step < end; step++) {
    const sums = new Map<string, Float32Array>();
    let lossSum = 0;
    for (let j = 0; j < cfg.gradAccum; j++) {
      const k = step * cfg.gradAccum + j;
      const { index, seed } = microStep(cfg, source.size, k);
      const prep = prepareSample(config, tokenizer, source.get(index), cfg.spatialSampling, seed, cfg.supervise);
      const out = await trainStep.run(prep.feeds, paramFeeds);
      tokensSeen += prep.sequenceLength;
      lossSum += (out.loss.data as Float32Array)[0];
      for (const n of trained) {
        const gr = out[`grad.${n}`].data as Float32Array;
        const acc = sums.get(n);
        if (!acc) sums.set(n, Float32Array.from(gr));
        else for (let i = 0; i < acc.length; i++) acc[i] += gr[i];
      }
    }
    if (cfg.gradAccum > 1) for (const g of sums.values()) for (let i = 0; i < g.length; i++) g[i] /= cfg.gradAccum;
    const sched = cosineWithWarmup(step, cfg.steps, cfg.warmupRatio);
    const norm = adamwStep(params, sums, optimizer, { lr: 1, weightDecay: cfg.weightDecay, maxGradNorm: cfg.maxGradNorm }, (n) => lrOf(n) * sched);
    const loss = lossSum / cfg.gradAccum;
    if (Number.isNaN(firstLoss)) firstLoss = loss;
    lastLoss = loss;
    const elapsed = (Date.now() - t0) / 1000;
    const line: Record<string, number> = { step: step + 1, loss, lr_scale: sched, grad_norm: norm, tokens_per_s: tokensSeen / elapsed, elapsed_s: elapsed };
    if (evalStep && (step + 1) % cfg.evalEvery === 0) {
      const m = await heldOutMetrics(evalStep, paramFeeds, config, tokenizer, cfg, heldOut);
      Object.assign(line, { eval_loss: m.loss, eval_answer_acc: m.answerAccuracy });
      log(`step ${step + 1}: held-out loss ${m.loss.toFixed(4)}, exact answers ${(100 * m.answerAccuracy).toFixed(1)} % (${heldOut.length} samples)`);
    }
    appendFileSync(metricsPath, JSON.stringify(line) + "\n");
    progress.tick(1);
    if ((step + 1) % cfg.logEvery === 0 && opts.quiet)
      log(`step ${step + 1}/${cfg.steps} loss ${loss.toFixed(4)} grad-norm ${norm.toFixed(3)} ${(tokensSeen / elapsed).toFixed(0)} tok/s`);
    const isLast = step + 1 === cfg.steps;
    if ((step + 1) % cfg.saveEvery === 0 || isLast || step + 1 === end) {
      lastSaved = saveTrainingCheckpoint(cfg.out, modelJson, weights, { json: tokJson, config: tokConfig }, optimizer, {
        step: step + 1,
        seed: cfg.seed,
        configHash,
      });
      writeLossPlot(join(cfg.out, "loss"), [{ label: "", points: readMetrics(metricsPath) }], `training loss (${cfg.out})`);
    }
  }
  progress.done();
  return { checkpoint: lastSaved || resumeDir || "", steps: end, firstLoss, lastLoss };
}

/** metrics.jsonl (or .jsonl.gz) as loss points; a step logged twice (a resumed run) keeps its last entry. */
export function readMetrics(path: string): { step: number; loss: number }[] {
  const byStep = new Map<number, number>();
  const raw = readFileSync(path);
  for (const line of (path.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8").split("\n")) {
    if (!line.trim()) continue;
    const m = JSON.parse(line) as { step: number; loss: number };
    byStep.set(m.step, m.loss);
  }
  return [...byStep].sort((a, b) => a[0] - b[0]).map(([step, loss]) => ({ step, loss }));
}
