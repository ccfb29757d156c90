#!/usr/bin/python3
"""Parity fixtures for the image path: test/fixtures/parity/image_tiny.safetensors (one image through every
stage), image_layouts.json (anyres geometry and token positions for several image shapes and settings) and
image_tiny.png (the fixture image, for the ffmpeg loader).

    /usr/bin/python3 tools/parity/make_image_fixture.py --official /tmp/hourllava-src

The official mm_utils.py (select_best_resolution, resize_and_pad_image, divide_to_patches,
process_anyres_image, get_anyres_image_grid_shape) and hour_llava_arch.py (multi_image_resize, unpad_image,
anyres_max downscale, image newlines, q_vision_sampling, add_grid_image_newline, MemAug queries, splicing) run
as-is. The SigLIP image processor is a reference (`Processor` below: PIL BICUBIC, numpy rescale/normalise, as
transformers does), SigLIP and Qwen2 are the references of make_fixtures.py. See README.md.
"""
import hashlib
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from make_fixtures import (IGNORE_INDEX, IMAGE_TOKEN_INDEX, TOKENS, check, cli_args, init_weights, log, prompt,  # noqa: E402
                           qwen2_shapes, rel_err, siglip_shapes, tiny_config)
from official import Recorder, VisionTower, load_official, load_weights, make_harness, official_shapes  # noqa: E402
from reference_memaug import memaug as reference_memaug  # noqa: E402
from reference_qwen2 import greedy, qwen2_logits  # noqa: E402
from reference_siglip import siglip_features  # noqa: E402
from safetensors_file import read_safetensors, write_safetensors  # noqa: E402
from video_pixels import synth_image  # noqa: E402

TILE = 18          # tower image size: patch 2 -> a 9x9 grid (odd, like so400m's 27, so [::2, ::2] keeps ceil(9/2))
IMAGE = (100, 56, 11)  # w, h, seed: 16:9 -> a 6x4 grid, the unpad crops rows and anyres_max_9 downscales
GREEDY_STEPS = 12
LOGITS_TAIL = 16
# (name, width, height, seed, image_aspect_ratio): geometry and positions only
LAYOUTS = [
    ("landscape_max9", 100, 56, 11, "anyres_max_9"),
    ("landscape_anyres", 100, 56, 11, "anyres"),
    ("portrait_max9", 40, 90, 12, "anyres_max_9"),
    ("square_small", 18, 18, 13, "anyres_max_9"),
    ("exact_2x2", 36, 36, 14, "anyres_max_9"),
    ("panorama", 200, 30, 15, "anyres_max_9"),
    ("tiny_upscale", 7, 5, 16, "anyres_max_9"),
    ("portrait_max2", 50, 70, 17, "anyres_max_2"),
    ("pad_single", 50, 70, 18, "pad"),
    ("square_single", 50, 70, 19, "square"),
]


class Processor:
    """SigLipImageProcessor as the official siglip_encoder.py builds it, at TILE px: PIL BICUBIC resize to
    size x size (transformers' resize goes through PIL), float64 * 1/255 -> float32, (x - 0.5) / 0.5, CHW."""

    def __init__(self, size):
        self.size = (size, size)
        self.crop_size = {"height": size, "width": size}
        self.image_mean = (0.5, 0.5, 0.5)

    def preprocess(self, image, return_tensors):
        arr = np.asarray(image.convert("RGB").resize(self.size, Image.BICUBIC))
        x = (arr.astype(np.float64) * (1 / 255)).astype(np.float32)
        x = (x - np.float32(0.5)) / np.float32(0.5)
        return {"pixel_values": torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None]}


def image_config(aspect="anyres_max_9"):
    c = tiny_config(True)
    c["vision_config"] = {**c["vision_config"], "image_size": TILE}
    c["image_aspect_ratio"] = aspect
    c["image_grid_pinpoints"] = [[TILE * i, TILE * j] for i in range(1, 7) for j in range(1, 7)]
    return c


def pil_image(w, h, seed):
    return Image.frombytes("RGB", (w, h), synth_image(w, h, seed))


def process(official, config, image, processor):
    """The dataset's process_image for the config's image_aspect_ratio (anyres / pad / anything else)."""
    aspect = config["image_aspect_ratio"]
    if aspect == "anyres" or "anyres_max" in aspect:
        return official.mm_utils.process_anyres_image(image, processor, config["image_grid_pinpoints"])
    if aspect == "pad":
        image = official.mm_utils.expand2square(image, tuple(int(x * 255) for x in processor.image_mean))
    return processor.preprocess(image, return_tensors="pt")["pixel_values"]


