// `hourllava eval tempcompass --judge` killed (SIGKILL) while the judge is being asked, then started again: the
// verdicts cached before the kill are not asked again (requests counted at a fake OpenAI-compatible judge on
// loopback), no answer is asked of the model again, and the run ends with the same verdicts, scores and lmms-eval
// logs as a run that was never interrupted.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JUDGE_CACHE_FILE } from "../../src/bench-eval/judge-cache.ts";
import { startFakeJudge, type FakeJudge } from "./fake-judge.ts";
import { writeTempCompass, writeTempCompassCaptioning } from "./fixtures.ts";

let root = "";
let judge: FakeJudge;
before(async () => {
  root = mkdtempSync(join(tmpdir(), "hl-bench-judge-resume-"));
  // Slow enough that the kill lands between verdicts; the verdict depends on the prompt only.
  judge = await startFakeJudge((prompt) => ({
    delayMs: 300,
    content: prompt.includes("Video Description:") ? "Reasoning: seen\nAnswer: A. slow" : "Incorrect",
  }));
});
after(async () => {
  await judge.close();
  rmSync(root, { recursive: true, force: true });
});

const cacheLines = (out: string) => {
  const p = join(root, out, JUDGE_CACHE_FILE);
  return existsSync(p) ? readFileSync(p, "utf8").split("\n").filter(Boolean) : [];
};
const cachedPrompts = (out: string) => cacheLines(out).map((l) => (JSON.parse(l) as { prompt: string }).prompt);

/** The CLI in a child process (asynchronously: the fake judge answers from this process). */
function hl(args: string[]): { done: Promise<{ code: number | null; out: string; err: string }>; kill: () => void } {
  const child = spawn(process.execPath, ["bin/hourllava.js", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const done = new Promise<{ code: number | null; out: string; err: string }>((ok) => child.once("close", (code) => ok({ code, out, err })));
  return { done, kill: () => child.kill("SIGKILL") };
}

test("killed while judging and started again: cached verdicts are not asked again; the same verdicts, scores and logs", async () => {
  const data = join(root, "data");
  writeTempCompass(data);
  writeTempCompassCaptioning(data);
  const args = (out: string) => [
    "eval",
    "tempcompass",
    "--data",
    data,
    "--out",
    join(root, out),
    "--cache-dir",
    join(root, "cache"),
    "--max-frames",
    "4",
    "--max-tokens",
    "8",
    "--quiet",
    "--judge",
    judge.url,
    "--judge-model",
    "judge-m",
    "--judge-concurrency",
    "1",
  ];

  const whole = await hl(args("whole")).done;
  assert.equal(whole.code, 0, whole.err);
  const wholeRequests = judge.requests.length;
  const prompts = new Set(judge.requests.map((r) => r.prompt));
  assert.ok(prompts.size >= 3, `${prompts.size} prompts`); // the three captions at least
  assert.equal(wholeRequests, prompts.size); // every verdict readable: one request per prompt
  assert.deepEqual(new Set(cachedPrompts("whole")), prompts);

  const start = judge.requests.length;
  const run = hl(args("killed"));
  for (const t0 = Date.now(); cacheLines("killed").length < 1;) {
    if (Date.now() - t0 > 120_000) throw new Error("no verdict was cached");
    await new Promise((r) => setTimeout(r, 10));
  }
  run.kill();
  await run.done;
  const atKill = new Set(cachedPrompts("killed"));
  assert.ok(atKill.size >= 1 && atKill.size < prompts.size, `killed with ${atKill.size} of ${prompts.size} verdicts cached`);
  const answersAtKill = readFileSync(join(root, "killed", "results.jsonl"), "utf8");
  const beforeResume = judge.requests.length;

  const resumed = await hl(args("killed")).done;
  assert.equal(resumed.code, 0, resumed.err);
  const askedAfter = judge.requests.slice(beforeResume).map((r) => r.prompt);
  // Nothing cached before the kill is asked again; only the rest (and the one in flight at the kill, if any).
  assert.deepEqual(
    askedAfter.filter((p) => atKill.has(p)),
    [],
  );
  assert.deepEqual(new Set(askedAfter), new Set([...prompts].filter((p) => !atKill.has(p))));
  assert.ok(judge.requests.length - start <= prompts.size + 1, `${judge.requests.length - start} requests for ${prompts.size} prompts`);
  // The model was not asked again: the answers were all written before the judge was.
  assert.equal(readFileSync(join(root, "killed", "results.jsonl"), "utf8"), answersAtKill);
  assert.equal(cacheLines("killed").length, prompts.size);

  const res = (out: string) => JSON.parse(readFileSync(join(root, out, "results.json"), "utf8"));
  assert.deepEqual(res("killed").headlines, res("whole").headlines);
  assert.equal(res("killed").unjudged.count, 0);
  assert.ok(res("killed").judge.from_cache >= atKill.size);
  for (const f of ["lmms_eval_results.json", "samples_tempcompass_captioning.jsonl", "samples_tempcompass_multi_choice.jsonl", "results.jsonl"])
    assert.equal(readFileSync(join(root, "killed", f), "utf8"), readFileSync(join(root, "whole", f), "utf8"), f);
  assert.match(resumed.out, /^tempcompass: 8\/8 answered; .*\d+ judged by judge-m/);
});
