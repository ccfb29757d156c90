"""Runs an exported hourllava training run (`hourllava train --config C --export DIR`) in PyTorch, e.g. on a GPU
machine without Node. The export holds the starting checkpoint, every micro-step's sample plan (token ids, memory
rows, query positions, targets: the TypeScript host side, forgetting included) and the frames as uint8, so this
script only runs the differentiable part: vision tower -> pooling -> projector -> memory -> MemAug -> Qwen2 ->
cross-entropy, then AdamW exactly as src/train/adamw.ts does it. Checkpoints are written in the trainer's layout
(model + optimizer + trainer_state.json with the run's config hash, latest.json), so `hourllava train --config C
--out OUT` resumes them and `hourllava ask --model OUT/checkpoint-N` answers with them.

    python3 tools/train_torch/train.py EXPORT_DIR --out OUT [--device cuda] [--steps N]

Model pieces are the parity references (tools/parity/reference_*.py), which match the TypeScript graphs to 1e-6.
"""
import argparse
import gzip
import json
import math
import os
import shutil
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "parity"))
from reference_memaug import memaug  # noqa: E402
from reference_qwen2 import qwen2_logits  # noqa: E402
from reference_siglip import siglip_features  # noqa: E402
from safetensors_file import read_safetensors_bytes, write_safetensors  # noqa: E402

FORMAT = "hourllava-train-export/1"
IGNORE_INDEX = -100
ROW_STRIDE = 65  # 64 tokens + one newline per frame in the memory
POOLED_SIDE = 8


def cosine_with_warmup(step, total, warmup_ratio):
    """src/train/schedule.ts: linear warmup over ceil(total * ratio) steps, then cosine to zero."""
    warmup = math.ceil(total * warmup_ratio)
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


def normalise_u8(u8):
    """SigLIP's rescale + normalise as src/video/preprocess.ts: float32(float64(u) / 255), then (x - 0.5) / 0.5."""
    x = (u8.astype(np.float64) * (1 / 255)).astype(np.float32)
    return torch.from_numpy((x - np.float32(0.5)) / np.float32(0.5))


class Export:
    def __init__(self, path):
        self.path = path
        with open(os.path.join(path, "manifest.json")) as f:
            self.manifest = json.load(f)
        if self.manifest.get("format") != FORMAT:
            raise SystemExit(f"{path}: not a {FORMAT} export (format {self.manifest.get('format')!r})")
        with gzip.open(os.path.join(path, self.manifest["pixels"]), "rb") as f:
            self.frames, _ = read_safetensors_bytes(f.read())
        self.micro = {}
        with gzip.open(os.path.join(path, self.manifest["steps"]), "rt") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    self.micro[(r["step"], r["micro"])] = r
        self.checkpoint = os.path.join(path, self.manifest["checkpoint"])


def load_checkpoint(folder):
    weights, _ = read_safetensors_bytes(open(os.path.join(folder, "model.safetensors"), "rb").read())
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    opt_tensors, opt_meta = read_safetensors_bytes(open(os.path.join(folder, "optimizer.safetensors"), "rb").read())
    return weights, config, opt_tensors, int(opt_meta.get("step", "0"))


