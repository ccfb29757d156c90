// A real `hourllava serve` (tiny default model, --api-key) on loopback as the TempCompass judge, with no --judge-video:
// its verdicts are nonsense, but the judge is called with the key from --judge-key-env and lmms-eval's exact request
// (its system message and the prompt, no video), which serve answers from the text alone with that system message (the
// prompt_tokens it reports and its outputs are the library's for that text-only conversation); every output is read as
// lmms-eval reads it (an unreadable fallback verdict asked again, at most 11 times), verdicts are cached and not asked
// again, and the server's 401 and 404 come back as one line.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { finalAnswer, type Answer, type VideoMemory } from "../../src/app/app.ts";
import { BENCHMARKS } from "../../src/bench-eval/benchmarks/index.ts";
import { JUDGE_SAMPLING, JudgeClient } from "../../src/bench-eval/judge.ts";
import { JUDGE_CACHE_FILE } from "../../src/bench-eval/judge-cache.ts";
import { writeEvalReport } from "../../src/bench-eval/report.ts";
import { runBenchmark, type EvalApp } from "../../src/bench-eval/run.ts";
import { JUDGE_SYSTEM, fallbackRating, parseCaptioningOutput } from "../../src/bench-eval/tempcompass-judge.ts";
import { tokenizeConversation } from "../../src/io/chat-template.ts";
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

/** What the judge sent and what serve answered: each request's messages, the response's text and prompt_tokens. */
interface Exchange {
  messages: { role: string; content: unknown }[];
  output?: string;
  promptTokens?: number;
}

const judgeFor = (o: { key?: string; model?: string; seen?: Exchange[]; video?: string } = {}) => {
  const recording: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (o.seen && typeof init?.body === "string") {
      type Completion = { choices: { message: { content: string } }[]; usage: { prompt_tokens: number } };
      const r = res.ok ? ((await res.clone().json()) as Completion) : undefined;
      o.seen.push({ messages: (JSON.parse(init.body) as Exchange).messages, output: r?.choices[0].message.content, promptTokens: r?.usage.prompt_tokens });
    }
    return res;
  };
  return new JudgeClient(
    { url: `${fx.url}/v1`, model: o.model ?? MODEL, keyEnv: "HL_JUDGE_KEY", video: o.video, concurrency: 2, fetch: recording },
    { HL_JUDGE_KEY: o.key ?? KEY },
  );
};

test("hourllava serve as the judge: called, its outputs read as lmms-eval reads them, cached, not asked again", async () => {
  const data = join(root, "data");
  writeTempCompass(data);
  writeTempCompassCaptioning(data);
  const out = join(root, "out");
  const seen: Exchange[] = [];
  const judge = judgeFor({ seen });
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
  // lmms-eval's request: its system message, then the prompt as plain text; no video.
  assert.equal(seen.length, requests);
  for (const x of seen) {
    assert.equal(x.messages.length, 2);
    assert.deepEqual(x.messages[0], { role: "system", content: JUDGE_SYSTEM });
    assert.equal(x.messages[1].role, "user");
    assert.equal(typeof x.messages[1].content, "string");
  }
  // Serve answered each from the text alone with that system message: the prompt's tokens are those of the text-only
  // conversation under JUDGE_SYSTEM (not under the template's default system message), and the output is the
  // library's answer to it with get_llm_output's sampling (serve's default seed 0).
  const answers = new Map<string, Answer>();
  for (const x of seen) {
    const turns = [{ role: "user" as const, content: x.messages[1].content as string }];
    const count = (system?: string) => tokenizeConversation(fx.app.tokenizer, turns, { addGenerationPrompt: true, untrustedText: true, system }).ids.length;
    assert.equal(x.promptTokens, count(JUDGE_SYSTEM));
    assert.notEqual(x.promptTokens, count());
    const key = turns[0].content;
    if (!answers.has(key)) {
      const { max_tokens, temperature, top_p } = JUDGE_SAMPLING;
      answers.set(key, await finalAnswer(fx.app.respond(undefined, turns, { system: JUDGE_SYSTEM, maxNewTokens: max_tokens, temperature, topP: top_p })));
    }
    assert.equal(x.output, answers.get(key)!.text);
  }
  assert.equal(answers.size, 4);
  const cache = readFileSync(join(out, JUDGE_CACHE_FILE), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { model: string; system: string | null; video: string | null; outputs: string[] });
  assert.equal(cache.length, 4);
  assert.ok(cache.every((c) => c.model === MODEL && c.system === JUDGE_SYSTEM && c.video === null));
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

test("--judge-video still works: the prompt is sent with the video and without the system message, as before", async () => {
  const seen: Exchange[] = [];
  const judge = judgeFor({ seen, video: fx.demo });
  const ask = judge.ask({ system: JUDGE_SYSTEM, prompt: "Is the circle red? Answer Correct or Incorrect.", tries: 1, readable: () => true });
  assert.deepEqual(ask, { model: MODEL, system: null, prompt: "Is the circle red? Answer Correct or Incorrect.", video: fx.demo });
  assert.equal(typeof (await judge.complete(ask)), "string");
  assert.equal(seen.length, 1);
  assert.deepEqual(
    seen[0].messages.map((m) => m.role),
    ["user"],
  );
  assert.ok(seen[0].promptTokens! > 64); // the video's tokens are in the prompt
});