def run_image(official, config, weights, image, ids):
    """Official preprocessing + prepare_inputs_labels_for_multimodal on one image; the stages it recorded."""
    vc = config["vision_config"]
    tiles = process(official, config, image, Processor(vc["image_size"]))
    tower = VisionTower(lambda imgs: siglip_features(weights, vc, imgs), vc["image_size"], vc["patch_size"])
    h = make_harness(official, config, tower)
    load_weights(h, weights)
    rec_tower, rec_proj, rec_mem = Recorder(tower), Recorder(h.model.mm_projector), Recorder(h.model.vision_resampler)
    resized = []
    if tiles.shape[0] > 1:
        inner = h.multi_image_resize
        h.multi_image_resize = lambda *a: resized.append(inner(*a)) or resized[-1]
    with torch.no_grad():
        res = h.prepare_inputs_labels_for_multimodal(ids[None], None, None, None, torch.full_like(ids[None], IGNORE_INDEX),
                                                     [tiles], modalities=["image"], image_sizes=[image.size])
    (xq, xkv), kw, mem_out = rec_mem.calls[0]
    out = {"tiles": tiles, "features": rec_tower.calls[0][2], "projected": rec_proj.calls[0][2], "memory": xkv,
           "k_pos": kw["k_position_ids"], "q_pos": kw["q_position_ids"], "memaug_in": xq, "memaug_out": mem_out,
           "embeds": res[4][0]}
    g = vc["image_size"] // vc["patch_size"]
    if resized:
        base, unpad = resized[0]
        grid = official.mm_utils.get_anyres_image_grid_shape(image.size, config["image_grid_pinpoints"], vc["image_size"])
        # unpad_image on an empty feature map of the tiled grid's size: the crop before any downscale.
        cropped = official.arch.unpad_image(torch.zeros(1, grid[1] * g, grid[0] * g), image.size)
        out.update(grid=list(grid), unpad_hw=list(cropped.shape[1:]), feature_hw=list(unpad.shape[:2]),
                   best_resolution=list(official.mm_utils.select_best_resolution(image.size, config["image_grid_pinpoints"])))
    return out


