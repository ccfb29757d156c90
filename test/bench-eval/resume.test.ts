// A run killed (SIGKILL) after its first answers and started again ends with the same results file, and the same
// lmms-eval-shaped logs, as a run that was never interrupted.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runBinary } from "../app/tiny-model.ts";
import { writeVideomme } from "./fixtures.ts";

let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "hl-bench-resume-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

const lines = (p: string) => (existsSync(p) ? readFileSync(p, "utf8").split("\n").filter(Boolean).length : 0);

test("resume after a kill gives the same results.jsonl and lmms-eval logs as an uninterrupted run", async () => {
  const data = join(root, "videomme");
  writeVideomme(data);
  // Full 128-frame memories (no --max-frames), so encoding the second video takes a while after the first answers.
  const args = (out: string, cache: string) => ["eval", "videomme", "--data", data, "--out", join(root, out), "--cache-dir", join(root, cache), "--quiet"];
  const whole = runBinary(args("whole", "cache-whole"));
  assert.equal(whole.code, 0, whole.err);
  const expected = readFileSync(join(root, "whole", "results.jsonl"), "utf8");
  const total = lines(join(root, "whole", "results.jsonl"));

  const killedLog = join(root, "killed", "results.jsonl");
  const child = spawn(process.execPath, ["bin/hourllava.js", ...args("killed", "cache-killed")], { stdio: "ignore" });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  for (const t0 = Date.now(); lines(killedLog) < 1;) {
    if (Date.now() - t0 > 120_000) throw new Error("no result line appeared");
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill("SIGKILL");
  await exited;
  const atKill = lines(killedLog);
  assert.ok(atKill >= 1 && atKill < total, `killed with ${atKill} of ${total} results written`);

  const resumed = runBinary(args("killed", "cache-killed"));
  assert.equal(resumed.code, 0, resumed.err);
  assert.equal(readFileSync(killedLog, "utf8"), expected);
  // The lmms-eval-shaped logs are rebuilt from the whole log: byte for byte the uninterrupted run's, no line twice.
  for (const f of ["samples_videomme.jsonl", "lmms_eval_results.json"])
    assert.equal(readFileSync(join(root, "killed", f), "utf8"), readFileSync(join(root, "whole", f), "utf8"), f);
  assert.equal(lines(join(root, "killed", "samples_videomme.jsonl")), total);
  const summary = (out: string) => JSON.parse(readFileSync(join(root, out, "results.json"), "utf8")).headlines;
  assert.deepEqual(summary("killed"), summary("whole"));
});
