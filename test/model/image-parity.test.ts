// One image through every stage against the official code (tools/parity/make_image_fixture.py): anyres tiles,
// SigLIP features and projected tokens of every tile, the image memory (unpadded, downscaled map with row
// newlines), key and query positions, MemAug, the LLM input, logits and greedy tokens.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Runtime } from "../../src/graph/runtime.ts";
import { parseImageAspect } from "../../src/image/aspect.ts";
import { parsePinpoints } from "../../src/image/pinpoints.ts";
import { imageTiles } from "../../src/image/tiles.ts";
import { HourLlava } from "../../src/model/arch/hourllava.ts";
import { WeightStore } from "../../src/model/arch/weights.ts";
import { synthImage } from "../video/synth-image.ts";
import { assertParity, loadFixture } from "./fixture.ts";

const KEYS =
  "in.input_ids out.best_resolution out.feature_hw out.grid out.greedy_tokens out.k_pos out.llm_inputs_embeds out.logits_tail out.memaug_in out.memaug_out out.memory out.pixel_values out.projected out.q_pos out.unpad_hw out.vision_features";

test("image parity with the official code, every stage (6×4 anyres grid, unpad crop, anyres_max_9 downscale)", async (t) => {
  const errs: Record<string, number> = {};
  const check = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => (errs[what] = assertParity(a, b, what));
  const fx = loadFixture("test/fixtures/parity/image_tiny.safetensors");
  const held = fx.file
    .names()
    .filter((k) => k.startsWith("in.") || k.startsWith("out."))
    .sort();
  assert.deepEqual(held, KEYS.split(" ").sort(), "the fixture holds exactly the declared keys");
  const { width, height, seed } = JSON.parse(fx.meta.image) as { width: number; height: number; seed: number };
  const c = fx.config;
  const S = c.vision.image_size;
  const tiles = imageTiles(
    { rgb: synthImage(width, height, seed), width, height },
    parseImageAspect(c.image_aspect_ratio),
    parsePinpoints(c.image_grid_pinpoints, S),
    S,
  );
  assert.deepEqual([tiles.grid!.cols, tiles.grid!.rows], fx.ints("out.grid"));
  assert.deepEqual(tiles.pixels, fx.f32("out.pixel_values"), "tile pixels, bit-exact");

  const rt = new Runtime();
  const m = new HourLlava(c, new WeightStore(fx.weights), rt, "uniform");
  const st = await m.encodeTiles(tiles.pixels, tiles.count, true);
  check(st.features!, fx.f32("out.vision_features"), "vision features of every tile");
  check(st.tokens, fx.f32("out.projected"), "projected tokens (no pooling for images)");
  const batched = await m.encodeTiles(tiles.pixels, tiles.count); // a few tiles per run, as the app encodes
  check(batched.tokens, fx.f32("out.projected"), "projected tokens, batched");

  // From the reference's own projected tokens on, so each stage is checked on its own inputs.
  const memory = m.buildImageMemory({ tokens: fx.f32("out.projected"), count: tiles.count, grid: tiles.grid, width, height });
  assert.deepEqual([memory.image!.unpad!.rows, memory.image!.unpad!.cols], fx.ints("out.feature_hw"));
  assert.deepEqual(memory.image!.keyPos, fx.ints("out.k_pos"), "key positions");
  check(memory.rows, fx.f32("out.memory"), "memory rows (base tile, unpadded downscaled map, row newlines)");
  const ids = fx.ints("in.input_ids");
  const plan = m.plan(memory, ids);
  assert.deepEqual(plan.qPos, fx.ints("out.q_pos"), "query positions");
  check(m.queryInput(memory, plan), fx.f32("out.memaug_in"), "MemAug input");
  const aug = await m.memAug(memory, plan);
  check(aug, fx.f32("out.memaug_out"), "MemAug output");
  const embeds = m.llmInput(plan, fx.f32("out.memaug_out"));
  check(embeds, fx.f32("out.llm_inputs_embeds"), "LLM input embeddings");
  const logits = await m.logits(embeds);
  const tail = fx.f32("out.logits_tail");
  check(logits.subarray(logits.length - tail.length), tail, "logits (last positions)");
  const greedy: number[] = [];
  for await (const t of m.generate(embeds, { maxNewTokens: Number(fx.meta.greedy_steps) })) greedy.push(t);
  assert.deepEqual(greedy, fx.ints("out.greedy_tokens"), "greedy tokens");
  t.diagnostic(`max error relative to each tensor's scale: ${JSON.stringify(errs)}`);
});
