"""flash-attn's rotary helpers in plain torch.

cos/sin are (seqlen_ro, rotary_dim/2); rotary is applied to the first rotary_dim features of each head,
GPT-NeoX style (halves) unless `interleaved`; the remaining features pass through. Row i of cos/sin
is used for token i + seqlen_offsets.
"""
import torch


def _rotate(x, cos, sin, interleaved, seqlen_offsets):
    if not isinstance(seqlen_offsets, int):
        raise NotImplementedError("rotary shim: tensor seqlen_offsets are not supported")
    s = x.shape[1]
    half = cos.shape[-1]
    rd = 2 * half
    if rd > x.shape[-1]:
        raise ValueError(f"rotary shim: rotary_dim {rd} > head dim {x.shape[-1]}")
    c = cos[seqlen_offsets:seqlen_offsets + s].to(x.dtype)[None, :, None, :]
    n = sin[seqlen_offsets:seqlen_offsets + s].to(x.dtype)[None, :, None, :]
    if c.shape[1] != s:
        raise ValueError(f"rotary shim: {s} tokens but only {cos.shape[0] - seqlen_offsets} cos rows")
    if interleaved:
        x1, x2 = x[..., 0:rd:2], x[..., 1:rd:2]
        return torch.stack((x1 * c - x2 * n, x1 * n + x2 * c), dim=-1).flatten(-2)
    x1, x2 = x[..., :half], x[..., half:rd]
    return torch.cat((x1 * c - x2 * n, x1 * n + x2 * c), dim=-1)


def apply_rotary_emb(x, cos, sin, interleaved=False, inplace=False, seqlen_offsets=0, cu_seqlens=None, max_seqlen=None):
    if cu_seqlens is not None:
        raise NotImplementedError("rotary shim: varlen (cu_seqlens) is not supported")
    rd = 2 * cos.shape[-1]
    rotated = _rotate(x, cos, sin, interleaved, seqlen_offsets)
    if inplace:
        x[..., :rd] = rotated
        return x
    return torch.cat((rotated, x[..., rd:]), dim=-1)


def apply_rotary_emb_qkv_(qkv, cos, sin, cos_k=None, sin_k=None, interleaved=False, seqlen_offsets=0, num_heads_q=None):
    cos_k = cos if cos_k is None else cos_k
    sin_k = sin if sin_k is None else sin_k
    if qkv.dim() == 5:
        q, k = qkv[:, :, 0], qkv[:, :, 1]
    else:
        if num_heads_q is None:
            raise ValueError("rotary shim: num_heads_q is required for (B, S, Hq + 2Hk, D) qkv")
        hk = (qkv.shape[2] - num_heads_q) // 2
        q, k = qkv[:, :, :num_heads_q], qkv[:, :, num_heads_q:num_heads_q + hk]
    apply_rotary_emb(q, cos, sin, interleaved, True, seqlen_offsets)
    apply_rotary_emb(k, cos_k, sin_k, interleaved, True, seqlen_offsets)
    return qkv


def apply_rotary_emb_kv_(kv, cos, sin, interleaved=False, seqlen_offsets=0):
    if kv.dim() != 5 or kv.shape[2] != 2:
        raise ValueError(f"rotary shim: kv must be (B, S, 2, H, D), got {tuple(kv.shape)}")
    apply_rotary_emb(kv[:, :, 0], cos, sin, interleaved, True, seqlen_offsets)
    return kv
