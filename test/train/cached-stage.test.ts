// The cached LLM stage (tools/train_torch/cached_stage.py): a batch of cached conversations gives the full training
// graph's logits (tower -> projector -> MemAug -> Qwen2, as train.py computes them), a cache built with other frozen
// weights is refused, only the decoder layers and final norm change, and a run stopped and resumed ends where an
// uninterrupted one ends. Needs Debian's python3-torch (required in CI).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTrainConfig } from "../../src/train/config.ts";
import { exportRun } from "../../src/train/export.ts";
import { torchMissing } from "../helpers/needs.ts";
import { assertResumedAndFrozen, runTorchPython } from "../helpers/torch-stage.ts";

const CONFIG = "test/fixtures/train-torch/micro-config.json";

const py = runTorchPython;

test(
  "cached stage: cached logits equal the full graph's; foreign caches refused; only the decoder trains; resume is exact",
  { skip: torchMissing() },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "hl-cached-stage-"));
    try {
      const cfg = readTrainConfig(CONFIG);
      cfg.out = join(dir, "none");
      cfg.threads = 1;
      const exp = join(dir, "export");
      await exportRun(cfg, exp, { quiet: true, log: () => {} });
      // Another export of the same size from the same model: only its samples differ.
      const other = join(dir, "export-other");
      await exportRun({ ...cfg, data: { ...cfg.data, synth: { ...cfg.data.synth, seed: cfg.data.synth.seed + 1 } } }, other, { quiet: true, log: () => {} });

      const parity = py([
        "-c",
        `
import sys, os, json, torch
sys.path[:0] = ["tools/train_torch", "tools/parity"]
import cached_stage as cs, text_stage as ts, train as tr
from reference_qwen2 import qwen2_logits
ex = tr.Export("${exp}")
cfg, w = cs.read_model(ex.checkpoint)
items = cs.build_cache("${exp}", "${dir}/cache", cfg, w, lambda m: None)
model = tr.Model(cfg, w)
emb = w["model.embed_tokens.weight"]
x, targets = cs.conversation_batch(items[:3], emb)
batched = ts.qwen2_batch_embeds_logits(w, cfg, x)
err = 0.0
with torch.no_grad():
    for b, key in enumerate(sorted(ex.micro)[:3]):
        r = ex.micro[key]
        video = model.video_tokens(tr.normalise_u8(ex.frames[r["pixels"]].numpy()), r)
        embeds = torch.cat([emb[torch.tensor(r["llmPrefixIds"])], video, emb[torch.tensor(r["llmSuffixIds"])]], 0)
        ref = qwen2_logits(w, cfg, embeds)
        n = ref.shape[0]
        assert torch.equal(targets[b, :n], torch.tensor(r["targets"]))
        err = max(err, float((batched[b, :n] - ref).abs().max() / ref.abs().max()))
def refusal(export, weights):
    try:
        cs.build_cache(export, "${dir}/cache", cfg, weights, lambda m: None)
        return ""
    except SystemExit as e:
        return str(e)
refused = [refusal("${other}", w)]
# An --out holding another tool's checkpoint-N: saving would replace that folder.
os.makedirs("${dir}/foreign/checkpoint-2")
try:
    cs.check_out("${dir}/foreign")
    refused.append("")
except SystemExit as e:
    refused.append(str(e))
w["model.mm_projector.0.weight"] += 0.5
refused.append(refusal("${exp}", w))
# Answer spans: the template's supervised tokens (<|im_end|> of a user turn, newlines, the role) are not answers.
I, E, S, N, R, L, X = -100, 1, 2, 3, 4, 40, 41
t = torch.tensor([[I, E, N, S, R, N, L, E, N, I, I, E, N, S, R, N, X, X, E, N, S, R, N, E]])
mc, other = cs.answer_kinds(t, {L}, E, N)
spans = [[int(v) for v in u[0] if v != I] for u in (mc, other)]
print(json.dumps({"samples": len(items), "lengths": [len(it["targets"]) for it in items[:3]], "err": err, "refused": refused, "spans": spans}))
`,
      ]);
      const p = JSON.parse(parity) as { samples: number; lengths: number[]; err: number; refused: string[]; spans: number[][] };
      assert.deepEqual(p.spans, [
        [40, 1],
        [41, 41, 1],
      ]);
      assert.equal(p.samples, cfg.steps * cfg.gradAccum);
      assert.ok(new Set(p.lengths).size > 1, `the batch needs padding: ${p.lengths}`);
      // The cache holds the video tokens in float16: about 3 significant digits.
      assert.ok(p.err < 2e-3, `cached batch vs full graph: ${p.err}`);
      assert.equal(p.refused.length, 3);
      for (const r of [p.refused[0], p.refused[2]]) assert.match(r, /cached from another export or model/);
      assert.match(p.refused[1], /checkpoint-2 was not written by cached_stage\.py; choose another --out/);

      const run = (out: string, steps: number) =>
        py([
          "tools/train_torch/cached_stage.py",
          exp,
          "--out",
          out,
          "--steps",
          String(steps),
          "--batch",
          "2",
          "--lr",
          "1e-2",
          "--eval-every",
          "2",
          "--save-every",
          "2",
        ]);
      run(join(dir, "whole"), 5);
      run(join(dir, "split"), 2);
      run(join(dir, "split"), 5); // resumes at step 2, across the epoch boundary at step 3
      const moved = assertResumedAndFrozen(
        join(dir, "whole", "checkpoint-5", "model.safetensors"),
        join(dir, "split", "checkpoint-5", "model.safetensors"),
        join(exp, "checkpoint-0", "model.safetensors"),
        (n) => n.startsWith("model.layers.") || n === "model.norm.weight",
      );
      assert.ok(moved > 5, `${moved} decoder tensors changed`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
