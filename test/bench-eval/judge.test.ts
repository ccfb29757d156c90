// lmms-eval's TempCompass judge (lmms_eval/tasks/tempcompass/utils.py at 75571cfe0fa36ca5ec2e6aa2bb268f9d38295af3):
// the judge prompts for hand-written docs, byte for byte as that file's code builds them (the expected strings are
// written out here from its source, indentation and line continuations included); verdicts read as its
// llm_output_to_rating / parse_llm_output_for_captioning read them; and a judged run against a fake
// OpenAI-compatible server on loopback: which answers are sent, the request body, re-asking an unreadable verdict,
// retrying a 429, the scores, the lmms-eval logs, the verdict cache (no prompt asked twice), a clear one-line error on
// a 4xx, and the unjudged listing without a judge.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Answer, VideoMemory } from "../../src/app/app.ts";
import { BENCHMARKS } from "../../src/bench-eval/benchmarks/index.ts";
import { JudgeClient, judgeBaseUrl } from "../../src/bench-eval/judge.ts";
import { JUDGE_CACHE_FILE } from "../../src/bench-eval/judge-cache.ts";
import { writeEvalReport } from "../../src/bench-eval/report.ts";
import { runBenchmark, type EvalApp } from "../../src/bench-eval/run.ts";
import { captioningPrompt, fallbackPrompt, fallbackRating, parseCaptioningOutput } from "../../src/bench-eval/tempcompass-judge.ts";
import type { ResultRow } from "../../src/bench-eval/types.ts";
import { runBinary } from "../app/tiny-model.ts";
import { startFakeJudge, type FakeJudge, type FakeReply } from "./fake-judge.ts";
import { writeTempCompass, writeTempCompassCaptioning } from "./fixtures.ts";

let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "hl-bench-judge-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

const tc = BENCHMARKS.tempcompass;

// ---- the prompts, written out from utils.py -------------------------------------------------------------------

// base_prompt of tempcompass_process_results_multi_choice: """ + newline, three lines indented 8 spaces, the first
// two ending in " \" (the backslash-newline vanishes, so "model. " meets the next line's 8 spaces), then a line of 8
// spaces before the closing """.
const MC_BASE =
  '\n        You will receive a multi-choice question, the ground-truth answer and the prediction from a question answering (QA) model.         Your task is to determine whether QA model prediction is correct, based on the question and ground-truth answer.         If the prediction is correct, respond "Correct". If the prediction is incorrect, respond "Incorrect".\n        ';
const YN_BASE =
  '\n        You will receive a Yes/No question, the ground-truth answer and the prediction from a question answering (QA) model.         Your task is to determine whether QA model prediction is correct, based on the question and ground-truth answer.         If the prediction is correct, respond "Correct". If the prediction is incorrect, respond "Incorrect".\n        ';
const CM_BASE =
  '\n        You will receive a caption matching question, the ground-truth answer and the prediction from a question answering (QA) model.         Your task is to determine whether QA model prediction is correct, based on the question and ground-truth answer.         If the prediction is correct, respond "Correct". If the prediction is incorrect, respond "Incorrect".\n        ';
// caption_evaluation_prompt of tempcompass_process_results_captioning: indented 4 spaces, blank lines empty.
const CAPTION_EVAL =
  '\n    You will receive a video description and a multi-choice question. Your task is to choose the correct answer and briefly explain the reason why you choose the answer.     If none of the choice candidates are correct or the video description lacks enough information to answer the question, just answer "None of the choices are correct".     Please organize your response in this format:\n' +
  "    ```\n    Reasoning: [Your reason to obtain the answer]\n    Answer: [Your answer]\n    ```\n\n" +
  "    Here are some examples of video description, multi-choice question and the expected answer:\n    ```\n" +
  "    Video Description: A person is palying football.\n    Multi-Choice Question:\n    What is the person doing in the video?\n    A. cooking\n    B. palying football\n    C. playing basketball\n    D. reading book\n    Reasoning: The video description mentions that the person is playing football.\n    Answer: B. palying football\n\n" +
  "    Video Description: A bird is flying clockwise.\n    Multi-Choice Question:\n    In which direction is the bird flying?\n    A. backwark\n    B. counter-clockwise\n    C. clockwise\n    D. downward\n    Reasoning: The video description mentions that the bird is flying clockwise\n    Answer: C. clockwise\n\n" +
  "    Video Description: An air balloon is inflating.\n    Multi-Choice Question:\n    What is happening to the air balloon?\n    A. exploding\n    B. getting smaller\n    C. flying\n    Reasoning: The video description mentions that the air balloon is inflating, while none of the coices can be explained as inflating.\n    Answer: None of the choices are correct\n    ```\n    ";

