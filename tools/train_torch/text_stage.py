"""The language stage: trains a model folder's LLM on text drills (scripts/export-drills.ts), many drills per step
along the batch axis. The official Hour-LLaVA inherits multiple-choice symbol binding (finding the option that says
the answer and giving its letter) from its pretrained Qwen2; a tiny LLM trained from scratch must learn it, and
small transformers learn such associative recall only after a long plateau (10^5-10^6 sequences), which the batch-1
TypeScript trainer cannot afford on two cores. Only the LLM's weights change; the rest of the folder is kept, so
`hourllava train` continues from the result like from any checkpoint.

    python3 tools/train_torch/text_stage.py runs/drills --init models/hourllava-tiny --out runs/lang \\
        --mix two,four,mc --steps 3000 --batch 64 --lr 1e-3

Resumable: a second call with the same --out continues from latest.json (weights, AdamW moments, step, data order).
metrics.jsonl gets one line per evaluation: drills seen, the mean training loss and held-out exact answers per kind.
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
sys.path.insert(0, HERE)
from reference_qwen2 import rms_norm, rope_inv_freq, rotate_half  # noqa: E402
from safetensors_file import read_safetensors_bytes, write_safetensors  # noqa: E402
from train import adamw_step, commit_checkpoint, cosine_with_warmup  # noqa: E402

IGNORE = -100
FORMAT = "hourllava-text-stage/1"


def read_drills(path):
    with gzip.open(path, "rt") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_model(folder):
    """A model folder's config and its weights as float32 tensors."""
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    weights, _ = read_safetensors_bytes(open(os.path.join(folder, "model.safetensors"), "rb").read())
    return cfg, {n: t.float() for n, t in weights.items()}


def llm_names(weights):
    """The weights the decoder uses (embeddings, layers, final norm, untied head); not image_newline."""
    return sorted(n for n in weights if n.startswith(("model.embed_tokens.", "model.layers.", "model.norm.", "lm_head.")))


def qwen2_batch_logits(w, cfg, ids):
    """ids [B, L] (right-padded) -> logits [B, L, V]; causal, so padding after a sequence never reaches it."""
    return qwen2_batch_embeds_logits(w, cfg, w["model.embed_tokens.weight"][ids])


