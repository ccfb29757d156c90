// The one answer path (model/generate/answer.ts) on a tiny random checkpoint folder: the end tokens a checkpoint names,
// seeded random spatial forgetting, and the defaults taken from config.json / generation_config.json.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Runtime } from "../../src/graph/runtime.ts";
import { endTokenIds, readGenerationConfig } from "../../src/io/generation-config.ts";
import { loadTokenizer } from "../../src/io/tokenizer.ts";
import { answer, answerSettings } from "../../src/model/generate/answer.ts";
import type { AnswerSettings } from "../../src/model/generate/answer.ts";
import { loadHourLlava } from "../../src/model/load/load.ts";
import { writeTinyModel } from "../app/tiny-model.ts";
import { tempDir } from "../io/tmp.ts";

const dir = tempDir("hl-answer-");
const rt = new Runtime({ threads: 1 });

async function setup(config: Record<string, unknown>, generation?: Record<string, unknown>) {
  const m = join(dir, `m${Math.random().toString(36).slice(2)}`);
  // The model's vocabulary sized to the tokenizer's, so any sampled id decodes.
  writeTinyModel(m, config);
  writeTinyModel(m, { ...config, vocab_size: loadTokenizer(m).vocabSize });
  if (generation) writeFileSync(join(m, "generation_config.json"), JSON.stringify(generation));
  const { model } = loadHourLlava(m, { runtime: rt });
  const tok = loadTokenizer(m);
  const gen = readGenerationConfig(m);
  const S = model.config.vision.image_size;
  const T = 3;
  const { tokens } = await model.encodeFrames(
    new Float32Array(T * 3 * S * S).map((_, i) => Math.sin(i * 0.37)),
    T,
  );
  const video = { memory: model.buildMemory(tokens, T), durationS: 3, frames: T };
  return { model, tok, gen, video };
}

const turns = [{ role: "user" as const, content: "what colour is the circle?" }];

test("a checkpoint naming two end tokens stops on either; generation_config.json adds its own", async () => {
  const probe = await setup({});
  // What the model says with no end token (sampled, seeded: a random model's greedy choice repeats one token):
  // pick three tokens that first appear at different steps.
  const sampled = { temperature: 1, seed: 3 };
  const free = await answer(probe.model, probe.tok, probe.video, turns, { ...answerSettings(probe.model, probe.gen, [], sampled), maxNewTokens: 12 });
  assert.equal(free.stop, "length");
  const ids = free.ids;
  const firsts = ids.filter((t, i) => ids.indexOf(t) === i);
  assert.ok(firsts.length >= 4, `the random model should say at least 4 different tokens, said ${ids}`);
  const [a, b, c] = [firsts[2], firsts[1], firsts[3]];
  const cut = (t: number) => ids.slice(0, ids.indexOf(t));

  const ck = await setup({ eos_token_id: [a, b] }, { eos_token_id: c, temperature: 0.7, top_p: 0.8, max_new_tokens: 8 });
  const ends = endTokenIds(ck.model.config.eos_token_id, ck.gen, ck.tok);
  assert.deepEqual(
    ends,
    [a, b, c, ck.tok.tokenId("<|im_end|>")].sort((x, y) => x - y),
  );
  const s = answerSettings(ck.model, ck.gen, ends);
  // Greedy stays the default; generation_config.json's max_new_tokens fills the unset length.
  assert.deepEqual([s.temperature, s.topP, s.maxNewTokens], [0, undefined, 8]);
  assert.deepEqual([answerSettings(ck.model, ck.gen, ends, { temperature: 0.5 }).topP], [0.8]);
  const run = async (endTokens: number[]) => {
    const r = await answer(ck.model, ck.tok, ck.video, turns, { ...s, ...sampled, maxNewTokens: 12, endTokens });
    return [r.stop, r.ids];
  };
  // Each end token alone stops the answer where it first appears; with the checkpoint's whole list, the earliest wins.
  for (const end of [a, b, c]) assert.deepEqual(await run([end]), ["end", cut(end)], `end token ${end}`);
  assert.deepEqual(await run(ends), ["end", cut(firsts.find((t) => ends.includes(t)) ?? -1)]);
  assert.deepEqual(await run([a, b]), ["end", cut(b)]);
});

test("spatial forgetting follows the config (random, seeded: reproducible); --spatial overrides", async () => {
  const { model, tok, gen, video } = await setup({ spatial_sampling_type: "random" });
  const s = (o: Parameters<typeof answerSettings>[3]): AnswerSettings => answerSettings(model, gen, [], { maxNewTokens: 4, ...o });
  assert.equal(s({}).spatial, "random");
  assert.equal(s({ spatial: "uniform" }).spatial, "uniform");
  const ids = [1, 2, -200, 3];
  const rows = (o: { spatial?: "random" | "uniform"; seed?: number }) => model.plan(video.memory, ids, undefined, o).videoRows;
  assert.deepEqual(rows({ spatial: "random", seed: 7 }), rows({ spatial: "random", seed: 7 }));
  assert.notDeepEqual(rows({ spatial: "random", seed: 7 }), rows({ spatial: "random", seed: 8 }));
  assert.notDeepEqual(rows({ spatial: "random", seed: 7 }), rows({ spatial: "uniform" }));
  const first = await answer(model, tok, video, turns, s({ seed: 7 }));
  const again = await answer(model, tok, video, turns, s({ seed: 7 }));
  assert.deepEqual([again.text, again.spatial, again.seed], [first.text, "random", 7]);
});