test("judge prompts for a hand-written doc are byte-equal to the strings lmms-eval's utils.py builds", () => {
  // f"{base_prompt}\nMulti-Choice Question:\n{doc['question']}\nGround-Truth Answer: {doc['answer']}\nModel Prediction: {pred}"
  assert.equal(
    fallbackPrompt("multi-choice", "Which way does it move?\nA. left\nB. right", "B. right", "It drifts leftwards."),
    MC_BASE + "\nMulti-Choice Question:\nWhich way does it move?\nA. left\nB. right\nGround-Truth Answer: B. right\nModel Prediction: It drifts leftwards.",
  );
  assert.equal(
    fallbackPrompt("yes_no", "Is the pattern moving fast?", "yes", "Perhaps."),
    YN_BASE + "\nYes/No Question:\nIs the pattern moving fast?\nGround-Truth Answer: yes\nModel Prediction: Perhaps.",
  );
  assert.equal(
    fallbackPrompt("caption_matching", "Which caption matches?\nSentence A: up\nSentence B: down", "Sentence B: down", "the second"),
    CM_BASE +
      "\nCaption Matching Question:\nWhich caption matches?\nSentence A: up\nSentence B: down\nGround-Truth Answer: Sentence B: down\nModel Prediction: the second",
  );
  // f"{caption_evaluation_prompt}\nVideo Description:{pred}\nMulti-Choice Question:\n{doc['mc_question']}\nAnswer:"
  assert.equal(
    captioningPrompt("A fast pattern.", "How fast?\nA. slow\nB. fast"),
    CAPTION_EVAL + "\nVideo Description:A fast pattern.\nMulti-Choice Question:\nHow fast?\nA. slow\nB. fast\nAnswer:",
  );
  assert.equal(CAPTION_EVAL.length, 1581); // len(caption_evaluation_prompt) in CPython
});

test("the benchmark asks with the doc's fields: the rule fallbacks only when no rule reads the answer, captioning always", async () => {
  const dir = join(root, "prompts");
  writeTempCompass(dir);
  writeTempCompassCaptioning(dir);
  const { items, problems } = await tc.load(dir);
  assert.equal(problems.length, 1, problems.join("\n")); // the "../tcB" id only
  const by = new Map(items.map((it) => [it.id, it]));
  const row = (id: string, prediction: string): ResultRow => {
    const s = tc.score(by.get(id)!, prediction);
    return { id, video_id: "", answer: by.get(id)!.answer, prediction, ...s, categories: {} };
  };
  const req = (id: string, p: string) => tc.judge!.request(by.get(id)!, row(id, p));
  assert.equal(req("multi-choice/tcA/speed/0", "B"), undefined); // `pred in ["A", "B", "C", "D"]`
  assert.equal(req("yes_no/tcA/speed/0", "Yes."), undefined);
  assert.equal(req("caption_matching/tcB/order/0", "Sentence B"), undefined);
  const mc = req("multi-choice/tcA/direction/0", "Left, I think")!;
  assert.equal(mc.system, "You are an AI assistant for question answering.");
  assert.equal(mc.prompt, MC_BASE + "\nMulti-Choice Question:\nWhere to?\nA. left\nB. right\nGround-Truth Answer: A. left\nModel Prediction: Left, I think");
  assert.equal(mc.tries, 11); // get_eval_result(maxtry=10): once, then up to 10 more
  assert.equal(req("yes_no/tcA/speed/0", "Perhaps")!.prompt, YN_BASE + "\nYes/No Question:\nIs it fast?\nGround-Truth Answer: yes\nModel Prediction: Perhaps");
  const cap = req("captioning/tcA/speed/0", "A fast pattern.")!;
  // mc_question: multi-choice.json's first question of the same video and dimension.
  assert.equal(cap.prompt, CAPTION_EVAL + "\nVideo Description:A fast pattern.\nMulti-Choice Question:\nHow fast?\nA. slow\nB. fast\nAnswer:");
  assert.equal(cap.tries, 1);
  assert.equal(by.get("captioning/tcA/speed/0")!.lmms!.task, "tempcompass_captioning");
  assert.deepEqual(Object.keys(by.get("captioning/tcA/speed/0")!.lmms!.doc), ["video_id", "dim", "question", "answer", "mc_question", "mc_answer"]);
  assert.match(by.get("captioning/tcA/speed/0")!.prompt, /\nGenerated Caption:$/); // post_prompt "" for captioning
});

