// For the PyTorch stages (tools/train_torch/*_stage.py): running their Python on one thread, and checking that a
// run stopped and resumed ends where an uninterrupted one ends while only the tensors the stage trains move.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { openSafetensors } from "../../src/io/safetensors.ts";
import { TORCH_PYTHON } from "./needs.ts";

/** Runs Debian's torch python with these arguments on one BLAS thread; returns its stdout, fails on a non-zero exit. */
export function runTorchPython(args: string[]): string {
  const r = spawnSync(TORCH_PYTHON, args, { encoding: "utf8", env: { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1" } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Compares two final model.safetensors with each other and with the start; returns how many trained tensors moved. */
export function assertResumedAndFrozen(whole: string, split: string, start: string, trained: (name: string) => boolean): number {
  const [a, b, s] = [whole, split, start].map((p) => openSafetensors(p));
  let moved = 0;
  try {
    for (const n of s.names()) {
      const x = a.read(n);
      const y = b.read(n);
      const x0 = s.read(n);
      assert.ok(
        x.every((v, i) => Math.abs(v - y[i]) <= 1e-6),
        `${n}: the resumed run differs`,
      );
      const changed = x.some((v, i) => v !== x0[i]);
      if (trained(n)) moved += changed ? 1 : 0;
      else assert.ok(!changed, `${n} is not trained by this stage, yet it changed`);
    }
  } finally {
    for (const f of [a, b, s]) f.close();
  }
  return moved;
}
