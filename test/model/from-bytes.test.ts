// The browser opens a model from bytes; Node from its folder. Both must be the same model (same outputs on the
// same runtime) and name memories with the same cache keys. Runs in Node: WebCrypto is global here too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Runtime } from "../../src/graph/runtime.ts";
import { openCheckpoint } from "../../src/io/checkpoint.ts";
import { checkpointFromBytes } from "../../src/io/checkpoint-bytes.ts";
import { loadHourLlava } from "../../src/model/load/load.ts";
import { modelFromCheckpoint } from "../../src/model/load/from-checkpoint.ts";
import { CheckpointWeights } from "../../src/model/load/checkpoint-weights.ts";
import { modelId } from "../../src/app/model-id.ts";
import { sha256File } from "../../src/cache/file-hash.ts";
import { memoryKey } from "../../src/cache/cache.ts";
import { cacheSampling } from "../../src/cache/key-text.ts";
import { webMemoryKey, webModelId } from "../../src/web/cache-key.ts";
import { fixedOutputs } from "../helpers/model-outputs.ts";

const DIR = "models/hourllava-tiny";
const config = () => readFileSync(join(DIR, "config.json"));
const weights = () => readFileSync(join(DIR, "model.safetensors"));

test("a checkpoint from bytes holds the folder's tensors, and the model built from it computes the same outputs", async () => {
  const rt = new Runtime({ threads: 1 });
  const bytes = checkpointFromBytes(DIR, JSON.parse(config().toString("utf8")), weights());
  const folder = openCheckpoint(DIR);
  try {
    assert.deepEqual(bytes.names().sort(), folder.names().sort());
    for (const n of folder.names().slice(0, 12)) assert.deepEqual(bytes.read(n), folder.read(n), n);
    const fromBytes = modelFromCheckpoint(bytes, rt, {}, new CheckpointWeights(bytes, false));
    const fromFolder = loadHourLlava(DIR, { runtime: rt }).model;
    const a = await fixedOutputs(fromBytes);
    const b = await fixedOutputs(fromFolder);
    assert.deepEqual(a.tokens, b.tokens);
    assert.deepEqual(a.logits, b.logits);
  } finally {
    folder.close();
    await rt.release();
  }
});

test("truncated model bytes get an error naming the file", () => {
  const w = weights();
  assert.throws(() => checkpointFromBytes("site/m", {}, w.subarray(0, 100)), /site\/m\/model\.safetensors/);
  assert.throws(() => checkpointFromBytes("site/m", [], w), /site\/m\/config\.json: config\.json must hold a JSON object/);
});

test("the browser derives Node's model identity and memory keys", async () => {
  const id = await modelId(DIR, sha256File);
  assert.equal(await webModelId(config(), weights()), id);
  const sampling = cacheSampling("one-fps-min", 150, 32, undefined, "f16");
  assert.equal(await webMemoryKey("ab".repeat(32), id, sampling), memoryKey("ab".repeat(32), id, sampling));
});
