// The PyTorch trainer (tools/train_torch/train.py, for GPU machines) and this trainer on the same exported run:
// same losses, gradient norms and first-step gradients, and the same weights after three AdamW steps with
// accumulation, clipping, weight decay, warmup and per-part rates. The fixture is train.py's own output on this
// export (tools/train_torch/make_fixture.py); where torch is installed a second test runs train.py itself and
// resumes its checkpoint here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Runtime } from "../../src/graph/runtime.ts";
import { openSafetensors } from "../../src/io/safetensors.ts";
import type { SafetensorsFile } from "../../src/io/safetensors.ts";
import { openCheckpoint } from "../../src/io/checkpoint.ts";
import { MapWeights, WeightStore } from "../../src/model/arch/weights.ts";
import { readAllWeights } from "../../src/train/checkpoint.ts";
import { readTrainConfig } from "../../src/train/config.ts";
import { exportRun } from "../../src/train/export.ts";
import { prepareSample } from "../../src/train/sample.ts";
import { buildTrainGraph } from "../../src/train/train-graph.ts";
import { microStep, readMetrics, setupRun, train } from "../../src/train/trainer.ts";
import { TORCH_PYTHON, torchMissing } from "../helpers/needs.ts";

const CONFIG = "test/fixtures/train-torch/micro-config.json";
const FIXTURE = "test/fixtures/train-torch/micro.safetensors";
const quiet = { quiet: true, log: () => {} };
const maxAbs = (a: Float32Array) => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
const l2Diff = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));

function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "torch-parity-"));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** Gradients that are zero in exact arithmetic (a key bias before softmax without rotary) are rounding noise,
 * which Adam turns into full-size steps in either framework; they are compared as "both tiny" only. */
const isNoise = (fx: SafetensorsFile, n: string) => maxAbs(fx.read(`grad0.${n}`)) < 1e-6;

function assertFinalWeights(fx: SafetensorsFile, initial: Map<string, { data: Float32Array }>, ckDir: string, what: string) {
  const ck = openCheckpoint(ckDir);
  const final = readAllWeights(ck);
  ck.close();
  for (const n of fx.names().filter((x) => x.startsWith("final."))) {
    const name = n.slice("final.".length);
    if (isNoise(fx, name)) continue;
    const torchW = fx.read(n);
    // In norm, not per element: an element whose gradient is near rounding level can take a full Adam step of
    // either sign in either framework (or with another thread count), whatever the rest of the tensor does.
    const update = l2Diff(torchW, initial.get(name)!.data);
    assert.ok(update > 0, `${name} was not updated`);
    const d = l2Diff(final.get(name)!.data, torchW);
    assert.ok(d <= 1e-2 * update, `${what}: ${name} differs from PyTorch by ${d} in L2 (update ${update})`);
  }
}

test("this trainer reproduces tools/train_torch on the same export: losses, gradients, weights after 3 steps", async () => {
  await withTemp(async (dir) => {
    const cfg = readTrainConfig(CONFIG);
    cfg.out = join(dir, "run");
    cfg.threads = 1;
    const m = await exportRun(cfg, join(dir, "export"), quiet);
    const fx = openSafetensors(FIXTURE);
    assert.equal(
      m.contentSha256,
      fx.metadata.contentSha256,
      "the export of the micro config changed (sample planning, synth data or format): regenerate the fixture as tools/train_torch/make_fixture.py says",
    );

    // First step's gradients, averaged over the accumulated micro-steps as both trainers do.
    const run = setupRun(cfg);
    const step = await new Runtime({ threads: 1 }).compile(buildTrainGraph(run.config, new WeightStore(new MapWeights(run.weights)), run.trained).graph, {
      weightsAsInputs: true,
    });
    const params = new Map(run.trained.map((n) => [n, { data: run.weights.get(n)!.data, dims: run.weights.get(n)!.shape }]));
    const grads = new Map(run.trained.map((n) => [n, new Float32Array(run.weights.get(n)!.data.length)]));
    for (let j = 0; j < cfg.gradAccum; j++) {
      const { index, seed } = microStep(cfg, run.source.size, j);
      const out = await step.run(prepareSample(run.config, run.tokenizer, run.source.get(index), cfg.spatialSampling, seed).feeds, params);
      for (const n of run.trained) grads.get(n)!.forEach((_, i, g) => (g[i] += (out[`grad.${n}`].data as Float32Array)[i] / cfg.gradAccum));
    }
    for (const n of run.trained) {
      const ref = fx.read(`grad0.${n}`);
      const d = maxDiff(grads.get(n)!, ref);
      if (isNoise(fx, n)) assert.ok(maxAbs(grads.get(n)!) < 1e-5, `${n}: PyTorch's gradient is zero, ours is ${maxAbs(grads.get(n)!)}`);
      else assert.ok(d <= 1e-4 * maxAbs(ref), `${n}: gradient differs from PyTorch by ${d} (scale ${maxAbs(ref)})`);
    }

    await train(cfg, quiet);
    const metrics = readFileSync(join(cfg.out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { loss: number; grad_norm: number });
    const losses = fx.read("losses");
    const norms = fx.read("grad_norms");
    assert.equal(metrics.length, losses.length);
    metrics.forEach((x, i) => {
      assert.ok(Math.abs(x.loss - losses[i]) <= 1e-5 * losses[i], `step ${i + 1}: loss ${x.loss} vs PyTorch ${losses[i]}`);
      assert.ok(Math.abs(x.grad_norm - norms[i]) <= 1e-5 * norms[i], `step ${i + 1}: gradient norm ${x.grad_norm} vs PyTorch ${norms[i]}`);
    });
    assert.ok(losses[2] < losses[0], "the fixture's run lowers the loss");
    assertFinalWeights(fx, run.weights, join(cfg.out, `checkpoint-${cfg.steps}`), "this trainer");
    fx.close();
  });
});

const PYTHON = TORCH_PYTHON;
const skipTorch = torchMissing();

test("a run trained 2 steps by tools/train_torch/train.py resumes here and ends where PyTorch ends", { skip: skipTorch }, async () => {
  await withTemp(async (dir) => {
    const cfg = readTrainConfig(CONFIG);
    cfg.out = join(dir, "run");
    cfg.threads = 1;
    await exportRun(cfg, join(dir, "export"), quiet);
    const py = spawnSync(PYTHON, ["tools/train_torch/train.py", join(dir, "export"), "--out", cfg.out, "--device", "cpu", "--steps", "2", "--threads", "1"], {
      encoding: "utf8",
    });
    assert.equal(py.status, 0, py.stderr);
    const logs: string[] = [];
    const r = await train(cfg, { quiet: true, log: (s) => logs.push(s) });
    assert.ok(
      logs.some((l) => l.includes("resuming") && l.includes("at step 2")),
      logs.join("\n"),
    );
    assert.equal(r.steps, 3);
    assert.deepEqual(
      readMetrics(join(cfg.out, "metrics.jsonl")).map((p) => p.step),
      [1, 2, 3],
    );
    const fx = openSafetensors(FIXTURE);
    assertFinalWeights(fx, setupRun({ ...cfg, out: join(dir, "none") }).weights, r.checkpoint, "PyTorch 2 steps + this trainer 1 step");
    fx.close();
  });
});