test("verdicts read as llm_output_to_rating and parse_llm_output_for_captioning read them (values from running them)", () => {
  assert.deepEqual(
    ["Correct", "Incorrect.", "The prediction is Correct", "It is Incorrect", "Correct or Incorrect", "x Correct and Incorrect", "correct", "Hmm"].map(
      fallbackRating,
    ),
    [1, 0, 1, 0, 1, 0, undefined, undefined], // undefined: the assert fails, lmms-eval asks again
  );
  const outs = [
    "Reasoning: because\nAnswer: B. y",
    "B. y",
    "",
    "Answer: A. x B. y",
    "Reasoning: r\nAnswer: None of the choices are correct",
    "  Answer: B. y  \nmore Answer: C. z",
    "invalid_request_error",
    "The Answer: B. y",
  ];
  assert.deepEqual(
    outs.map((o) => parseCaptioningOutput(o, "B. y")),
    [
      { rating: 1, "chatgpt-answer": "B. y", "chatgpt-reasoning": "because" },
      { rating: 1, "chatgpt-answer": "B. y", "chatgpt-reasoning": null },
      { rating: -1, "chatgpt-answer": null, "chatgpt-reasoning": null },
      { rating: 0, "chatgpt-answer": "A. x B. y", "chatgpt-reasoning": null },
      { rating: 0, "chatgpt-answer": "None of the choices are correct", "chatgpt-reasoning": "r" },
      { rating: 0, "chatgpt-answer": "more  C. z", "chatgpt-reasoning": null },
      { rating: -1, "chatgpt-answer": null, "chatgpt-reasoning": null },
      { rating: 0, "chatgpt-answer": "The  B. y", "chatgpt-reasoning": null },
    ],
  );
});

test("--judge URL forms: a base URL, lmms-eval's …/chat/completions, a bare host", () => {
  assert.equal(judgeBaseUrl("http://127.0.0.1:8000/v1/"), "http://127.0.0.1:8000/v1");
  assert.equal(judgeBaseUrl("https://api.openai.com/v1/chat/completions"), "https://api.openai.com/v1");
  assert.equal(judgeBaseUrl("http://localhost:9000"), "http://localhost:9000/v1");
  assert.throws(() => judgeBaseUrl("localhost:9000"), /--judge: (not a URL|expected an http\(s\) URL)/);
  assert.throws(
    () => new JudgeClient({ url: "http://x/v1", model: "m", keyEnv: "HL_NO_SUCH_VAR" }, {}),
    /--judge-key-env HL_NO_SUCH_VAR: the environment variable HL_NO_SUCH_VAR is not set/,
  );
  assert.throws(() => new JudgeClient({ url: "http://x/v1", model: "" }), /--judge needs --judge-model/);
});

// ---- a judged run against a fake judge ------------------------------------------------------------------------

/** The model's answers, by the prompt's first line (captioning: by the right information's text). */
function answer(prompt: string): string {
  const first = prompt.split("\n")[0];
  const fixed: Record<string, string> = {
    "How fast?": "B", // rule
    "Where to?": "Left, I think", // no rule: judged Correct
    "What?": "running", // no rule: an unreadable verdict, then Incorrect
    "Is it fast?": "Perhaps", // no rule: a 429, then Correct
    "Which caption matches?": "Sentence B", // rule
  };
  if (fixed[first]) return fixed[first];
  if (prompt.includes("'speed': 'fast'")) return "A fast pattern.";
  if (prompt.includes("'direction': 'right'")) return "A pattern moving left.";
  return "A man runs.";
}