class Model:
    """The training graph of src/train/train-graph.ts over a dict of tensors (trained ones are leaf tensors)."""

    def __init__(self, config, weights):
        self.cfg = config
        self.vcfg = config["vision_config"]
        self.w = weights

    def video_tokens(self, pixels, r):
        """The LLM's video tokens of one sample: tower -> pooling -> projector -> memory -> MemAug at videoPos."""
        w, cfg, dev = self.w, self.cfg, pixels.device
        ids = lambda name: torch.tensor(r[name], dtype=torch.int64, device=dev)
        feats = siglip_features(w, self.vcfg, pixels)  # [T, grid², C]
        grid = self.vcfg["image_size"] // self.vcfg["patch_size"]
        if grid != POOLED_SIDE:  # official get_2dPool: bilinear, align_corners=False
            x = feats.view(feats.shape[0], grid, grid, -1).permute(0, 3, 1, 2)
            feats = F.interpolate(x, size=[POOLED_SIDE, POOLED_SIDE], mode="bilinear", align_corners=False).permute(0, 2, 3, 1).flatten(1, 2)
        lin = lambda t, n: F.linear(t, w[n + ".weight"], w[n + ".bias"])
        tokens = lin(F.gelu(lin(feats, "model.mm_projector.0")), "model.mm_projector.2")  # [T, 64, H]
        frames = tokens[ids("frameIndex")]
        H = cfg["hidden_size"]
        newline = w["model.image_newline"].view(1, 1, H).expand(frames.shape[0], 1, H)
        memory = torch.cat([frames, newline], 1).reshape(-1, H)
        emb = w["model.embed_tokens.weight"]
        x = torch.cat([emb[ids("prefixIds")], memory[ids("queryRows")], emb[ids("suffixIds")]], 0)
        k_pos = torch.arange(memory.shape[0], device=dev)
        out = memaug(w, cfg, x, memory, ids("qPos"), k_pos)
        return out[ids("videoPos")]

    def loss(self, pixels, r):
        w, cfg, dev = self.w, self.cfg, pixels.device
        ids = lambda name: torch.tensor(r[name], dtype=torch.int64, device=dev)
        emb = w["model.embed_tokens.weight"]
        video = self.video_tokens(pixels, r)
        embeds = torch.cat([emb[ids("llmPrefixIds")], video, emb[ids("llmSuffixIds")]], 0)
        logits = qwen2_logits(w, cfg, embeds, torch.arange(embeds.shape[0], device=dev))
        return F.cross_entropy(logits, ids("targets"), ignore_index=IGNORE_INDEX)


def adamw_step(params, grads, state, lrs, sched, opts):
    """src/train/adamw.ts: clip by global norm, decoupled decay, bias-corrected moments. Returns the norm."""
    norm = math.sqrt(sum(float((g.double() ** 2).sum()) for g in grads.values()))
    if not math.isfinite(norm):
        raise SystemExit(f"AdamW: gradient norm is {norm}; refusing to update")
    clip = opts["maxGradNorm"] / (norm + 1e-6) if opts["maxGradNorm"] > 0 and norm > opts["maxGradNorm"] else 1.0
    b1, b2, eps = opts["adam"]["beta1"], opts["adam"]["beta2"], opts["adam"]["eps"]
    state["step"] += 1
    bc1 = 1 - b1 ** state["step"]
    bc2 = 1 - b2 ** state["step"]
    with torch.no_grad():
        for name, p in params.items():
            g = grads[name] * clip
            m = state["m"].setdefault(name, torch.zeros_like(p))
            v = state["v"].setdefault(name, torch.zeros_like(p))
            a = lrs[name] * sched
            if a == 0:
                continue
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            p.mul_(1 - a * opts["weightDecay"]).sub_((a / bc1) * m / (v.sqrt() / math.sqrt(bc2) + eps))
    return norm


def save_checkpoint(out, source_folder, weights, state, step, manifest):
    name = f"checkpoint-{step}"
    final = os.path.join(out, name)
    tmp = final + f".tmp-{os.getpid()}"
    os.makedirs(tmp, exist_ok=True)
    cpu = {n: t.detach().float().cpu() for n, t in weights.items()}
    write_safetensors(os.path.join(tmp, "model.safetensors"), cpu, {"format": "pt"})
    for f in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        if os.path.exists(os.path.join(source_folder, f)):
            shutil.copyfile(os.path.join(source_folder, f), os.path.join(tmp, f))
    opt = {f"m.{n}": t.detach().float().cpu().flatten() for n, t in state["m"].items()}
    opt.update({f"v.{n}": t.detach().float().cpu().flatten() for n, t in state["v"].items()})
    write_safetensors(os.path.join(tmp, "optimizer.safetensors"), opt, {"step": str(state["step"])})
    with open(os.path.join(tmp, "trainer_state.json"), "w") as f:
        json.dump({"step": step, "seed": manifest["seed"], "configHash": manifest["configHash"]}, f, indent=2)
        f.write("\n")
    return commit_checkpoint(out, tmp, name, step)