def qwen2_batch_embeds_logits(w, cfg, x):
    """inputs_embeds [B, L, H] (right-padded) -> logits [B, L, V]. The same arithmetic as
    tools/parity/reference_qwen2.py, with a batch axis."""
    B, L, _ = x.shape
    hsz, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd, eps = hsz // nh, cfg["rms_norm_eps"]
    freqs = torch.outer(torch.arange(L).float(), rope_inv_freq(hd, cfg["rope_theta"]))
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[None, :, None, :], emb.sin()[None, :, None, :]
    # [B·heads, L, L] scores: q pre-scaled and the causal mask filled in place, because at video lengths (L ~ 1500)
    # each extra pass over the scores costs about as much as the products themselves.
    future = torch.ones((L, L), dtype=torch.bool).triu(1)
    heads = lambda t: t.transpose(1, 2).reshape(B * nh, L, hd)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = F.linear(h, w[p + "self_attn.q_proj.weight"], w[p + "self_attn.q_proj.bias"]).view(B, L, nh, hd)
        k = F.linear(h, w[p + "self_attn.k_proj.weight"], w[p + "self_attn.k_proj.bias"]).view(B, L, nkv, hd)
        v = F.linear(h, w[p + "self_attn.v_proj.weight"], w[p + "self_attn.v_proj.bias"]).view(B, L, nkv, hd)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(nh // nkv, dim=2)
        v = v.repeat_interleave(nh // nkv, dim=2)
        s = torch.bmm(heads(q) * hd ** -0.5, heads(k).transpose(1, 2)).masked_fill_(future, float("-inf"))
        o = torch.bmm(torch.softmax(s, dim=-1), heads(v)).view(B, nh, L, hd).transpose(1, 2).reshape(B, L, hsz)
        x = x + F.linear(o, w[p + "self_attn.o_proj.weight"])
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        x = x + F.linear(F.silu(F.linear(h, w[p + "mlp.gate_proj.weight"])) * F.linear(h, w[p + "mlp.up_proj.weight"]), w[p + "mlp.down_proj.weight"])
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
    return F.linear(x, head)


def batch_of(drills, loss_on):
    """Right-padded ids, the training targets (answers, or every next token) and the answer targets for scoring."""
    L = max(len(d["ids"]) for d in drills)
    ids = torch.zeros((len(drills), L), dtype=torch.int64)
    targets = torch.full((len(drills), L), IGNORE, dtype=torch.int64)
    answers = torch.full((len(drills), L), IGNORE, dtype=torch.int64)
    for b, d in enumerate(drills):
        n = len(d["ids"])
        ids[b, :n] = torch.tensor(d["ids"])
        answers[b, :n] = torch.tensor(d["answers"])
        targets[b, :n] = torch.tensor(d["ids"][1:] + [IGNORE]) if loss_on == "all" else answers[b, :n]
    return ids, targets, answers


def exact_answers(logits, answers, im_end):
    """Answers (runs of answer targets ending in <|im_end|>) whose every token is the argmax, as held-out.ts scores."""
    right = logits.argmax(-1) == answers
    total = exact = 0
    for b in range(answers.shape[0]):
        t = answers[b].tolist()
        i = 0
        while i < len(t):
            if t[i] == IGNORE:
                i += 1
                continue
            k = i
            ok = True
            while k < len(t) and t[k] != IGNORE:
                ok = ok and bool(right[b, k])
                k += 1
            if t[k - 1] == im_end:
                total += 1
                exact += ok
            i = k
    return total, exact


def held_out(w, cfg, held, im_end, batch=100):
    out = {}
    with torch.no_grad():
        for kind, drills in held.items():
            total = exact = 0
            for i in range(0, len(drills), batch):
                ids, _, answers = batch_of(drills[i:i + batch], "answers")
                t, e = exact_answers(qwen2_batch_logits(w, cfg, ids), answers, im_end)
                total += t
                exact += e
            out[kind] = exact / max(total, 1)
    return out


def parse_mix(text):
    """'two,four,mc' (uniform) or 'two:3,mc:1' (weights) -> [(kind, weight)]."""
    out = []
    for part in text.split(","):
        kind, _, weight = part.partition(":")
        out.append((kind.strip(), float(weight) if weight else 1.0))
    if not out or any(w <= 0 for _, w in out):
        raise SystemExit(f"--mix: expected kind[:weight],..., got {text!r}")
    return out


def write_metrics(f, line):
    """One metrics.jsonl line, flushed (a run followed with tail -f), echoed to stderr."""
    f.write(json.dumps(line) + "\n")
    f.flush()
    print(json.dumps(line), file=sys.stderr, flush=True)


def read_adam_state(folder, params):
    """The AdamW moments and step of a checkpoint written by save_stage_checkpoint, shaped like params."""
    opt, meta = read_safetensors_bytes(open(os.path.join(folder, "optimizer.safetensors"), "rb").read())
    state = {"step": int(meta["step"]), "m": {}, "v": {}}
    for key, t in opt.items():
        kind, name = key.split(".", 1)
        state[kind][name] = t.view(params[name].shape).clone()
    return state


def save_stage_checkpoint(out, source, weights, state, step, info_name, info, extra=None):
    """A model folder (all weights, the source's config and tokenizer) with the AdamW moments and the stage's own
    info file, written aside and then moved into place (commit_checkpoint)."""
    name = f"checkpoint-{step}"
    tmp = os.path.join(out, name) + f".tmp-{os.getpid()}"
    os.makedirs(tmp, exist_ok=True)
    write_safetensors(os.path.join(tmp, "model.safetensors"), {n: t.detach().float() for n, t in weights.items()}, {"format": "pt"})
    for f in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copyfile(os.path.join(source, f), os.path.join(tmp, f))
    opt = {f"m.{n}": t.flatten() for n, t in state["m"].items()}
    opt.update({f"v.{n}": t.flatten() for n, t in state["v"].items()})
    write_safetensors(os.path.join(tmp, "optimizer.safetensors"), opt, {"step": str(state["step"])})
    with open(os.path.join(tmp, info_name), "w") as f:
        json.dump(info, f, indent=2)
    if extra:
        extra(tmp)
    commit_checkpoint(out, tmp, name, step)


def save(out, source, cfg, weights, state, step, seen, rng_state, args):
    info = {"format": FORMAT, "step": step, "drills_seen": seen, "args": vars(args)}
    save_stage_checkpoint(out, source, weights, state, step, "text_stage.json", info, lambda tmp: torch.save(rng_state, os.path.join(tmp, "rng.pt")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("drills", help="folder written by scripts/export-drills.ts")
    ap.add_argument("--init", required=True, help="model folder to start from (its LLM is trained, the rest kept)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--mix", default="two,four,mc", help="training kinds and weights: two:1,mc:2")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=64, help="drills per optimizer step, one per sequence")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=float, default=0.03, help="warmup share of the steps (cosine after)")
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--loss-on", choices=["answers", "all"], default="answers")
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--save-every", type=int, default=500)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)

    mix = parse_mix(a.mix)
    train = {k: read_drills(os.path.join(a.drills, f"train-{k}.jsonl.gz")) for k, _ in mix}
    held = {}
    for f in sorted(os.listdir(a.drills)):
        if f.startswith("held-") and f.endswith(".jsonl.gz"):
            held[f[len("held-"):-len(".jsonl.gz")]] = read_drills(os.path.join(a.drills, f))
    os.makedirs(a.out, exist_ok=True)
    start, source, seen = 0, a.init, 0
    latest = os.path.join(a.out, "latest.json")
    if os.path.exists(latest):
        source = os.path.join(a.out, json.load(open(latest))["checkpoint"])
    cfg, weights = read_model(source)
    with open(os.path.join(source, "tokenizer.json")) as f:
        im_end = next(t["id"] for t in json.load(f)["added_tokens"] if t["content"] == "<|im_end|>")
    names = llm_names(weights)
    params = {n: weights[n].requires_grad_(True) for n in names}
    state = {"step": 0, "m": {}, "v": {}}
    rng = np.random.default_rng(a.seed)
    if source != a.init:
        state = read_adam_state(source, params)
        info = json.load(open(os.path.join(source, "text_stage.json")))
        start, seen = info["step"], info["drills_seen"]
        rng.bit_generator.state = torch.load(os.path.join(source, "rng.pt"))
        print(f"resuming {source} at step {start}", file=sys.stderr)
    lrs = {n: a.lr for n in names}
    opts = {"maxGradNorm": 1.0, "weightDecay": a.weight_decay, "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}}
    kinds = [k for k, _ in mix]
    p = np.array([w for _, w in mix]) / sum(w for _, w in mix)
    metrics = open(os.path.join(a.out, "metrics.jsonl"), "a")
    if start == 0:
        acc = held_out(weights, cfg, held, im_end)
        write_metrics(metrics, {"step": 0, "drills": 0, "loss": None, "held": acc})
    t0, loss_sum, loss_n = time.time(), 0.0, 0
    for step in range(start, a.steps):
        picks = rng.choice(len(kinds), size=a.batch, p=p)
        drills = [train[kinds[k]][int(rng.integers(len(train[kinds[k]])))] for k in picks]
        ids, targets, _ = batch_of(drills, a.loss_on)
        logits = qwen2_batch_logits(weights, cfg, ids)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE)
        grads = dict(zip(names, torch.autograd.grad(loss, [params[n] for n in names])))
        adamw_step(params, grads, state, lrs, cosine_with_warmup(step, a.steps, a.warmup), opts)
        seen += a.batch
        loss_sum += float(loss)
        loss_n += 1
        if (step + 1) % a.eval_every == 0 or step + 1 == a.steps:
            acc = held_out(weights, cfg, held, im_end)
            line = {"step": step + 1, "drills": seen, "loss": loss_sum / loss_n, "held": acc, "elapsed_s": round(time.time() - t0, 1)}
            write_metrics(metrics, line)
            loss_sum, loss_n = 0.0, 0
        if (step + 1) % a.save_every == 0 or step + 1 == a.steps:
            save(a.out, a.init, cfg, weights, state, step + 1, seen, rng.bit_generator.state, a)
    metrics.close()


if __name__ == "__main__":
    main()
