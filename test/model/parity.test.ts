// Every stage of the TypeScript Hour-LLaVA against the PyTorch reference of the official code
// (fixtures from tools/parity/make_fixtures.py; MemAug imported from the official repository there).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Runtime } from "../../src/graph/runtime.ts";
import { HourLlava } from "../../src/model/arch/hourllava.ts";
import { WeightStore } from "../../src/model/arch/weights.ts";
import { spatialIndices, temporalIndices, videoQueries } from "../../src/model/arch/forgetting.ts";
import { frameRepetition } from "../../src/model/arch/memory.ts";
import { argmax } from "../../src/model/arch/sampling.ts";
import { assertParity, loadFixture } from "./fixture.ts";

const rt = new Runtime();

// What each fixture must hold: the tied one every intermediate, the smaller untied one only the stage outputs
// and the last logits. A regenerated fixture that drops a key fails here instead of skipping its check.
const COMMON =
  "in.input_ids in.pixel_values out.frame_index_128 out.greedy_tokens out.memaug_out out.pooled out.projected out.q_pos out.query_video_pos out.spatial_index out.temporal_index out.vision_features";
const FIXTURE_KEYS = {
  tiny_tied: `${COMMON} out.k_pos out.llm_inputs_embeds out.logits out.memaug_in out.video_tokens`,
  tiny_untied: `${COMMON} out.logits_tail`,
};

for (const [name, keys] of Object.entries(FIXTURE_KEYS)) {
  test(`parity with the PyTorch reference, every stage: ${name}`, async () => {
    const fx = loadFixture(`test/fixtures/parity/${name}.safetensors`);
    const held = fx.file
      .names()
      .filter((k) => k.startsWith("in.") || k.startsWith("out."))
      .sort();
    assert.deepEqual(held, keys.split(" ").sort(), `${name} holds exactly the declared keys`);
    const full = held.includes("out.memaug_in");
    const m = new HourLlava(fx.config, new WeightStore(fx.weights), rt, "uniform");
    const T = Number(fx.meta.n_frames);
    const pixels = fx.f32("in.pixel_values");

    const st = await m.encodeFrames(pixels, T, true);
    assertParity(st.features!, fx.f32("out.vision_features"), "vision features");
    assertParity(st.pooled!, fx.f32("out.pooled"), "pooled 8x8");
    assertParity(st.tokens, fx.f32("out.projected"), "projected tokens");

    // Token flow (exact integers).
    assert.deepEqual(frameRepetition(T), fx.ints("out.frame_index_128"));
    assert.deepEqual(temporalIndices(128), fx.ints("out.temporal_index"));
    assert.deepEqual(spatialIndices("uniform"), fx.ints("out.spatial_index"));
    assert.deepEqual(videoQueries(128, () => spatialIndices("uniform")).positions, fx.ints("out.query_video_pos"));
    if (full)
      assert.deepEqual(
        fx.ints("out.k_pos"),
        Array.from({ length: 128 * 65 }, (_, i) => i),
      );

    // From the reference's own projected tokens on, so each stage is checked on its own inputs.
    const memory = m.buildMemory(fx.f32("out.projected"), T);
    const ids = fx.ints("in.input_ids");
    const plan = m.plan(memory, ids);
    assert.deepEqual(plan.qPos, fx.ints("out.q_pos"));
    if (full) assertParity(m.queryInput(memory, plan), fx.f32("out.memaug_in"), "MemAug input");
    const aug = await m.memAug(memory, plan);
    assertParity(aug, fx.f32("out.memaug_out"), "MemAug output");
    const H = fx.config.hidden_size;
    if (full) assertParity(aug.subarray(plan.videoStart * H, plan.videoEnd * H), fx.f32("out.video_tokens"), "MemAug outputs at the video rows");
    const embeds = m.llmInput(plan, fx.f32("out.memaug_out"));
    if (full) assertParity(embeds, fx.f32("out.llm_inputs_embeds"), "LLM input embeddings");
    const logits = await m.logits(embeds);
    const V = fx.config.vocab_size;
    if (full) assertParity(logits, fx.f32("out.logits"), "logits over the whole prompt");
    else {
      const tail = fx.f32("out.logits_tail"); // the last positions only, to keep the fixture small
      assertParity(logits.subarray(logits.length - tail.length), tail, "logits (last positions)");
    }

    const greedy: number[] = [];
    for await (const t of m.generate(embeds, { maxNewTokens: 20 })) greedy.push(t);
    assert.deepEqual(greedy, fx.ints("out.greedy_tokens"), "20 greedy tokens");
    // The last prompt position's argmax is the first greedy token.
    assert.equal(argmax(logits, logits.length - V, V), greedy[0]);
  });
}

test("parity: MemAug over a 300-frame memory (temporal forgetting keeps 75 frames)", async () => {
  const fx = loadFixture("test/fixtures/parity/memaug_long.safetensors", false);
  const cfg = JSON.parse(fx.meta.config);
  const config = { ...cfg, vocab_size: 1, vision: {} } as never;
  const m = new HourLlava(config, new WeightStore(fx.weights), rt, "uniform");
  const H = cfg.hidden_size;
  const rows = fx.f32("in.memory");
  const T = Number(fx.meta.n_frames);
  const memory = { frames: T, hidden: H, rows };
  const vq = videoQueries(T, () => spatialIndices("uniform"));
  assert.deepEqual(temporalIndices(T), fx.ints("out.temporal_index"));
  assert.deepEqual(vq.positions, fx.ints("out.query_video_pos"));
  const prefix = fx.f32("in.prefix_embeds");
  const suffix = fx.f32("in.suffix_embeds");
  const n0 = prefix.length / H;
  const ns = suffix.length / H;
  const qPos = [...Array.from({ length: n0 }, (_, i) => i), ...vq.positions.map((p) => p + n0)];
  for (let i = 0; i < ns; i++) qPos.push(n0 + 65 * T + i);
  assert.deepEqual(qPos, fx.ints("out.q_pos"));
  // Feed the prepared query directly (the text embeddings are given, not token ids).
  const plan = { prefixIds: [], suffixIds: [], videoRows: vq.rows, qPos, videoStart: n0, videoEnd: n0 + vq.rows.length, llmPrefixIds: [], llmSuffixIds: [] };
  m.queryInput = () => {
    const x = new Float32Array(qPos.length * H);
    x.set(prefix, 0);
    vq.rows.forEach((r, i) => x.set(rows.subarray(r * H, (r + 1) * H), (n0 + i) * H));
    x.set(suffix, (n0 + vq.rows.length) * H);
    return x;
  };
  const out = await m.memAug(memory, plan);
  assertParity(out, fx.f32("out.memaug_out"), "MemAug output (long memory)");
});