def commit_checkpoint(out, tmp, name, step):
    """Moves a fully written checkpoint folder into place, then points latest.json at it (a crash in between leaves
    the previous checkpoint in charge)."""
    final = os.path.join(out, name)
    if os.path.exists(final):
        shutil.rmtree(final)
    os.replace(tmp, final)
    with open(os.path.join(out, "latest.json.tmp"), "w") as f:
        f.write(json.dumps({"checkpoint": name, "step": step}) + "\n")
    os.replace(os.path.join(out, "latest.json.tmp"), os.path.join(out, "latest.json"))
    return final


def train(export_dir, out, device="cpu", steps=None, log=print, record=None):
    """Runs the exported steps; `record(step, loss, grad_norm, grads)` sees every step (the parity fixture)."""
    ex = Export(export_dir)
    m = ex.manifest
    weights, config, opt_tensors, opt_step = load_checkpoint(ex.checkpoint)
    lrs = dict((n, lr) for n, lr in m["trained"])
    dev = torch.device(device)
    weights = {n: t.to(dev) for n, t in weights.items()}
    for n in lrs:
        weights[n].requires_grad_(True)
    params = {n: weights[n] for n in lrs}
    state = {"step": opt_step, "m": {}, "v": {}}
    for key, t in opt_tensors.items():
        kind, name = key.split(".", 1)
        state[kind][name] = t.to(dev).view(params[name].shape).clone()
    model = Model(config, weights)
    end = m["end"] if steps is None else min(m["end"], m["start"] + steps)
    os.makedirs(out, exist_ok=True)
    metrics = open(os.path.join(out, "metrics.jsonl"), "a")
    t0 = time.time()
    tokens = 0
    saved = None
    for step in range(m["start"], end):
        grads = {n: torch.zeros_like(p) for n, p in params.items()}
        loss_sum = 0.0
        for j in range(m["gradAccum"]):
            r = ex.micro[(step, j)]
            pixels = normalise_u8(ex.frames[r["pixels"]].numpy()).to(dev)
            loss = model.loss(pixels, r)
            g = torch.autograd.grad(loss, list(params.values()))
            for n, gi in zip(params, g):
                grads[n] += gi
            loss_sum += float(loss)
            tokens += r["length"]
        if m["gradAccum"] > 1:
            for gi in grads.values():
                gi /= m["gradAccum"]
        sched = cosine_with_warmup(step, m["totalSteps"], m["warmupRatio"])
        if record:
            record(step, loss_sum / m["gradAccum"], grads)
        norm = adamw_step(params, grads, state, lrs, sched, m)
        loss = loss_sum / m["gradAccum"]
        elapsed = time.time() - t0
        metrics.write(json.dumps({"step": step + 1, "loss": loss, "lr_scale": sched, "grad_norm": norm, "tokens_per_s": tokens / elapsed, "elapsed_s": elapsed}) + "\n")
        metrics.flush()
        if (step + 1) % m["logEvery"] == 0:
            log(f"step {step + 1}/{m['totalSteps']} loss {loss:.4f} grad-norm {norm:.3f} {tokens / elapsed:.0f} tok/s")
        if (step + 1) % m["saveEvery"] == 0 or step + 1 == end:
            saved = save_checkpoint(out, ex.checkpoint, weights, state, step + 1, m)
    metrics.close()
    return saved, weights


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("export", help="folder written by `hourllava train --config C --export DIR`")
    ap.add_argument("--out", required=True, help="run folder (checkpoints, metrics.jsonl); `hourllava train --out` resumes it")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--steps", type=int, help="run only this many of the exported steps")
    ap.add_argument("--threads", type=int, help="CPU threads")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    saved, _ = train(a.export, a.out, a.device, a.steps)
    print(json.dumps({"checkpoint": saved}))


if __name__ == "__main__":
    main()
