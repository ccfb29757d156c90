// The benchmarks as lmms-eval runs them, at EvolvingLMMs-Lab/lmms-eval 75571cfe0fa36ca5ec2e6aa2bb268f9d38295af3
// (2026-08-06): answer extraction (lmms_eval/tasks/_task_utils/mcq_extract.py extract_mcq_answer, which
// videomme/utils.py, lvbench/utils.py and mlvu/utils.py call with choices A–D), the prompts of each task's
// doc_to_text and yaml presets, max_new_tokens, the stripped prediction (lmms_eval/models/simple/llava_vid.py
// generate_until: `.strip()`, max_new_tokens 1024 when the task sets none), and prompts sent untrimmed.
// The expected letters below were produced by running that mcq_extract.py on each response.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HourLlavaApp, type Answer, type AskOptions, type VideoMemory } from "../../src/app/app.ts";
import { extractLvbench, extractMcqAnswer, extractVideoMme, pyStrip } from "../../src/bench-eval/answer-parse.ts";
import { BENCHMARKS } from "../../src/bench-eval/benchmarks/index.ts";
import { LMMS_EVAL_COMMIT } from "../../src/bench-eval/lmms-eval.ts";
import { runBenchmark, type EvalApp } from "../../src/bench-eval/run.ts";
import type { ResultRow } from "../../src/bench-eval/types.ts";
import { runBinary, tinyModelAndClip } from "../app/tiny-model.ts";
import { FIXTURES } from "./fixtures.ts";

let root = "";
before(() => {
  root = mkdtempSync(join(tmpdir(), "hl-bench-lmms-"));
});
after(() => rmSync(root, { recursive: true, force: true }));

test("extract_mcq_answer as lmms-eval 75571cfe runs it (Video-MME, LVBench, MLVU: choices A–D)", () => {
  // [response, what mcq_extract.py returns with choices ["A","B","C","D"]]
  const cases: [string, string][] = [
    ["C", "C"],
    ["The answer is (B)", "B"],
    ["B. two", "B"],
    ["(D) four", "D"],
    ["two", ""],
    ["nothing I can say about this video helps me choose any of them", ""],
    ["Answer: b", "A"], // the capital A of "Answer" starts the text; "b" is never read
    ["A or B", "A"], // a leading letter (priority 10) beats a trailing one (9)
    ["The answer is E", ""],
    ["b", ""],
    ["the answer is c", ""],
    ["I think it is B because A is wrong.", "A"],
    ["Between A and C, I pick C", "C"],
    ["(A) is wrong; the answer is (C).", "C"],
    ["Option D", "D"],
    ["D.", "D"],
    ['"B"', "B"],
    ["A person walks. The correct answer is D", "A"],
    ["I choose option B", "B"],
    ["B:", "B"],
    ["C)", "C"],
    ["E", ""],
    ["Apple", "A"],
    ["A cat", "A"],
    ["AB", "B"],
    ["The best answer is:  C", "C"],
    ["\nB\n", "B"],
    ["  (B).  ", "B"],
    ["Both A and B", "B"],
    ["B\u00e9", "B"],
    ["答案是C", "C"],
    ["", ""],
    ["   ", ""],
    ["Yes, it is.", ""],
    ["B\u00e9 or A", "A"], // "é" is a letter (str.isalpha), so "B" does not start the answer
    ["\u001cB\u001c", "B"],
    ["(b) is my pick", ""],
    ["Answer: (A) or (B)", "B"],
    ["C, D", "C"],
    ["A: the car", "A"],
    ["The answer isn't clear; maybe B.", "B"],
    ["I select\nD", "D"],
    ["i pick c but maybe D", "D"],
    ["Final: (C)", "C"],
    ["**B**", "B"],
    ["Option (C) is correct.", "C"],
    ["\u00a0D\u00a0", "D"],
    ["The answer is \u{1F600} B", "B"],
  ];
  for (const [s, want] of cases) {
    assert.equal(extractLvbench(s), want, `lvbench on ${JSON.stringify(s)}`);
    assert.equal(extractVideoMme(s), want, `videomme/mlvu on ${JSON.stringify(s)}`);
    assert.equal(extractMcqAnswer(s, ["A", "B", "C", "D"]), want);
  }
  // Without choices, A–H.
  assert.equal(extractMcqAnswer("The answer is (F)"), "F");
  assert.equal(extractLvbench("The answer is (F)"), "");
});

test("Python's str.strip: whitespace by Python's isspace, or the given characters", () => {
  assert.equal(pyStrip(" \t\nB\n\u0085\u001f"), "B");
  assert.equal(pyStrip("\uFEFFB"), "\uFEFFB"); // not whitespace to Python
  assert.equal(pyStrip("..B.,", "."), "B.,");
});

