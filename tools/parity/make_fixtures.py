#!/usr/bin/python3
"""Parity fixtures for the TypeScript Hour-LLaVA model: test/fixtures/parity/{tiny_tied,tiny_untied,memaug_long}.safetensors.

    /usr/bin/python3 tools/parity/make_fixtures.py --official /tmp/hourllava-src

--official (or $HOURLLAVA_OFFICIAL) is an extracted copy of github jylins/hourllava. Its MemAug, projector
builder and `prepare_inputs_labels_for_multimodal` run as-is (see official.py); SigLIP and Qwen2 are the
independent references in this folder. Every tensor is described in README.md.
"""
import argparse
import hashlib
import json
import math
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from official import Recorder, VisionTower, load_official, load_weights, make_harness, official_shapes  # noqa: E402
from reference_memaug import memaug as reference_memaug  # noqa: E402
from reference_qwen2 import greedy, qwen2_logits  # noqa: E402
from reference_siglip import PREFIX as SIGLIP, siglip_features  # noqa: E402
from safetensors_file import read_safetensors, write_safetensors  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "parity")
IGNORE_INDEX, IMAGE_TOKEN_INDEX = -100, -200
TOKENS = {"<|im_start|>": 318, "<|im_end|>": 319, "\n": 198}
GREEDY_STEPS = 20
LOGITS_TAIL = 16
GREEDY_MIN_MARGIN = 0.05


