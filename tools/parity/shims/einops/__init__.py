"""Stand-in for `einops` (not packaged in Debian): only the split-last-axis form of `rearrange` that the
official MemAug uses, e.g. "... (two hkv d) -> ... two hkv d" with all but one size given."""
import math
import re


def rearrange(tensor, pattern, **sizes):
    m = re.fullmatch(r"\s*\.\.\.\s*\(([\w\s]+)\)\s*->\s*\.\.\.\s*([\w\s]+?)\s*", pattern)
    if not m or m.group(1).split() != m.group(2).split():
        raise NotImplementedError(f"einops shim: unsupported pattern {pattern!r}")
    names = m.group(1).split()
    unknown = [n for n in names if n not in sizes]
    if len(unknown) > 1:
        raise ValueError(f"einops shim: sizes of {unknown} unknown in {pattern!r}")
    known = math.prod(sizes[n] for n in names if n in sizes)
    last = tensor.shape[-1]
    if last % known != 0:
        raise ValueError(f"einops shim: last axis {last} not divisible by {known} in {pattern!r}")
    dims = [sizes[n] if n in sizes else last // known for n in names]
    if math.prod(dims) != last:
        raise ValueError(f"einops shim: {dims} does not split last axis {last}")
    return tensor.reshape(*tensor.shape[:-1], *dims)