async function load(name: keyof typeof FIXTURES, preset?: "default" | "llava_vid") {
  const dir = join(root, `${name}-${preset ?? "none"}`);
  FIXTURES[name](dir);
  return { dir, items: new Map((await BENCHMARKS[name].load(dir, { preset })).items.map((it) => [it.id, it])) };
}

test("prompts byte-equal to lmms-eval's doc_to_text with the yaml presets", async () => {
  const vmOption =
    "Select the best answer to the following multiple-choice question based on the video and the subtitles. Respond with only the letter (A, B, C, or D) of the correct option.";
  const vmBody = "How many?\nA. one\nB. two\nC. three\nD. four";
  // videomme/utils.py videomme_doc_to_text; videomme.yaml llava_vid and default post_prompt.
  assert.equal((await load("videomme")).items.get("001-1")!.prompt, `${vmOption}\n${vmBody}\nThe best answer is:`);
  assert.equal((await load("videomme", "llava_vid")).items.get("001-1")!.prompt, `${vmOption}\n${vmBody}\nThe best answer is:`);
  assert.equal(
    (await load("videomme", "default")).items.get("001-1")!.prompt,
    `${vmOption}\n${vmBody}\n\nAnswer with the option's letter from the given choices directly.`,
  );
  // lvbench.yaml default post_prompt (no final period; the utils.py fallback with a period is not used).
  assert.equal(
    (await load("lvbench")).items.get("1")!.prompt,
    "What happens at 00:01?\n(A) a\n(B) b\n(C) c\n(D) d\nAnswer the question with the option letter",
  );
  // longvideobench/utils.py longvideobench_doc_to_text + longvideobench_val_v.yaml: the trailing "\n" stays.
  assert.equal(
    (await load("longvideobench")).items.get("a_0")!.prompt,
    "What is shown?\nA. a square\nB. a circle\nC. a cat\nAnswer with the option's letter from the given choices directly.\n",
  );
  // mlvu/utils.py mlvu_doc_to_text + mlvu_dev.yaml default post_prompt (no leading "\n", one "\n" before "Best").
  assert.equal(
    (await load("mlvu")).items.get("1_plotQA/0")!.prompt,
    "What happens?\n(A) run\n(B) jump\n(C) sit\n(D) fly\nOnly give the best option.\nBest option: (",
  );
  const tc = (await load("tempcompass")).items;
  assert.equal(tc.get("multi-choice/tcA/speed/0")!.prompt, "How fast?\nA. slow\nB. fast\nPlease directly give the best option:");
  assert.equal(tc.get("yes_no/tcA/speed/0")!.prompt, "Is it fast?\nPlease answer yes or no:");
});

test("max_new_tokens as the task yaml says; TempCompass sets none, so llava_vid's 1024", () => {
  assert.deepEqual(Object.fromEntries(Object.entries(BENCHMARKS).map(([n, b]) => [n, b.maxNewTokens])), {
    videomme: 16,
    lvbench: 16,
    longvideobench: 32,
    mlvu: 16,
    tempcompass: 1024,
  });
});

/** An EvalApp that answers from a table and records what it was asked. */
function fakeApp(answers: (prompt: string) => string) {
  const asked: { prompt: string; opts: AskOptions | undefined }[] = [];
  const app: EvalApp = {
    async remember(video) {
      const t = { decodeS: 0, encodeS: 0, totalS: 0 };
      return { video, durationS: 3, frames: 3, timings: t } as unknown as VideoMemory;
    },
    ask(_mem, prompt, opts) {
      asked.push({ prompt, opts });
      return (async function* (): AsyncGenerator<string, Answer> {
        const text = answers(prompt);
        return {
          text,
          ids: [],
          stop: "end",
          spatial: "uniform",
          seed: 0,
          promptTokens: 0,
          timings: { memAugS: 0, prefillS: 0, generateS: 0, tokens: 0 },
        } as Answer;
      })();
    },
  };
  return { app, asked };
}

