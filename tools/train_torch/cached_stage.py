"""The cached LLM stage: trains a model's LLM on exported video and frame conversations (`hourllava train --config C
--export DIR`) with the tower, projector and MemAug frozen, many conversations per step along the batch axis.

Why: every text skill of the language stage (text_stage.py) was learned only at 64 drills per step after 10^4-10^5
drills, and the batch-1 video trainer cannot afford that regime on two cores. With the vision side and the token
embeddings frozen, a sample's video tokens for the LLM (tower -> projector -> memory -> MemAug at videoPos) never
change, so they are computed once (`OUT/cache-<export>/`, float16) and each step runs only the decoder, on a batch of
conversations plus, with --drills, a batch of text drills, so that the binding skills are kept while the LLM learns
to use them behind video tokens. The token embeddings (tied to the head) stay frozen because MemAug reads them: the
cached video tokens stay exactly what inference computes.

    python3 tools/train_torch/cached_stage.py runs/export --held runs/export-held --out runs/cached \\
        --drills runs/drills --mix coded-far:2,four:1,mc:1 --batch 16 --drill-batch 32 --steps 2000

Resumable: a second call with the same --out continues from latest.json (weights, AdamW moments, step; each step's
data follows from the seed and the step).
metrics.jsonl gets one line per evaluation: conversations seen, the mean training loss, and held-out exact answers
(teacher-forced, as held-out.ts scores them) for the held conversations' multiple-choice and open-ended answers and
for each drill kind.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "parity"))
sys.path.insert(0, HERE)
from text_stage import IGNORE, batch_of, exact_answers, held_out, parse_mix, qwen2_batch_embeds_logits, read_adam_state, read_drills, read_model, save_stage_checkpoint, write_metrics  # noqa: E402
from train import Export, Model, adamw_step, cosine_with_warmup, normalise_u8  # noqa: E402

FORMAT = "hourllava-cached-stage/1"
CHUNK = 250  # samples per cache file: an interrupted caching pass loses at most one chunk
LETTERS = ("A", "B", "C", "D", "E", "F")


def trained_names(weights):
    """The decoder layers and the final norm: the LLM without its (tied) embeddings, which MemAug reads."""
    return sorted(n for n in weights if n.startswith(("model.layers.", "model.norm.")))


def frozen_fingerprint(weights):
    """A cheap fingerprint of everything the cache depends on (all but the trained tensors)."""
    trained = set(trained_names(weights))
    frozen = [n for n in sorted(weights) if n not in trained]
    return float(sum(float(weights[n].double().abs().sum()) for n in frozen))


def build_cache(export_dir, cache_dir, cfg, weights, log, limit=None):
    """One float16 [videoTokens, H] per exported micro-step (the first `limit`), with its LLM ids and targets, in
    chunk files."""
    ex = Export(export_dir)
    keys = sorted(ex.micro)[:limit]
    os.makedirs(cache_dir, exist_ok=True)
    meta_path = os.path.join(cache_dir, "meta.json")
    fp = frozen_fingerprint(weights)
    content = ex.manifest["contentSha256"]  # the export's plans and frames: two exports of one size differ here
    if os.path.exists(meta_path):
        meta = json.load(open(meta_path))
        if meta.get("content") != content or meta["samples"] != len(keys) or abs(meta["frozen"] - fp) > 1e-6 * max(1.0, abs(fp)):
            raise SystemExit(f"{cache_dir}: cached from another export or model; remove it to rebuild")
    else:
        with open(meta_path, "w") as f:
            json.dump({"format": FORMAT, "samples": len(keys), "frozen": fp, "export": export_dir, "content": content}, f)
    model = Model(cfg, weights)
    t0, done = time.time(), 0
    for c in range(0, len(keys), CHUNK):
        path = os.path.join(cache_dir, f"chunk-{c // CHUNK:05d}.pt")
        if os.path.exists(path):
            continue
        items = []
        with torch.no_grad():
            for key in keys[c:c + CHUNK]:
                r = ex.micro[key]
                video = model.video_tokens(normalise_u8(ex.frames[r["pixels"]].numpy()), r)
                items.append({
                    "pre": torch.tensor(r["llmPrefixIds"], dtype=torch.int64),
                    "video": video.half(),
                    "suf": torch.tensor(r["llmSuffixIds"], dtype=torch.int64),
                    "targets": torch.tensor(r["targets"], dtype=torch.int64),
                })
        torch.save(items, path + ".tmp")
        os.replace(path + ".tmp", path)
        done += len(items)
        rate = done / (time.time() - t0)
        log(f"cache {export_dir}: {min(c + CHUNK, len(keys))}/{len(keys)} samples, {rate:.2f}/s, "
            f"ETA {max(0, len(keys) - c - CHUNK) / rate / 60:.0f} min")
    items = []
    for f in sorted(os.listdir(cache_dir)):
        if f.startswith("chunk-") and f.endswith(".pt"):
            items.extend(torch.load(os.path.join(cache_dir, f)))
    return items


def conversation_batch(items, emb):
    """Right-padded inputs_embeds [B, L, H] (text from the frozen embeddings, cached video tokens) and targets."""
    lengths = [len(it["targets"]) for it in items]
    B, L, H = len(items), max(lengths), emb.shape[1]
    x = torch.zeros((B, L, H))
    targets = torch.full((B, L), IGNORE, dtype=torch.int64)
    for b, it in enumerate(items):
        x[b, :lengths[b]] = torch.cat([emb[it["pre"]], it["video"].float(), emb[it["suf"]]], 0)
        targets[b, :lengths[b]] = it["targets"]
    return x, targets


def answer_kinds(targets, letter_ids, im_end, nl):
    """The assistant answers among a batch's targets, split into multiple-choice ones (a single letter, then
    <|im_end|>) and the rest. Official Qwen2 conversations also supervise the template's own tokens (<|im_start|>,
    the role, the newlines), so an answer is the span after the newline that ends "<|im_start|>assistant", up to its
    <|im_end|>, inside one supervised run."""
    mc = torch.full_like(targets, IGNORE)
    other = torch.full_like(targets, IGNORE)
    for b in range(targets.shape[0]):
        t = targets[b].tolist()
        for k, tk in enumerate(t):
            if tk != im_end:
                continue
            j = k - 1
            while j >= 0 and t[j] not in (IGNORE, nl, im_end):
                j -= 1
            if j < 0 or t[j] != nl or j + 1 == k:
                continue  # a user turn's end, or an empty answer
            dest = mc if k - j == 2 and t[k - 1] in letter_ids else other
            dest[b, j + 1:k + 1] = targets[b, j + 1:k + 1]
    return mc, other


def held_conversations(w, cfg, items, letter_ids, im_end, nl, batch=8):
    tally = {"mc": [0, 0], "open": [0, 0]}
    emb = w["model.embed_tokens.weight"]
    with torch.no_grad():
        for i in range(0, len(items), batch):
            x, targets = conversation_batch(items[i:i + batch], emb)
            logits = qwen2_batch_embeds_logits(w, cfg, x)
            for kind, t in zip(("mc", "open"), answer_kinds(targets, letter_ids, im_end, nl)):
                total, exact = exact_answers(logits, t, im_end)
                tally[kind][0] += total
                tally[kind][1] += exact
    return {f"video_{k}": e / max(t, 1) for k, (t, e) in tally.items()}


def length_grouped_order(items, batch, rng):
    """A shuffled order in which each batch holds samples of similar length (less padding), batches shuffled; how
    many batches depends only on the number of samples."""
    order = rng.permutation(len(items))
    groups = []
    for g in range(0, len(order), batch * 16):
        chunk = sorted(order[g:g + batch * 16], key=lambda i: len(items[i]["targets"]))
        groups.extend(chunk[j:j + batch] for j in range(0, len(chunk), batch))
    return [groups[i] for i in rng.permutation(len(groups))]


def check_out(out):
    """Refuses an --out holding checkpoints that another tool wrote: saving checkpoint-N replaces a folder of that
    name, and resuming would read the wrong kind of run."""
    if not os.path.isdir(out):
        return
    for f in sorted(os.listdir(out)):
        if f.startswith("checkpoint-") and ".tmp-" not in f and not os.path.exists(os.path.join(out, f, "cached_stage.json")):
            raise SystemExit(f"{out}: {f} was not written by cached_stage.py; choose another --out")


def save(out, source, weights, state, step, seen, args):
    info = {"format": FORMAT, "step": step, "conversations_seen": seen, "args": vars(args)}
    save_stage_checkpoint(out, source, weights, state, step, "cached_stage.json", info)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("export", nargs="+", help="folders written by `hourllava train --config C --export DIR`")
    ap.add_argument("--out", required=True)
    ap.add_argument("--init", help="model folder to start from (default: the export's checkpoint)")
    ap.add_argument("--held", help="a second export (other worlds) scored at every evaluation")
    ap.add_argument("--drills", help="folder written by scripts/export-drills.ts, mixed into every step")
    ap.add_argument("--mix", default="coded-far,four,mc", help="with --drills: kinds and weights, coded-far:2,mc:1")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=16, help="conversations per optimizer step")
    ap.add_argument("--drill-batch", type=int, default=32, help="text drills per optimizer step (with --drills)")
    ap.add_argument("--drill-weight", type=float, default=1.0, help="the drills' mean loss, relative to the conversations'")
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--warmup", type=float, default=0.03)
    ap.add_argument("--eval-every", type=int, default=100)
    ap.add_argument("--save-every", type=int, default=100)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--samples", type=int, help="use only the first N samples of each export")
    ap.add_argument("--cache-only", action="store_true", help="build the caches and stop (run one per export in parallel)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    log = lambda m: print(m, file=sys.stderr, flush=True)

    init = a.init or Export(a.export[0]).checkpoint
    check_out(a.out)
    os.makedirs(a.out, exist_ok=True)
    latest = os.path.join(a.out, "latest.json")
    source = os.path.join(a.out, json.load(open(latest))["checkpoint"]) if os.path.exists(latest) else init
    cfg, weights = read_model(source)
    # The cache depends only on frozen tensors, so a resumed run's checkpoint reads the same cache.
    caches = [(d, os.path.join(a.out, f"cache-{os.path.basename(os.path.normpath(d))}")) for d in a.export]
    items = [it for d, c in caches for it in build_cache(d, c, cfg, weights, log, a.samples)]
    held_items = build_cache(a.held, os.path.join(a.out, "cache-held"), cfg, weights, log) if a.held else []
    if a.cache_only:
        return
    with open(os.path.join(source, "tokenizer.json")) as f:
        tok = json.load(f)
    im_end = next(t["id"] for t in tok["added_tokens"] if t["content"] == "<|im_end|>")
    letter_ids = {tok["model"]["vocab"][c] for c in LETTERS if c in tok["model"]["vocab"]}
    nl = tok["model"]["vocab"]["\u010a"]  # byte-level BPE's newline
    mix = parse_mix(a.mix) if a.drills else []
    drills = {k: read_drills(os.path.join(a.drills, f"train-{k}.jsonl.gz")) for k, _ in mix}
    held_drills = {k: read_drills(os.path.join(a.drills, f"held-{k}.jsonl.gz"))[:200] for k, _ in mix}

    names = trained_names(weights)
    params = {n: weights[n].requires_grad_(True) for n in names}
    state = {"step": 0, "m": {}, "v": {}}
    start, seen = 0, 0
    if source != init:
        state = read_adam_state(source, params)
        info = json.load(open(os.path.join(source, "cached_stage.json")))
        start, seen = info["step"], info["conversations_seen"]
        log(f"resuming {source} at step {start}")
    lrs = {n: a.lr for n in names}
    opts = {"maxGradNorm": 1.0, "weightDecay": 0.0, "adam": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}}
    kinds = [k for k, _ in mix]
    p = np.array([w for _, w in mix]) / sum(w for _, w in mix) if mix else None
    emb = weights["model.embed_tokens.weight"]

    def evaluate():
        out = held_conversations(weights, cfg, held_items, letter_ids, im_end, nl) if held_items else {}
        out.update(held_out(weights, cfg, held_drills, im_end) if held_drills else {})
        return {k: round(v, 4) for k, v in out.items()}

    metrics = open(os.path.join(a.out, "metrics.jsonl"), "a")
    if start == 0:
        acc = evaluate()
        write_metrics(metrics, {"step": 0, "conversations": 0, "loss": None, "held": acc})
    # Every step's data follows from (seed, step) alone, so a resumed run trains on what an uninterrupted one would.
    epoch, order = -1, []
    per_epoch = len(length_grouped_order(items, a.batch, np.random.default_rng(0)))
    t0, loss_sum, loss_n = time.time(), 0.0, 0
    for step in range(start, a.steps):
        if step // per_epoch != epoch:
            epoch = step // per_epoch
            order = length_grouped_order(items, a.batch, np.random.default_rng([a.seed, epoch]))
        rng = np.random.default_rng([a.seed, 1 << 20, step])
        x, targets = conversation_batch([items[i] for i in order[step % per_epoch]], emb)
        logits = qwen2_batch_embeds_logits(weights, cfg, x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=IGNORE)
        if mix:
            picks = rng.choice(len(kinds), size=a.drill_batch, p=p)
            batch = [drills[kinds[k]][int(rng.integers(len(drills[kinds[k]])))] for k in picks]
            ids, dt, _ = batch_of(batch, "answers")
            dl = qwen2_batch_embeds_logits(weights, cfg, emb[ids])
            # Each part is a mean over its own targets: a conversation supervises ~200 tokens (the template's
            # included), a drill ~3, so one mean over all would leave the drills ~3 % of the loss and the skill fades.
            loss = loss + a.drill_weight * F.cross_entropy(dl.reshape(-1, dl.shape[-1]), dt.reshape(-1), ignore_index=IGNORE)
        grads = dict(zip(names, torch.autograd.grad(loss, [params[k] for k in names])))
        adamw_step(params, grads, state, lrs, cosine_with_warmup(step, a.steps, a.warmup), opts)
        seen += a.batch
        loss_sum += float(loss)
        loss_n += 1
        if (step + 1) % a.eval_every == 0 or step + 1 == a.steps:
            acc = evaluate()
            line = {"step": step + 1, "conversations": seen, "loss": loss_sum / loss_n, "held": acc, "elapsed_s": round(time.time() - t0, 1)}
            write_metrics(metrics, line)
            loss_sum, loss_n = 0.0, 0
        if (step + 1) % a.save_every == 0 or step + 1 == a.steps:
            save(a.out, init, weights, state, step + 1, seen, a)
    metrics.close()


if __name__ == "__main__":
    main()
