// A real `hourllava serve` (tiny default model, --api-key) on loopback as the TempCompass judge: its verdicts are
// nonsense, but the judge is called with the key from --judge-key-env and the video from --judge-video, every
// output is read as lmms-eval reads it (an unreadable fallback verdict asked again, at most 11 times), verdicts are
// cached and not asked again, and the server's 401 and 404 come back as one line.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Answer, VideoMemory } from "../../src/app/app.ts";
import { BENCHMARKS } from "../../src/bench-eval/benchmarks/index.ts";
import { JudgeClient } from "../../src/bench-eval/judge.ts";
import { JUDGE_CACHE_FILE } from "../../src/bench-eval/judge-cache.ts";
import { writeEvalReport } from "../../src/bench-eval/report.ts";
import { runBenchmark, type EvalApp } from "../../src/bench-eval/run.ts";
import { fallbackRating, parseCaptioningOutput } from "../../src/bench-eval/tempcompass-judge.ts";
import { MODEL, useServer } from "../serve/server-fixture.ts";
import { writeTempCompass, writeTempCompassCaptioning } from "./fixtures.ts";

const KEY = "judge-test-key";
const fx = useServer({ apiKey: KEY });
let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "hl-bench-judge-serve-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

const tc = BENCHMARKS.tempcompass;

/** Answers the rules read, except yes/no (sent to the judge) and the captions (always judged). */
const app: EvalApp = {
  async remember(video) {
    return { video, durationS: 3, frames: 3, timings: { decodeS: 0, encodeS: 0, totalS: 0 } } as unknown as VideoMemory;
  },
  ask(_mem, prompt) {
    const text = prompt.startsWith("Is it fast?")
      ? "Perhaps"
      : prompt.startsWith("Which caption")
        ? "Sentence B"
        : prompt.includes("Information A")
          ? "A pattern."
          : "A";
    return (async function* (): AsyncGenerator<string, Answer> {
      return { text, ids: [], stop: "end", promptTokens: 0, timings: { memAugS: 0, prefillS: 0, generateS: 0, tokens: 0 } } as unknown as Answer;
    })();
  },
};

const judgeFor = (o: { key?: string; model?: string } = {}) =>
  new JudgeClient({ url: `${fx.url}/v1`, model: o.model ?? MODEL, keyEnv: "HL_JUDGE_KEY", video: fx.demo, concurrency: 2 }, { HL_JUDGE_KEY: o.key ?? KEY });

test("hourllava serve as the judge: called, its outputs read as lmms-eval reads them, cached, not asked again", async () => {
  const data = join(root, "data");
  writeTempCompass(data);
  writeTempCompassCaptioning(data);
  const out = join(root, "out");
  const judge = judgeFor();
  const run = await runBenchmark(app, tc, { dataDir: data, outDir: out, quiet: true, settings: {}, judge });
  writeEvalReport(out, tc, run, { model: "models/hl-test", command: "test", settings: {} });
  const judged = run.rows.filter((r) => r.judge);
  assert.deepEqual(judged.map((r) => r.id).sort(), ["captioning/tcA/direction/0", "captioning/tcA/speed/0", "captioning/tcB/action/0", "yes_no/tcA/speed/0"]);
  assert.deepEqual(run.unjudged, []);
  const items = new Map(run.items.map((it) => [it.id, it]));
  let requests = 0;
  for (const r of judged) {
    const outputs = r.judge!.outputs;
    requests += outputs.length;
    const last = outputs[outputs.length - 1];
    if (r.id.startsWith("captioning/")) {
      assert.equal(outputs.length, 1); // one request per caption
      assert.equal(r.correct, parseCaptioningOutput(last, items.get(r.id)!.extra!.mcAnswer as string).rating === 1);
    } else {
      // Asked again while neither "Correct" nor "Incorrect" is in the output, at most 11 times.
      assert.ok(outputs.length >= 1 && outputs.length <= 11);
      outputs.slice(0, -1).forEach((o) => assert.equal(fallbackRating(o), undefined, o));
      if (outputs.length < 11) assert.notEqual(fallbackRating(last), undefined);
      assert.equal(r.correct, fallbackRating(last) === 1);
    }
  }
  assert.equal(judge.httpRequests, requests);
  const cache = readFileSync(join(out, JUDGE_CACHE_FILE), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { model: string; system: string | null; video: string | null; outputs: string[] });
  assert.equal(cache.length, 4);
  assert.ok(cache.every((c) => c.model === MODEL && c.system === null && c.video === fx.demo));
  // The lmms-eval log of the fourth task: a record per caption with the judge's reading.
  const samples = readFileSync(join(out, "samples_tempcompass_captioning.jsonl"), "utf8").split("\n").filter(Boolean);
  assert.equal(samples.length, 3);
  for (const s of samples) assert.ok([-1, 0, 1].includes((JSON.parse(s) as { avg_accuracy: { rating: number } }).avg_accuracy.rating));
  const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  assert.equal(res.judge.model, MODEL);
  assert.equal(res.judge.http_requests, requests);

  const again = judgeFor();
  await runBenchmark(app, tc, { dataDir: data, outDir: out, quiet: true, settings: {}, judge: again });
  assert.equal(again.httpRequests, 0);
});

test("the server's refusals come back as one line: a wrong key (401), a model it does not serve (404)", async () => {
  const data = join(root, "data-refused");
  writeTempCompass(data);
  await assert.rejects(
    runBenchmark(app, tc, { dataDir: data, outDir: join(root, "o401"), quiet: true, settings: {}, judge: judgeFor({ key: "wrong" }) }),
    new RegExp(`^Error: judge ${fx.url}/v1 \\(model ${MODEL}\\): HTTP 401: the API key is not valid$`),
  );
  await assert.rejects(
    runBenchmark(app, tc, { dataDir: data, outDir: join(root, "o404"), quiet: true, settings: {}, judge: judgeFor({ model: "gpt-3.5-turbo-1106" }) }),
    new RegExp(
      `^Error: judge ${fx.url}/v1 \\(model gpt-3\\.5-turbo-1106\\): HTTP 404: the model "gpt-3\\.5-turbo-1106" does not exist here; this server serves "${MODEL}"$`,
    ),
  );
});