test("predictions are stripped as llava_vid strips them before TempCompass's exact-match rules", async () => {
  const dir = join(root, "tc-strip");
  FIXTURES.tempcompass(dir);
  const preds: Record<string, string> = {
    "How fast?": "B\n", // `pred in ["A","B","C","D"]`
    "Where to?": " A. left\n", // `pred == doc["answer"]`
    "What?": "A)\n",
    "Is it fast?": "\nyes",
    "Which caption matches?": "Sentence B\n", // eval_rule: option index equality
  };
  const { app, asked } = fakeApp((p) => preds[p.split("\n")[0]]);
  const out = join(root, "tc-strip-out");
  const run = await runBenchmark(app, BENCHMARKS.tempcompass, { dataDir: dir, outDir: out, quiet: true, settings: {} });
  assert.deepEqual(
    run.rows.map((r) => [r.prediction, r.raw_prediction, r.matched, r.correct]),
    [
      // video by video: tcA's three questions, then tcB's two
      ["B", "B\n", true, true],
      ["A. left", " A. left\n", true, true],
      ["yes", "\nyes", true, true],
      ["A)", "A)\n", true, true],
      ["Sentence B", "Sentence B\n", true, true],
    ],
  );
  assert.ok(asked.every((a) => a.opts?.rawPrompt === true && a.opts.maxNewTokens === 1024));
  const logged = readFileSync(join(out, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as ResultRow);
  assert.equal(logged[0].raw_prediction, "B\n");
});

test("the benchmark prompt reaches the tokenizer untrimmed; ask without rawPrompt still trims; blank is refused", async () => {
  const fx = tinyModelAndClip("hl-bench-raw-");
  try {
    const app = await HourLlavaApp.load(fx.model, { cacheDir: join(fx.dir, "cache"), quiet: true });
    const encoded: string[] = [];
    const tok = app.tokenizer as { encode(t: string): number[] };
    const encode = tok.encode.bind(tok);
    tok.encode = (t: string) => (encoded.push(t), encode(t));
    const userTurn = () => encoded.find((t) => t.startsWith("<|im_start|>user\n"))!;
    const mem = await app.remember(fx.video);
    const ask = async (q: string, opts: AskOptions) => {
      encoded.length = 0;
      await finalOf(app.ask(mem, q, { maxNewTokens: 1, ...opts }));
      return userTurn();
    };
    const mlvuLike = "\nWhat?\n(A) run\nOnly give the best option.\n\nBest option: (";
    const lvbLike = "What is shown?\nA. x\nAnswer with the option's letter from the given choices directly.\n";
    for (const p of [mlvuLike, lvbLike]) assert.ok((await ask(p, { rawPrompt: true })).endsWith(`\n${p}<|im_end|>\n`), JSON.stringify(p));
    assert.ok((await ask(lvbLike, {})).endsWith(`\n${lvbLike.trim()}<|im_end|>\n`), "the CLI path trims as before");
    await assert.rejects(finalOf(app.ask(mem, " \n ", { rawPrompt: true })), /the question is empty/);

    // Through the eval run: every LongVideoBench prompt (trailing "\n") as the user turn's end, byte for byte.
    const data = join(fx.dir, "lvb");
    FIXTURES.longvideobench(data);
    encoded.length = 0;
    await runBenchmark(app, BENCHMARKS.longvideobench, { dataDir: data, outDir: join(fx.dir, "lvb-out"), quiet: true, settings: {}, ask: { maxNewTokens: 1 } });
    const users = encoded.filter((t) => t.startsWith("<|im_start|>user\n"));
    const { items } = await BENCHMARKS.longvideobench.load(data);
    assert.equal(users.length, items.length);
    items.forEach((it, i) => assert.ok(users[i].endsWith(`\n${it.prompt}<|im_end|>\n`) && it.prompt.endsWith("\n"), it.id));
  } finally {
    rmSync(fx.dir, { recursive: true, force: true });
  }
});

async function finalOf<T>(g: AsyncGenerator<string, T>): Promise<T> {
  let r = await g.next();
  while (!r.done) r = await g.next();
  return r.value;
}

test("eval records the lmms-eval commit and prompt preset in run.json and results.json; --prompt-preset picks Video-MME's post prompt", () => {
  const fx = tinyModelAndClip("hl-bench-preset-");
  try {
    const data = join(fx.dir, "vm");
    FIXTURES.videomme(data);
    for (const preset of [undefined, "default"]) {
      const out = join(fx.dir, `out-${preset ?? "dflt"}`);
      const args = [
        "eval",
        "videomme",
        "--data",
        data,
        "--out",
        out,
        "--model",
        fx.model,
        "--cache-dir",
        join(fx.dir, "cache"),
        "--max-frames",
        "4",
        "--limit",
        "1",
        "--quiet",
      ];
      const r = runBinary(preset ? [...args, "--prompt-preset", preset] : args);
      assert.equal(r.code, 0, r.err);
      const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
      const runJson = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
      for (const s of [res.settings, runJson]) {
        assert.equal(s.lmms_eval_commit, LMMS_EVAL_COMMIT);
        assert.equal(s.prompt_preset, preset ?? "llava_vid");
      }
    }
    const bad = runBinary(["eval", "videomme", "--data", data, "--model", fx.model, "--prompt-preset", "gpt4v"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /--prompt-preset must be llava_vid \| default, got "gpt4v"/);
  } finally {
    rmSync(fx.dir, { recursive: true, force: true });
  }
});
