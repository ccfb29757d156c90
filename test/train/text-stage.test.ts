// The language stage (tools/train_torch/text_stage.py): its batched decoder computes the parity reference's logits
// for every sequence of a right-padded batch, only the LLM's weights change, and a run stopped and resumed ends
// where an uninterrupted one ends. Needs Debian's python3-torch (required in CI).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTokenizer } from "../../src/io/tokenizer.ts";
import { drillSet, writeDrillFile } from "../../src/train/drill-sets.ts";
import { torchMissing } from "../helpers/needs.ts";
import { assertResumedAndFrozen, runTorchPython } from "../helpers/torch-stage.ts";

const skip = torchMissing();
const MODEL = "models/hourllava-tiny";

const py = runTorchPython;

test("text stage: batched logits equal the reference's per sequence; a resumed run ends where a whole one does", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-text-stage-"));
  try {
    const tok = loadTokenizer(MODEL);
    const drills = join(dir, "drills");
    writeDrillFile(join(drills, "train-two.jsonl.gz"), tok, drillSet("two", 64, 41));
    writeDrillFile(join(drills, "train-name.jsonl.gz"), tok, drillSet("name", 64, 42));
    writeDrillFile(join(drills, "held-two.jsonl.gz"), tok, drillSet("two", 8, 43));

    // Parity: a right-padded batch of two drills of different lengths against the reference decoder, one by one.
    const parity = py([
      "-c",
      `
import sys, json, torch
sys.path[:0] = ["tools/train_torch", "tools/parity"]
import text_stage as ts
from reference_qwen2 import qwen2_logits
from safetensors_file import read_safetensors_bytes
w, _ = read_safetensors_bytes(open("${MODEL}/model.safetensors", "rb").read())
w = {n: t.float() for n, t in w.items()}
cfg = json.load(open("${MODEL}/config.json"))
d = ts.read_drills("${drills}/train-two.jsonl.gz")[:1] + ts.read_drills("${drills}/train-name.jsonl.gz")[:1]
ids, _, _ = ts.batch_of(d, "answers")
batched = ts.qwen2_batch_logits(w, cfg, ids)
err = 0.0
for b, x in enumerate(d):
    n = len(x["ids"])
    ref = qwen2_logits(w, cfg, w["model.embed_tokens.weight"][torch.tensor(x["ids"])])
    err = max(err, float((batched[b, :n] - ref).abs().max() / ref.abs().max()))
print(json.dumps({"lengths": [len(x["ids"]) for x in d], "err": err}))
`,
    ]);
    const p = JSON.parse(parity) as { lengths: number[]; err: number };
    assert.notEqual(p.lengths[0], p.lengths[1], "the batch needs padding");
    assert.ok(p.err < 1e-5, `batched vs reference: ${p.err}`);

    const run = (out: string, steps: number) =>
      py([
        "tools/train_torch/text_stage.py",
        drills,
        "--init",
        MODEL,
        "--out",
        out,
        "--mix",
        "two,name",
        "--steps",
        String(steps),
        "--batch",
        "4",
        "--eval-every",
        "2",
        "--save-every",
        "2",
      ]);
    run(join(dir, "whole"), 4);
    run(join(dir, "split"), 2);
    run(join(dir, "split"), 4); // resumes at step 2
    const metrics = readFileSync(join(dir, "split", "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { step: number; drills: number });
    assert.deepEqual(
      metrics.map((m) => [m.step, m.drills]),
      [
        [0, 0],
        [2, 8],
        [4, 16],
      ],
    );
    const llmMoved = assertResumedAndFrozen(
      join(dir, "whole", "checkpoint-4", "model.safetensors"),
      join(dir, "split", "checkpoint-4", "model.safetensors"),
      join(MODEL, "model.safetensors"),
      (n) => n.startsWith("model.layers.") || n === "model.embed_tokens.weight" || n === "model.norm.weight",
    );
    assert.ok(llmMoved > 10, `${llmMoved} LLM tensors changed`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