def log(msg):
    print(f"[parity] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- configs and weights

def tiny_config(tied):
    image_size = 54
    return {
        "architectures": ["HourLlavaQwenForCausalLM"],
        "model_type": "hour_llava_qwen",
        "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "hidden_act": "silu",
        "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "rope_scaling": None,
        "max_position_embeddings": 32768, "use_sliding_window": False, "attention_dropout": 0.0,
        "vocab_size": 320, "tie_word_embeddings": tied, "torch_dtype": "float32",
        "bos_token_id": None, "eos_token_id": TOKENS["<|im_end|>"],
        "mm_resampler_type": "memaug", "memaug_depth": 2, "spatial_sampling_type": "uniform",
        "mm_patch_merge_type": "spatial_unpad", "mm_newline_position": "grid",
        "mm_spatial_pool_mode": "bilinear", "mm_spatial_pool_stride": None,
        "mm_projector_type": "mlp2x_gelu", "mm_vision_tower": "tiny-siglip-fixture",
        "mm_hidden_size": 32, "mm_vision_select_layer": -2, "mm_vision_select_feature": "patch",
        "use_mm_proj": True, "mm_use_im_start_end": False, "mm_use_im_patch_token": False,
        "image_aspect_ratio": "anyres_max_9",
        "image_grid_pinpoints": [[image_size * i, image_size * j] for i in range(1, 7) for j in range(1, 7)],
        "tokenizer_model_max_length": 32768, "tokenizer_padding_side": "right",
        "add_time_instruction": True, "force_sample": True, "add_faster_video": False,
        "use_pos_skipping": False, "pos_skipping_range": 4096,
        "vision_config": {
            "model_type": "siglip_vision_model", "hidden_size": 32, "intermediate_size": 64,
            "num_hidden_layers": 3, "num_attention_heads": 4, "num_channels": 3,
            "patch_size": 2, "image_size": image_size, "hidden_act": "gelu_pytorch_tanh",
            "layer_norm_eps": 1e-6, "attention_dropout": 0.0,
        },
    }


def siglip_shapes(vc):
    d, i, grid = vc["hidden_size"], vc["intermediate_size"], vc["image_size"] // vc["patch_size"]
    s = {
        "embeddings.patch_embedding.weight": (d, vc["num_channels"], vc["patch_size"], vc["patch_size"]),
        "embeddings.patch_embedding.bias": (d,),
        "embeddings.position_embedding.weight": (grid * grid, d),
        "post_layernorm.weight": (d,), "post_layernorm.bias": (d,),
    }
    # The official tower deletes the last layer before the model is saved: only num_hidden_layers - 1 are stored.
    for l in range(vc["num_hidden_layers"] - 1):
        p = f"encoder.layers.{l}."
        for n in ("q_proj", "k_proj", "v_proj", "out_proj"):
            s[p + f"self_attn.{n}.weight"], s[p + f"self_attn.{n}.bias"] = (d, d), (d,)
        for n in ("layer_norm1", "layer_norm2"):
            s[p + f"{n}.weight"], s[p + f"{n}.bias"] = (d,), (d,)
        s[p + "mlp.fc1.weight"], s[p + "mlp.fc1.bias"] = (i, d), (i,)
        s[p + "mlp.fc2.weight"], s[p + "mlp.fc2.bias"] = (d, i), (d,)
    return {SIGLIP + k: v for k, v in s.items()}


def qwen2_shapes(cfg):
    h, i, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    hd = h // cfg["num_attention_heads"]
    kv = cfg["num_key_value_heads"] * hd
    s = {"model.embed_tokens.weight": (v, h), "model.norm.weight": (h,)}
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        s[p + "self_attn.q_proj.weight"], s[p + "self_attn.q_proj.bias"] = (h, h), (h,)
        s[p + "self_attn.k_proj.weight"], s[p + "self_attn.k_proj.bias"] = (kv, h), (kv,)
        s[p + "self_attn.v_proj.weight"], s[p + "self_attn.v_proj.bias"] = (kv, h), (kv,)
        s[p + "self_attn.o_proj.weight"] = (h, h)
        s[p + "mlp.gate_proj.weight"], s[p + "mlp.up_proj.weight"], s[p + "mlp.down_proj.weight"] = (i, h), (i, h), (h, i)
        s[p + "input_layernorm.weight"], s[p + "post_attention_layernorm.weight"] = (h,), (h,)
    if not cfg["tie_word_embeddings"]:
        s["lm_head.weight"] = (v, h)
    return s


def is_norm(name):
    return any(t in name for t in ("layer_norm", "layernorm", ".norm1.", ".norm2.", ".norm3.", "model.norm."))


def init_weights(shapes, gen):
    """Norm weights 1 +- 0.1, biases N(0, 0.1^2), embeddings / newline / lm_head N(0, 0.5^2), matrices
    N(0, 1/fan_in) (LLM layers N(0, 4/fan_in)): larger than the usual 0.02 so attention is far from uniform,
    position/layout bugs show, and the greedy continuation is not one token repeated."""
    out = {}
    for name in sorted(shapes):
        shape = shapes[name]
        if is_norm(name) and name.endswith("weight"):
            t = 1 + 0.1 * (2 * torch.rand(shape, generator=gen) - 1)
        elif name.endswith("bias"):
            t = 0.1 * torch.randn(shape, generator=gen)
        elif "embed" in name or name.endswith("image_newline") or name == "lm_head.weight":
            t = 0.5 * torch.randn(shape, generator=gen)
        else:
            fan_in = math.prod(shape[1:])
            gain = 2.0 if name.startswith("model.layers.") else 1.0
            t = gain * torch.randn(shape, generator=gen) / math.sqrt(fan_in)
        out[name] = t.float()
    return out


# ---------------------------------------------------------------- the pipeline

def run_pipeline(official, config, weights, pixel_values, input_ids, dtype):
    """Official prepare_inputs_labels_for_multimodal (with the reference SigLIP as tower) + reference Qwen2."""
    w = {k: v.to(dtype) for k, v in weights.items()}
    vc = config["vision_config"]
    tower = VisionTower(lambda imgs: siglip_features(w, vc, imgs), vc["image_size"], vc["patch_size"])
    h = make_harness(official, config, tower).to(dtype)
    load_weights(h, w)
    rec_tower, rec_proj, rec_mem = Recorder(tower), Recorder(h.model.mm_projector), Recorder(h.model.vision_resampler)
    ids = input_ids[None]
    # At generation the official code gets labels=None, but its spatial branch zips over `labels` before
    # defaulting them (TypeError); all-IGNORE labels are exactly what it defaults to a few lines later.
    with torch.no_grad():
        res = h.prepare_inputs_labels_for_multimodal(
            ids, None, None, None, torch.full_like(ids, IGNORE_INDEX), [pixel_values.to(dtype)],
            modalities=["video"], image_sizes=[[vc["image_size"], vc["image_size"]]])
        embeds = res[4][0]
        (xq, xkv), kw, mem_out = rec_mem.calls[0]
        out = {
            "vision_features": rec_tower.calls[0][2],
            "pooled": rec_proj.calls[0][0][0],
            "projected": rec_proj.calls[0][2],
            "memory": xkv,
            "k_pos": kw["k_position_ids"],
            "q_pos": kw["q_position_ids"],
            "memaug_in": xq,
            "memaug_out": mem_out,
            "llm_inputs_embeds": embeds,
            "logits": qwen2_logits(w, config, embeds),
        }
    return out, h


def derived_indices(T_mem, n0):
    frames = T_mem
    n = min(512, frames // 4)
    temporal = np.linspace(0, frames - 1, n, dtype=int)
    if frames - 1 not in temporal:
        temporal = np.append(temporal, frames - 1)
    spatial = np.arange(64).reshape(8, 8)[::2, ::2].reshape(-1)
    qvp = (65 * temporal[:, None] + np.concatenate([spatial, [64]])[None, :]).reshape(-1)
    return torch.from_numpy(temporal).long(), torch.from_numpy(spatial).long(), torch.from_numpy(qvp).long()


def rel_err(a, b):
    a, b = a.double(), b.double()
    return float((a - b).abs().max() / max(b.abs().max(), 1e-30))


def check(cond, msg):
    if not cond:
        raise SystemExit(f"[parity] self-check failed: {msg}")


def build_model_fixture(official, name, seed, tied, frames, input_ids, full):
    """full=False (tiny_untied) leaves out tensors that are exact functions of the stored ones, to fit the size budget."""
    config = tiny_config(tied)
    vc = config["vision_config"]
    probe = make_harness(official, config, VisionTower(None, vc["image_size"], vc["patch_size"]))
    shapes = {**siglip_shapes(vc), **qwen2_shapes(config), **official_shapes(probe)}
    ids = torch.tensor(input_ids, dtype=torch.int64)
    n0 = int((ids == IMAGE_TOKEN_INDEX).nonzero()[0, 0])
    # Seeds are tried in order until the greedy continuation is robust: every step's top-1/top-2 logit gap
    # >= GREEDY_MIN_MARGIN and >= 4 distinct tokens (a random tiny model often repeats one token).
    for seed in range(seed, seed + 20):
        log(f"{name}: seed {seed}, {frames} frames, {len(input_ids)} prompt tokens")
        gen = torch.Generator().manual_seed(seed)
        weights = init_weights(shapes, gen)
        pixel_values = 2 * torch.rand((frames, 3, vc["image_size"], vc["image_size"]), generator=gen) - 1
        out, _ = run_pipeline(official, config, weights, pixel_values, ids, torch.float32)
        tokens, margin = greedy(weights, config, out["llm_inputs_embeds"], GREEDY_STEPS)
        if margin >= GREEDY_MIN_MARGIN and len(set(tokens.tolist())) >= 4:
            break
        log(f"{name}: greedy not robust (margin {margin:.4f}, {len(set(tokens.tolist()))} distinct); next seed")
    else:
        raise SystemExit(f"[parity] {name}: no seed gave a robust greedy continuation")

    log(f"{name}: official flow done; fp64 rerun for the noise floor")
    out64, _ = run_pipeline(official, config, weights, pixel_values, ids, torch.float64)

    # ---- cross-checks of what README.md states
    frame_index = torch.from_numpy(np.linspace(0, frames - 1, 128, dtype=int)).long() if frames < 128 else torch.arange(frames)
    T = frame_index.shape[0]
    temporal, spatial, qvp = derived_indices(T, n0)
    n_q = qvp.shape[0]
    mem = out["memory"].view(T, 65, -1)
    check(torch.equal(mem[:, :64], out["projected"][frame_index]), "memory rows = projected[frame_index_128]")
    check(torch.equal(mem[:, 64], weights["model.image_newline"].expand(T, -1)), "memory newline rows")
    check(torch.equal(out["k_pos"], torch.arange(T * 65)), "k_pos = arange(65T)")
    Lq = out["memaug_in"].shape[0]
    n1 = Lq - n0 - n_q
    check(n1 == len(input_ids) - 1 - n0, "all prompt tokens are queries")
    q_expected = torch.cat([torch.arange(n0), qvp + n0, n0 + T * 65 + torch.arange(n1)])
    check(torch.equal(out["q_pos"], q_expected), "q_pos layout")
    emb = weights["model.embed_tokens.weight"]
    text_ids = torch.cat([ids[:n0], ids[n0 + 1:]])
    check(torch.equal(out["memaug_in"][:n0], emb[ids[:n0]]) and torch.equal(out["memaug_in"][n0 + n_q:], emb[ids[n0 + 1:]]), "text queries")
    check(torch.equal(out["memaug_in"][n0:n0 + n_q], out["memory"][qvp]), "video queries = memory[query_video_pos]")
    video_tokens = out["memaug_out"][n0:n0 + n_q]
    check(torch.equal(out["llm_inputs_embeds"], torch.cat([emb[ids[:n0]], video_tokens, emb[ids[n0 + 1:]]])), "LLM input splice")
    grid = int(math.isqrt(out["vision_features"].shape[1]))
    pooled = F.interpolate(out["vision_features"].view(frames, grid, grid, -1).permute(0, 3, 1, 2), size=[8, 8], mode="bilinear", align_corners=False)
    check(torch.equal(pooled.permute(0, 2, 3, 1).reshape(frames, 64, -1), out["pooled"]), "bilinear 27->8 pooling")
    proj = F.linear(F.gelu(F.linear(out["pooled"], weights["model.mm_projector.0.weight"], weights["model.mm_projector.0.bias"])),
                    weights["model.mm_projector.2.weight"], weights["model.mm_projector.2.bias"])
    check(rel_err(proj, out["projected"]) < 1e-6, "mlp2x_gelu projector")
    ref = reference_memaug(weights, config, out["memaug_in"], out["memory"], out["q_pos"], out["k_pos"])
    ref_err = rel_err(ref, out["memaug_out"])
    check(ref_err < 1e-5, f"README MemAug description vs official ({ref_err})")
    check(len(text_ids) == n0 + n1, "text ids")

    tokens64, _ = greedy({k: v.double() for k, v in weights.items()}, config, out64["llm_inputs_embeds"], GREEDY_STEPS)
    check(torch.equal(tokens, tokens64), "greedy tokens agree in fp32 and fp64")

    noise = {k: rel_err(out[k], out64[k]) for k in ("vision_features", "projected", "memaug_out", "logits")}
    sens = sensitivity(official, config, weights, out, n0, n_q)
    log(f"{name}: fp32-vs-fp64 {noise}; sensitivity {sens}; greedy margin {margin:.4f}")

    # out.memory is never stored (2.1 MB): it is exactly projected[frame_index_128] + image_newline (checked above).
    tensors = dict(weights)
    tensors.update({
        "in.pixel_values": pixel_values, "in.input_ids": ids,
        "out.vision_features": out["vision_features"], "out.pooled": out["pooled"], "out.projected": out["projected"],
        "out.frame_index_128": frame_index, "out.temporal_index": temporal, "out.spatial_index": spatial,
        "out.query_video_pos": qvp, "out.q_pos": out["q_pos"], "out.memaug_out": out["memaug_out"],
        "out.greedy_tokens": tokens,
    })
    if full:
        tensors.update({
            "out.k_pos": out["k_pos"], "out.memaug_in": out["memaug_in"], "out.video_tokens": video_tokens,
            "out.llm_inputs_embeds": out["llm_inputs_embeds"], "out.logits": out["logits"],
        })
    else:
        tensors["out.logits_tail"] = out["logits"][-LOGITS_TAIL:]
    meta = {
        "config": json.dumps(config),
        "token_ids": json.dumps(TOKENS),
        "image_token_index": str(IMAGE_TOKEN_INDEX),
        "n_frames": str(frames), "n_prefix_text": str(n0), "n_suffix_text": str(n1),
        "vision_layers_stored": str(vc["num_hidden_layers"] - 1),
        "spatial_sampling_type": "uniform", "greedy_steps": str(GREEDY_STEPS),
        "greedy_min_top2_margin": f"{margin:.6f}",
        "fp32_vs_fp64_rel_max_err": json.dumps(noise), "sensitivity_rel_max_change": json.dumps(sens),
        "seed": str(seed),
        "not_stored": "out.memory" if full else "out.memory out.k_pos out.memaug_in out.video_tokens out.llm_inputs_embeds out.logits (out.logits_tail = its last 16 rows)",
    }
    return tensors, meta


def sensitivity(official, config, weights, out, n0, n_q):
    """How much memaug_out changes (relative) under plausible porting bugs — they must dwarf the tolerance."""
    mem = official.memaug.MemAug(type("Cfg", (), config)).eval()
    mem.load_state_dict({k[len("model.vision_resampler."):]: v for k, v in weights.items() if k.startswith("model.vision_resampler.")})
    q, kv, qp, kp = out["memaug_in"], out["memory"], out["q_pos"], out["k_pos"]
    with torch.no_grad():
        def delta(qp2, kp2):
            return round(rel_err(mem(q, kv, q_position_ids=qp2, k_position_ids=kp2), out["memaug_out"]), 4)
        no_shift = qp.clone()
        no_shift[n0:n0 + n_q] -= n0
        return {
            "video_q_pos_without_n0_shift": delta(no_shift, kp),
            "k_pos_plus_1": delta(qp, kp + 1),
            "q_pos_plain_arange": delta(torch.arange(qp.shape[0]), kp),
            "fp64_rope_angles": round(rel_err(reference_memaug(weights, config, q, kv, qp, kp, angle_dtype=torch.float64), out["memaug_out"]), 6),
        }


# ---------------------------------------------------------------- fixture C: MemAug on a long memory

def build_memaug_long(official, seed, frames=300, n0=12, n1=20):
    log(f"memaug_long: building ({frames} frames)")
    gen = torch.Generator().manual_seed(seed)
    h_size = 64
    config = {
        "hidden_size": h_size, "num_attention_heads": 4, "num_key_value_heads": 2, "rope_theta": 1000000.0,
        "memaug_depth": 2, "mm_resampler_type": "memaug", "spatial_sampling_type": "uniform",
        "mm_patch_merge_type": "spatial_unpad", "mm_newline_position": "grid", "mm_spatial_pool_mode": "bilinear",
        "mm_projector_type": "identity", "mm_hidden_size": h_size, "vocab_size": n0 + n1,
        "image_aspect_ratio": "anyres_max_9", "tokenizer_model_max_length": 32768, "tokenizer_padding_side": "right",
        "use_pos_skipping": False, "add_faster_video": False,
    }
    probe = make_harness(official, config, VisionTower(None, 16, 2))
    shapes = {k: v for k, v in official_shapes(probe).items() if k.startswith("model.vision_resampler.")}
    weights = init_weights(shapes, gen)
    newline = (0.5 * torch.randn(h_size, generator=gen)).half().float()
    frame_tokens = torch.randn((frames, 64, h_size), generator=gen).half().float()
    text = torch.randn((n0 + n1, h_size), generator=gen)
    weights.update({"model.image_newline": newline, "model.embed_tokens.weight": text})

    tower = VisionTower(None, 16, 2)
    h = make_harness(official, config, tower)
    load_weights(h, weights)
    # Pre-extracted, already-projected frame tokens stand in for the tower (frames > 128 -> the offload path);
    # the official IdentityMap projector passes them on; every later step is the official code.
    h.encode_images_offload = lambda images: frame_tokens
    rec = Recorder(h.model.vision_resampler)
    ids = torch.cat([torch.arange(n0), torch.tensor([IMAGE_TOKEN_INDEX]), torch.arange(n0, n0 + n1)])[None]
    with torch.no_grad():
        h.prepare_inputs_labels_for_multimodal(ids, None, None, None, torch.full_like(ids, IGNORE_INDEX),
                                               [torch.zeros(frames, 3, 1, 1)], modalities=["video"], image_sizes=[[16, 16]])
    (xq, xkv), kw, mem_out = rec.calls[0]
    temporal, spatial, qvp = derived_indices(frames, n0)
    n_q = qvp.shape[0]
    memory = torch.cat([frame_tokens, newline.expand(frames, 1, -1)], dim=1).reshape(frames * 65, h_size)
    check(torch.equal(xkv, memory), "long memory layout")
    check(torch.equal(kw["k_position_ids"], torch.arange(frames * 65)), "long k_pos")
    check(torch.equal(kw["q_position_ids"], torch.cat([torch.arange(n0), qvp + n0, n0 + frames * 65 + torch.arange(n1)])), "long q_pos")
    check(torch.equal(xq, torch.cat([text[:n0], memory[qvp], text[n0:]])), "long queries")
    ref_err = rel_err(reference_memaug(weights, config, xq, xkv, kw["q_position_ids"], kw["k_position_ids"]), mem_out)
    check(ref_err < 1e-5, f"README MemAug description vs official on the long memory ({ref_err})")
    # fp64 rotary angles instead of torch's fp32 products: how much that alone moves the output at positions ~2e4.
    angle_err = rel_err(reference_memaug(weights, config, xq, xkv, kw["q_position_ids"], kw["k_position_ids"], angle_dtype=torch.float64), mem_out)
    log(f"memaug_long: {temporal.shape[0]} frames kept, {n_q} video queries, reference check {ref_err:.2e}, fp64 angles {angle_err:.2e}")

    tensors = {k: v for k, v in weights.items() if k != "model.embed_tokens.weight"}
    tensors.update({
        "in.memory": memory.half(), "in.prefix_embeds": text[:n0], "in.suffix_embeds": text[n0:],
        "out.q_pos": kw["q_position_ids"],
        "out.temporal_index": temporal, "out.spatial_index": spatial, "out.query_video_pos": qvp,
        "out.memaug_out": mem_out,
    })
    meta = {
        "config": json.dumps({k: config[k] for k in ("hidden_size", "num_attention_heads", "num_key_value_heads", "rope_theta", "memaug_depth", "spatial_sampling_type")}),
        "n_frames": str(frames), "n_prefix_text": str(n0), "n_suffix_text": str(n1), "seed": str(seed),
        "memory_note": "in.memory is f16; the reference was computed from exactly these values in f32",
        "fp64_rope_angles_rel_max_change": f"{angle_err:.3e}",
        "k_pos": f"arange(0, {frames * 65})",
        "k_pos_sha256": hashlib.sha256(kw["k_position_ids"].numpy().astype("<i8").tobytes()).hexdigest(),
    }
    return tensors, meta


# ---------------------------------------------------------------- prompts and main

def prompt(gen, system_words, question_words):
    """ChatML-shaped ids: system turn, user turn '<image>\\n question', assistant header."""
    S, E, NL = TOKENS["<|im_start|>"], TOKENS["<|im_end|>"], TOKENS["\n"]
    words = lambda n: [w if w != NL else w + 1 for w in torch.randint(0, 300, (n,), generator=gen).tolist()]
    return ([S] + words(1) + [NL] + words(system_words) + [E, NL]
            + [S] + words(1) + [NL, IMAGE_TOKEN_INDEX, NL] + words(question_words) + [E, NL]
            + [S] + words(1) + [NL])


def cli_args(doc, script):
    """--official and --out-dir, shared by the fixture scripts; torch on at most 2 threads, as on CI."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--official", default=os.environ.get("HOURLLAVA_OFFICIAL"), help="extracted jylins/hourllava checkout (folder holding hourllava/)")
    ap.add_argument("--out-dir", default=OUT_DIR)
    args = ap.parse_args()
    if not args.official:
        raise SystemExit(f"{script}: --official DIR (or $HOURLLAVA_OFFICIAL) is required")
    torch.set_num_threads(min(2, os.cpu_count() or 1))
    return args


def main():
    args = cli_args(__doc__, "make_fixtures.py")
    official = load_official(args.official)
    provenance = {"generator": "tools/parity/make_fixtures.py", "torch": torch.__version__, "numpy": np.__version__,
                  "official_sha256": json.dumps(official.digests)}
    os.makedirs(args.out_dir, exist_ok=True)
    pg = torch.Generator().manual_seed(7)
    jobs = [
        ("tiny_tied", lambda: build_model_fixture(official, "tiny_tied", 1234, True, 3, prompt(pg, 4, 10), True)),
        ("tiny_untied", lambda: build_model_fixture(official, "tiny_untied", 5678, False, 2, prompt(pg, 2, 6), False)),
        ("memaug_long", lambda: build_memaug_long(official, 91011)),
    ]
    total = 0
    for name, job in jobs:
        tensors, meta = job()
        meta.update(provenance)
        meta["fixture"] = name
        path = os.path.join(args.out_dir, f"{name}.safetensors")
        write_safetensors(path, tensors, meta)
        back, _ = read_safetensors(path)
        check(set(back) == set(tensors) and all(torch.equal(back[k], tensors[k].cpu()) for k in tensors), f"{path} round trip")
        size = os.path.getsize(path)
        total += size
        log(f"wrote {path} ({size / 1e6:.2f} MB, {len(tensors)} tensors)")
    log(f"total {total / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
