"""Stand-in for the `flash_attn` package (CUDA only) so the official MemAug imports on a CPU.

Only what `hourllava/model/multimodal_resampler/memaug.py` imports is provided, with flash-attn's call
signatures and semantics, computed with a plain softmax in the input dtype.
"""