function fakeApp(): { app: EvalApp; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    app: {
      async remember(video) {
        return { video, durationS: 3, frames: 3, timings: { decodeS: 0, encodeS: 0, totalS: 0 } } as unknown as VideoMemory;
      },
      ask(_mem, prompt) {
        asked.push(prompt);
        return (async function* (): AsyncGenerator<string, Answer> {
          return {
            text: answer(prompt),
            ids: [],
            stop: "end",
            promptTokens: 0,
            timings: { memAugS: 0, prefillS: 0, generateS: 0, tokens: 0 },
          } as unknown as Answer;
        })();
      },
    },
  };
}

/** The fake judge's verdicts. */
function verdicts(prompt: string, n: number): FakeReply {
  if (prompt.includes("Model Prediction: Left, I think")) return { content: "  Correct.\n" };
  if (prompt.includes("Model Prediction: running")) return { content: n === 1 ? "Hmm, hard to say." : "Incorrect: the man runs" };
  if (prompt.includes("Model Prediction: Perhaps"))
    return n === 1
      ? { status: 429, error: { message: "slow down", type: "rate_limit_error" }, headers: { "retry-after-ms": "5" } }
      : { content: "The prediction is Correct" };
  if (prompt.includes("Video Description:A fast pattern.")) return { content: "Reasoning: it is fast\nAnswer: B. fast" };
  if (prompt.includes("Video Description:A pattern moving left.")) return { content: "Answer: B. right" };
  if (prompt.includes("Video Description:A man runs.")) return { content: "" };
  return { status: 500, error: { message: `unexpected prompt ${prompt.slice(0, 40)}`, type: "server_error" } };
}

let judgeSrv: FakeJudge;
before(async () => {
  judgeSrv = await startFakeJudge(verdicts);
});
after(() => judgeSrv.close());

async function evalRun(data: string, out: string, judge?: JudgeClient) {
  const { app, asked } = fakeApp();
  const run = await runBenchmark(app, tc, { dataDir: data, outDir: out, quiet: true, settings: { benchmark: "tempcompass" }, judge });
  writeEvalReport(out, tc, run, { model: "models/hl-test", command: "test", settings: {} });
  return { run, asked };
}