def layout_cases(official, weights):
    """Geometry and integer token layout for LAYOUTS (a short prompt: 2 text tokens, <image>, 2 text tokens)."""
    ids = torch.tensor([5, 6, IMAGE_TOKEN_INDEX, 7, 8])
    cases = []
    for name, w, h, seed, aspect in LAYOUTS:
        out = run_image(official, image_config(aspect), weights, pil_image(w, h, seed), ids)
        tiles = out["tiles"].contiguous()
        case = {"name": name, "width": w, "height": h, "seed": seed, "image_aspect_ratio": aspect,
                "tiles": tiles.shape[0],
                "pixels_sha256": hashlib.sha256(tiles.numpy().astype("<f4").tobytes()).hexdigest(),
                "k_pos": out["k_pos"].tolist(), "q_pos": out["q_pos"].tolist()}
        for k in ("best_resolution", "grid", "unpad_hw", "feature_hw"):
            if k in out:
                case[k] = out[k]
        # Which memory row each image query is (every query token is a row of the memory: a subset of it). The
        # base tile's queries come first (ceil(g/2)^2 of them) and are looked up among its rows, the rest among
        # the map's, since a tile can equal the base tile (an image that is exactly one tile).
        n0, g = 2, TILE // 2
        nq = len(case["q_pos"]) - 4
        nb = ((g + 1) // 2) ** 2
        q = out["memaug_in"][n0:n0 + nq]
        mem = out["memory"]
        multi = "grid" in case
        first = lambda i, lo: lo + int((mem[lo:] == q[i]).all(dim=1).nonzero()[0, 0])
        case["q_rows"] = [first(i, g * g if multi and i >= nb else 0) for i in range(nq)]
        check(all(torch.equal(mem[r], q[i]) for i, r in enumerate(case["q_rows"])), f"{name}: image queries are memory rows")
        log(f"layout {name}: {tiles.shape[0]} tiles, grid {case.get('grid')}, unpad {case.get('unpad_hw')} -> {case.get('feature_hw')}, "
            f"{len(case['k_pos'])} keys, {nq} image queries")
        cases.append(case)
    return cases


def main():
    args = cli_args(__doc__, "make_image_fixture.py")
    official = load_official(args.official, images=True)
    config = image_config()
    vc = config["vision_config"]
    probe = make_harness(official, config, VisionTower(None, vc["image_size"], vc["patch_size"]))
    shapes = {**siglip_shapes(vc), **qwen2_shapes(config), **official_shapes(probe)}
    pg = torch.Generator().manual_seed(8)
    ids = torch.tensor(prompt(pg, 4, 10), dtype=torch.int64)
    n0 = int((ids == IMAGE_TOKEN_INDEX).nonzero()[0, 0])
    w, h, img_seed = IMAGE
    image = pil_image(w, h, img_seed)
    for seed in range(4321, 4341):
        weights = init_weights(shapes, torch.Generator().manual_seed(seed))
        out = run_image(official, config, weights, image, ids)
        logits = qwen2_logits(weights, config, out["embeds"])
        tokens, margin = greedy(weights, config, out["embeds"], GREEDY_STEPS)
        if margin >= 0.05 and len(set(tokens.tolist())) >= 4:
            break
        log(f"seed {seed}: greedy not robust (margin {margin:.4f}); next seed")
    else:
        raise SystemExit("[parity] no seed gave a robust greedy continuation")
    log(f"seed {seed}: {out['tiles'].shape[0]} tiles, grid {out['grid']}, unpad {out['unpad_hw']} -> {out['feature_hw']}")

    # ---- cross-checks of what README.md states
    L = out["embeds"].shape[0]
    nq = out["memaug_in"].shape[0] - (len(ids) - 1)
    emb = weights["model.embed_tokens.weight"]
    check(torch.equal(out["memaug_in"][:n0], emb[ids[:n0]]) and torch.equal(out["memaug_in"][n0 + nq:], emb[ids[n0 + 1:]]), "text queries")
    check(torch.equal(out["embeds"], torch.cat([emb[ids[:n0]], out["memaug_out"][n0:n0 + nq], emb[ids[n0 + 1:]]])), "LLM input splice")
    ref = reference_memaug(weights, config, out["memaug_in"], out["memory"], out["q_pos"], out["k_pos"])
    check(rel_err(ref, out["memaug_out"]) < 1e-5, "README MemAug description vs official (image)")
    cases = layout_cases(official, weights)
    check(cases[0]["k_pos"] == out["k_pos"].tolist(), "layout case 0 is the fixture image")

    tensors = dict(weights)
    tensors.update({
        "in.input_ids": ids,
        "out.pixel_values": out["tiles"], "out.vision_features": out["features"], "out.projected": out["projected"],
        "out.grid": torch.tensor(out["grid"]), "out.best_resolution": torch.tensor(out["best_resolution"]),
        "out.unpad_hw": torch.tensor(out["unpad_hw"]), "out.feature_hw": torch.tensor(out["feature_hw"]),
        "out.memory": out["memory"], "out.k_pos": out["k_pos"], "out.q_pos": out["q_pos"],
        "out.memaug_in": out["memaug_in"], "out.memaug_out": out["memaug_out"],
        "out.llm_inputs_embeds": out["embeds"], "out.logits_tail": logits[-LOGITS_TAIL:], "out.greedy_tokens": tokens,
    })
    meta = {
        "config": json.dumps(config), "token_ids": json.dumps(TOKENS), "image_token_index": str(IMAGE_TOKEN_INDEX),
        "image": json.dumps({"width": w, "height": h, "seed": img_seed, "generator": "video_pixels.synth_image"}),
        "n_prefix_text": str(n0), "n_image_queries": str(nq), "llm_length": str(L), "seed": str(seed),
        "greedy_steps": str(GREEDY_STEPS), "greedy_min_top2_margin": f"{margin:.6f}", "spatial_sampling_type": "uniform",
        "generator": "tools/parity/make_image_fixture.py", "torch": torch.__version__, "numpy": np.__version__,
        "pillow": Image.__version__, "official_sha256": json.dumps(official.digests), "fixture": "image_tiny",
    }
    os.makedirs(args.out_dir, exist_ok=True)
    path = os.path.join(args.out_dir, "image_tiny.safetensors")
    write_safetensors(path, tensors, meta)
    back, _ = read_safetensors(path)
    check(set(back) == set(tensors) and all(torch.equal(back[k], tensors[k].cpu()) for k in tensors), f"{path} round trip")
    log(f"wrote {path} ({os.path.getsize(path) / 1e6:.2f} MB)")
    lay = os.path.join(args.out_dir, "image_layouts.json")
    with open(lay + ".tmp", "w") as f:
        json.dump({"generator": "tools/parity/make_image_fixture.py", "official_sha256": official.digests, "pinpoints_tile": TILE,
                   "prompt_ids": [5, 6, IMAGE_TOKEN_INDEX, 7, 8], "cases": cases}, f, separators=(",", ":"))
    os.replace(lay + ".tmp", lay)
    log(f"wrote {lay} ({os.path.getsize(lay) / 1e3:.0f} kB)")
    png = os.path.join(args.out_dir, "image_tiny.png")
    image.save(png + ".tmp.png", optimize=False)
    os.replace(png + ".tmp.png", png)
    log(f"wrote {png}")


if __name__ == "__main__":
    main()
