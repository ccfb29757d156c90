"""Loads the official Hour-LLaVA code (jylins/hourllava) from an extracted copy at run time and wraps
`HourLlavaMetaForCausalLM` so its own `prepare_inputs_labels_for_multimodal` runs without transformers.

Imported as-is: memaug.py (MemAug), multimodal_projector/builder.py (build_vision_projector),
hour_llava_arch.py (pooling, frame repetition, memory, forgetting, query construction, splicing),
util/constants.py. Stubbed: flash_attn and einops (shims/), the modules that need transformers
(vision-tower builder, resampler builder's other resamplers, pooler projector, util/__init__), and
torch.distributed.barrier (single process). Nothing from the official repo is copied here.
"""
import hashlib
import importlib.util
import os
import sys
import types
from types import SimpleNamespace

import torch
import torch.nn as nn
import torch.utils.checkpoint  # noqa: F401  (memaug.py uses torch.utils.checkpoint without importing it)

SHIMS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shims")
FILES = [
    "hourllava/model/multimodal_resampler/memaug.py",
    "hourllava/model/multimodal_projector/builder.py",
    "hourllava/model/hour_llava_arch.py",
    "hourllava/util/constants.py",
]


def _package(name, path=None):
    mod = types.ModuleType(name)
    mod.__path__ = [path] if path else []
    sys.modules[name] = mod
    return mod


def _stub(name, **attrs):
    mod = types.ModuleType(name)
    mod.__dict__.update(attrs)
    sys.modules[name] = mod
    return mod


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def _unavailable(what):
    def fail(*args, **kwargs):
        raise RuntimeError(f"{what} is not available in the parity harness")
    return fail


MM_UTILS = "hourllava/util/mm_utils.py"


def load_official(root, images=False):
    """root: the extracted repo (the folder holding `hourllava/`). Returns a namespace of official modules.
    images=True also loads util/mm_utils.py (anyres preprocessing and grid shape) for the image path; its
    only transformers import (StoppingCriteria, for text generation) is stubbed."""
    files = FILES + ([MM_UTILS] if images else [])
    for rel in files:
        if not os.path.isfile(os.path.join(root, rel)):
            raise SystemExit(f"--official {root}: missing {rel} (pass the extracted jylins/hourllava checkout)")
    if SHIMS not in sys.path:
        sys.path.insert(0, SHIMS)
    pkg = os.path.join(root, "hourllava")
    _package("hourllava", pkg)
    _package("hourllava.model", os.path.join(pkg, "model"))
    _package("hourllava.util", os.path.join(pkg, "util"))
    sys.modules["hourllava.util"].rank0_print = print
    sys.modules["hourllava.util"].get_anyres_image_grid_shape = _unavailable("anyres images")
    constants = _load("hourllava.util.constants", os.path.join(pkg, "util", "constants.py"))
    mm_utils = None
    if images:
        if "transformers" not in sys.modules:
            _stub("transformers", StoppingCriteria=object)
        mm_utils = _load("hourllava.util.mm_utils", os.path.join(pkg, "util", "mm_utils.py"))
        # hour_llava_arch.py binds this name at import, so it is set before the arch module loads.
        sys.modules["hourllava.util"].get_anyres_image_grid_shape = mm_utils.get_anyres_image_grid_shape
    for sub in ("multimodal_resampler", "multimodal_projector", "multimodal_encoder"):
        _package(f"hourllava.model.{sub}", os.path.join(pkg, "model", sub))
    memaug = _load("hourllava.model.multimodal_resampler.memaug", os.path.join(pkg, "model", "multimodal_resampler", "memaug.py"))
    _stub("hourllava.model.multimodal_resampler.builder", build_vision_resampler=_unavailable("build_vision_resampler"))
    _stub("hourllava.model.multimodal_projector.pooler_projector", PoolerProjector=_unavailable("PoolerProjector"))
    projector = _load("hourllava.model.multimodal_projector.builder", os.path.join(pkg, "model", "multimodal_projector", "builder.py"))
    _stub("hourllava.model.multimodal_encoder.builder", build_vision_tower=_unavailable("build_vision_tower"))
    arch = _load("hourllava.model.hour_llava_arch", os.path.join(pkg, "model", "hour_llava_arch.py"))
    arch.dist = SimpleNamespace(barrier=lambda: None)  # one process: the closing dist.barrier() is a no-op
    digests = {rel: hashlib.sha256(open(os.path.join(root, rel), "rb").read()).hexdigest() for rel in files}
    return SimpleNamespace(memaug=memaug, arch=arch, build_vision_projector=projector.build_vision_projector,
                           constants=constants, mm_utils=mm_utils, digests=digests)


class VisionTower(nn.Module):
    """What `SigLipVisionTower.forward` returns (hidden_states[-1]), computed by `features_fn`."""

    def __init__(self, features_fn, image_size, patch_size):
        super().__init__()
        self.features_fn = features_fn
        self.image_size = image_size  # the anyres grid shape reads it (tile side in pixels)
        self.num_patches_per_side = image_size // patch_size

    def forward(self, images):
        return self.features_fn(images)


class Recorder:
    """Wraps a module's forward (instance attribute, so state-dict names stay official) and keeps its I/O."""

    def __init__(self, module):
        self.calls = []
        inner = module.forward

        def forward(*args, **kwargs):
            out = inner(*args, **kwargs)
            self.calls.append((args, kwargs, out))
            return out
        module.forward = forward


def make_harness(official, config, vision_tower):
    """An object with the official HourLlavaMetaForCausalLM methods over modules built from `config`
    (a dict of config.json fields); load weights with `load_weights`."""
    cfg = SimpleNamespace(**config)

    class Inner(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
            self.mm_projector = official.build_vision_projector(cfg)
            self.vision_resampler = official.memaug.MemAug(cfg)
            self.image_newline = nn.Parameter(torch.empty(cfg.hidden_size))
            self.vision_tower = vision_tower
            self.spatial_sampling_type = cfg.spatial_sampling_type

        def get_vision_tower(self):
            return self.vision_tower

    class Harness(nn.Module, official.arch.HourLlavaMetaForCausalLM):
        def __init__(self):
            nn.Module.__init__(self)
            self.config = cfg
            self.model = Inner()

        def get_model(self):
            return self.model

        @property
        def device(self):
            return torch.device("cpu")

    h = Harness()
    h.eval()
    return h


def official_shapes(harness):
    """{official state-dict name: shape} of the modules the harness builds (projector, MemAug, newline, embeddings)."""
    return {f"model.{k}": tuple(v.shape) for k, v in harness.model.state_dict().items()}


def load_weights(harness, weights):
    names = list(harness.model.state_dict())
    missing = [f"model.{k}" for k in names if f"model.{k}" not in weights]
    if missing:
        raise KeyError(f"weights lack official names {missing[:5]}")
    harness.model.load_state_dict({k: weights[f"model.{k}"] for k in names}, strict=True)