const lines = (p: string) =>
  readFileSync(p, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const head = (res: { headlines: { metric: string; ours: number | null }[] }, m: string) => res.headlines.find((h) => h.metric === m)!.ours;

test("a judged run: the answers lmms-eval sends to its judge are judged, verdicts parsed and scored, cached and never asked twice", async () => {
  const data = join(root, "data-judged");
  writeTempCompass(data);
  writeTempCompassCaptioning(data);
  const out = join(root, "judged");
  const before = judgeSrv.requests.length;
  const judge = new JudgeClient({ url: judgeSrv.url, model: "judge-m", keyEnv: "HL_TEST_JUDGE_KEY", concurrency: 2 }, { HL_TEST_JUDGE_KEY: "sek" });
  const { run } = await evalRun(data, out, judge);
  const reqs = judgeSrv.requests.slice(before);
  // 6 prompts: 2 multi-choice and 1 yes/no answers no rule reads, 3 captions; 8 requests: the unreadable verdict
  // asked again, the 429 retried.
  assert.equal(reqs.length, 8);
  assert.equal(judge.httpRequests, 8);
  assert.equal(new Set(reqs.map((r) => r.prompt)).size, 6);
  for (const r of reqs) {
    assert.equal(r.path, "/v1/chat/completions");
    assert.equal(r.authorization, "Bearer sek");
    const { messages, ...rest } = r.body;
    assert.deepEqual(rest, { model: "judge-m", max_tokens: 128, temperature: 1, top_p: 1, presence_penalty: 1 });
    assert.deepEqual(messages, [
      { role: "system", content: "You are an AI assistant for question answering." },
      { role: "user", content: r.prompt },
    ]);
  }
  const rows = new Map(run.rows.map((r) => [r.id, r]));
  assert.deepEqual(
    [...rows.values()].map((r) => [r.id, r.matched, r.correct, r.judge?.outputs ?? null]).sort(),
    [
      ["caption_matching/tcB/order/0", true, true, null],
      ["captioning/tcA/direction/0", false, false, ["Answer: B. right"]],
      ["captioning/tcA/speed/0", false, true, ["Reasoning: it is fast\nAnswer: B. fast"]],
      ["captioning/tcB/action/0", false, false, [""]],
      ["multi-choice/tcA/direction/0", false, true, ["Correct."]], // strip()ped as get_llm_output strips
      ["multi-choice/tcA/speed/0", true, true, null],
      ["multi-choice/tcB/action/0", false, false, ["Hmm, hard to say.", "Incorrect: the man runs"]],
      ["yes_no/tcA/speed/0", false, true, ["The prediction is Correct"]],
    ].sort(),
  );
  assert.deepEqual(run.unjudged, []);
  assert.equal(run.judge?.judged, 6);
  assert.equal(run.judge?.asked, 6);
  assert.equal(run.judge?.from_cache, 0);

  const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  assert.equal(head(res, "Multi-choice")!.toFixed(2), "66.67");
  assert.equal(head(res, "Yes/no"), 100);
  assert.equal(head(res, "Caption matching"), 100);
  assert.equal(head(res, "Captioning")!.toFixed(2), "33.33");
  assert.deepEqual(res.questions, { selected: 8, answered: 8, scored: 8, unmatched: 0, judged: 6, unjudged: 0 });
  assert.equal(res.judge.model, "judge-m");
  assert.equal(res.judge.key_env, "HL_TEST_JUDGE_KEY");
  assert.ok(!readFileSync(join(out, "results.json"), "utf8").includes("sek"), "the key itself is never written");
  assert.match(
    readFileSync(join(out, "report.md"), "utf8"),
    /6 answers scored by the judge judge-m at http:\/\/127\.0\.0\.1:\d+\/v1 \(0 verdicts from judge-verdicts\.jsonl\)/,
  );

  // lmms-eval's logs: tempcompass_captioning with its metric names, the verdict fields process_results writes.
  const lm = JSON.parse(readFileSync(join(out, "lmms_eval_results.json"), "utf8"));
  assert.deepEqual(Object.keys(lm.results), ["tempcompass_caption_matching", "tempcompass_captioning", "tempcompass_multi_choice", "tempcompass_yes_no"]);
  const cap = lm.results.tempcompass_captioning;
  assert.equal(cap["avg_accuracy,none"], (1 / 3) * 100); // accuracy = yes_count / len(results); accuracy * 100
  assert.equal(cap["speed_accuracy,none"], 100);
  assert.equal(cap["direction_accuracy,none"], 0);
  assert.equal(cap["action_accuracy,none"], 0);
  assert.equal(lm.results.tempcompass_multi_choice["avg_accuracy,none"], (2 / 3) * 100);
  assert.equal(lm.results.tempcompass_yes_no["avg_accuracy,none"], 100);
  assert.equal(lm.configs.tempcompass_captioning.process_results, "!function utils.tempcompass_process_results_captioning");
  assert.deepEqual(lm.hourllava.judge, { url: judgeSrv.url, model: "judge-m" });
  assert.deepEqual(lm.hourllava.unjudged, {});
  const capSamples = lines(join(out, "samples_tempcompass_captioning.jsonl"));
  assert.deepEqual(
    capSamples.map((s) => s.doc_id),
    [0, 1, 2],
  );
  assert.deepEqual(capSamples[2].avg_accuracy, {
    video_id: "tcB",
    question: capSamples[2].input,
    "chatgpt-reasoning": null,
    "chatgpt-answer": null,
    "video-llm-prediction": "A man runs.",
    "gt-answer": "A. run",
    rating: -1,
    dim: "action",
  });
  assert.deepEqual(Object.keys(capSamples[0].speed_accuracy as object), [
    "video_id",
    "question",
    "chatgpt-reasoning",
    "chatgpt-answer",
    "video-llm-prediction",
    "gt-answer",
    "rating",
    "dim",
  ]);
  assert.equal((capSamples[0].avg_accuracy as { rating: number }).rating, 1);
  const mcSamples = lines(join(out, "samples_tempcompass_multi_choice.jsonl"));
  assert.deepEqual(mcSamples[2].action_accuracy, {
    video_id: "tcB",
    question: "What?\nA. run\nB. sit",
    "gt-answer": "A. run",
    "video-llm-prediction": "running",
    match_success: false,
    rating: 0,
    chatgpt_response: "Incorrect: the man runs",
    dim: "action",
  });
  assert.ok(!("chatgpt_response" in (mcSamples[0].avg_accuracy as object))); // scored by rule

  // The cache: one line per prompt, each with every output asked for.
  const cache = lines(join(out, JUDGE_CACHE_FILE));
  assert.equal(cache.length, 6);
  assert.deepEqual(cache.find((c) => (c.prompt as string).includes("Model Prediction: running"))!.outputs, ["Hmm, hard to say.", "Incorrect: the man runs"]);
  assert.ok(cache.every((c) => c.model === "judge-m" && c.system === "You are an AI assistant for question answering." && c.video === null));

  // Started again: nothing answered, nothing asked; the same files.
  const files = ["results.json", "lmms_eval_results.json", "samples_tempcompass_captioning.jsonl", "samples_tempcompass_multi_choice.jsonl", JUDGE_CACHE_FILE];
  const before2 = files.map((f) => readFileSync(join(out, f), "utf8"));
  const judge2 = new JudgeClient({ url: judgeSrv.url, model: "judge-m", keyEnv: "HL_TEST_JUDGE_KEY" }, { HL_TEST_JUDGE_KEY: "sek" });
  const again = await evalRun(data, out, judge2);
  assert.equal(again.asked.length, 0);
  assert.equal(judge2.httpRequests, 0);
  assert.equal(judgeSrv.requests.length, before + 8);
  assert.equal(again.run.judge?.from_cache, 6);
  const res2 = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  assert.deepEqual(res2.headlines, res.headlines);
  files.slice(1).forEach((f, i) => assert.equal(readFileSync(join(out, f), "utf8"), before2[i + 1], f));

  // Another judge model is another verdict: asked anew, apart from judge-m's (the fake judge's first-time unreadable
  // verdict and 429 are spent, so one request per prompt).
  const judge3 = new JudgeClient({ url: judgeSrv.url, model: "judge-n", concurrency: 1 });
  await evalRun(data, out, judge3);
  assert.equal(judge3.httpRequests, 6);
  assert.equal(judgeSrv.requests[judgeSrv.requests.length - 1].authorization, undefined); // no key: no Authorization header
  assert.equal(lines(join(out, JUDGE_CACHE_FILE)).length, 12);
});

test("without --judge: every answer that needs the judge is listed (count and ids), left out of the scores and the lmms-eval logs; --judge added on resume judges them", async () => {
  const data = join(root, "data-unjudged");
  writeTempCompass(data);
  writeTempCompassCaptioning(data);
  const out = join(root, "unjudged");
  const { run } = await evalRun(data, out);
  const ids = [
    "captioning/tcA/direction/0",
    "captioning/tcA/speed/0",
    "captioning/tcB/action/0",
    "multi-choice/tcA/direction/0",
    "multi-choice/tcB/action/0",
    "yes_no/tcA/speed/0",
  ];
  assert.deepEqual(run.unjudged.map((u) => u.id).sort(), ids);
  assert.equal(run.judge, null);
  assert.ok(!existsSync(join(out, JUDGE_CACHE_FILE)));
  const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  assert.equal(res.unjudged.count, 6);
  assert.deepEqual([...res.unjudged.ids].sort(), ids);
  assert.deepEqual(res.unjudged.by_task, { tempcompass_multi_choice: 2, tempcompass_yes_no: 1, tempcompass_captioning: 3 });
  assert.deepEqual(res.questions, { selected: 8, answered: 8, scored: 2, unmatched: 0, judged: 0, unjudged: 6 });
  // Only what the rules scored counts: multi-choice 1/1 (not 1/3), yes/no and captioning have no score.
  assert.equal(head(res, "Multi-choice"), 100);
  assert.equal(head(res, "Yes/no"), null);
  assert.equal(head(res, "Captioning"), null);
  assert.equal(head(res, "Caption matching"), 100);
  const md = readFileSync(join(out, "report.md"), "utf8");
  assert.match(md, /6 answers need lmms-eval's LLM judge and were not judged \(no --judge\): they are left out of every score/);
  assert.match(md, /### Left unjudged \(6\): not scored, rerun with --judge to score them/);
  for (const id of ids) assert.ok(md.includes(`\`${id}\``), id);
  assert.match(md, /- `tempcompass_captioning` \(3\): /);
  const lm = JSON.parse(readFileSync(join(out, "lmms_eval_results.json"), "utf8"));
  assert.deepEqual(lm.results.tempcompass_captioning, { alias: "tempcompass_captioning" });
  assert.deepEqual(lm.results.tempcompass_yes_no, { alias: "tempcompass_yes_no" });
  assert.equal(lm.results.tempcompass_multi_choice["avg_accuracy,none"], 100);
  assert.deepEqual(lm.hourllava.unjudged, {
    tempcompass_multi_choice: ["multi-choice/tcA/direction/0", "multi-choice/tcB/action/0"],
    tempcompass_yes_no: ["yes_no/tcA/speed/0"],
    tempcompass_captioning: ["captioning/tcA/speed/0", "captioning/tcA/direction/0", "captioning/tcB/action/0"],
  });
  assert.equal(readFileSync(join(out, "samples_tempcompass_captioning.jsonl"), "utf8"), "");
  assert.equal(lines(join(out, "samples_tempcompass_multi_choice.jsonl")).length, 1);

  // The same folder with --judge: nothing is answered again, the six are judged.
  const judge = new JudgeClient({ url: judgeSrv.url, model: "judge-m" });
  const again = await evalRun(data, out, judge);
  assert.equal(again.asked.length, 0);
  assert.deepEqual(again.run.unjudged, []);
  assert.equal(again.run.judge?.judged, 6);
  const res2 = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  assert.equal(head(res2, "Captioning")!.toFixed(2), "33.33");
  assert.doesNotMatch(readFileSync(join(out, "report.md"), "utf8"), /Left unjudged/);
});

test("a 4xx from the judge stops the run with one line naming the judge and the status; 5xx is retried, then named", async () => {
  const data = join(root, "data-4xx");
  writeTempCompass(data);
  const bad = await startFakeJudge(() => ({ status: 401, error: { message: "Incorrect API key provided: sk-…", type: "invalid_request_error" } }));
  try {
    const judge = new JudgeClient({ url: bad.url, model: "gpt-3.5-turbo-1106", concurrency: 1 });
    await assert.rejects(evalRun(data, join(root, "out-4xx"), judge), (e: Error) => {
      assert.equal(e.message, `judge ${bad.url} (model gpt-3.5-turbo-1106): HTTP 401: Incorrect API key provided: sk-…`);
      return true;
    });
    assert.equal(bad.requests.length, 1); // not retried
    // The answers are kept: the run can be started again with a working judge.
    assert.equal(lines(join(root, "out-4xx", "results.jsonl")).length, 5);
  } finally {
    await bad.close();
  }
  const down = await startFakeJudge(() => ({ status: 503, error: { message: "overloaded", type: "server_error" }, headers: { "retry-after-ms": "1" } }));
  try {
    const judge = new JudgeClient({ url: down.url, model: "m", maxRetries: 2, concurrency: 1 });
    await assert.rejects(
      evalRun(data, join(root, "out-5xx"), judge),
      new RegExp(`^Error: judge ${down.url} \\(model m\\): HTTP 503 after 2 retries: overloaded$`),
    );
    assert.equal(down.requests.length, 3);
  } finally {
    await down.close();
  }
});

test("eval's judge flags: refused for a benchmark lmms-eval does not judge, a key variable that is not set, a flag without --judge", () => {
  let r = runBinary(["eval", "mlvu", "--data", root, "--judge", "http://127.0.0.1:9/v1", "--judge-model", "m"]);
  assert.equal(r.code, 1);
  assert.match(
    r.err,
    /^hourllava: --judge: mlvu has no LLM-judged part in lmms-eval 75571cfe \(lmms-eval 75571cfe has no open-ended MLVU task \(mlvu_dev and mlvu_test are multiple choice\), so nothing is judged\); only tempcompass has one\n$/,
  );
  r = runBinary(["eval", "tempcompass", "--data", root, "--judge", "http://127.0.0.1:9/v1", "--judge-model", "m", "--judge-key-env", "HL_TEST_UNSET_KEY"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^hourllava: --judge-key-env HL_TEST_UNSET_KEY: the environment variable HL_TEST_UNSET_KEY is not set/);
  r = runBinary(["eval", "tempcompass", "--data", root, "--judge-model", "m"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /^hourllava: --judge-model needs --judge <url>\n$/);
});
