"""FlashSelfAttention / FlashCrossAttention with flash-attn's interface, as a plain softmax attention.

Semantics kept from flash-attn 2: q (B, Sq, H, D), kv (B, Sk, 2, Hk, D) with K before V; grouped heads
(query head h reads kv head h // (H // Hk)); scale 1/sqrt(D) unless given; `causal` aligns the mask to
the bottom-right corner when Sq != Sk. Queries are processed in chunks so long memories stay bounded.
"""
import math

import torch
import torch.nn as nn

_CHUNK = 256


def _attend(q, k, v, causal, scale):
    b, sq, h, d = q.shape
    sk, hk = k.shape[1], k.shape[2]
    if h % hk != 0:
        raise ValueError(f"flash_attn shim: {h} query heads not divisible by {hk} kv heads")
    rep = h // hk
    k = k.repeat_interleave(rep, dim=2).permute(0, 2, 3, 1)  # b h d sk
    v = v.repeat_interleave(rep, dim=2).permute(0, 2, 1, 3)  # b h sk d
    out = torch.empty_like(q)
    for s in range(0, sq, _CHUNK):
        e = min(sq, s + _CHUNK)
        qc = q[:, s:e].permute(0, 2, 1, 3)  # b h c d
        scores = torch.matmul(qc, k) * scale
        if causal:
            rows = torch.arange(s, e).unsqueeze(1) + (sk - sq)
            cols = torch.arange(sk).unsqueeze(0)
            scores = scores.masked_fill(cols > rows, float("-inf"))
        probs = torch.softmax(scores, dim=-1)
        out[:, s:e] = torch.matmul(probs, v).permute(0, 2, 1, 3)
    return out


class FlashSelfAttention(nn.Module):
    def __init__(self, causal=False, softmax_scale=None, attention_dropout=0.0, window_size=(-1, -1), alibi_slopes=None, deterministic=False):
        super().__init__()
        if window_size != (-1, -1) or alibi_slopes is not None:
            raise NotImplementedError("flash_attn shim: window_size / alibi_slopes are not supported")
        self.causal = causal
        self.softmax_scale = softmax_scale
        self.drop = nn.Dropout(attention_dropout)

    def forward(self, qkv, causal=None, cu_seqlens=None, max_seqlen=None):
        if cu_seqlens is not None:
            raise NotImplementedError("flash_attn shim: varlen (cu_seqlens) is not supported")
        causal = self.causal if causal is None else causal
        scale = self.softmax_scale if self.softmax_scale is not None else 1.0 / math.sqrt(qkv.shape[-1])
        return _attend(qkv[:, :, 0], qkv[:, :, 1], qkv[:, :, 2], causal, scale)


class FlashCrossAttention(nn.Module):
    def __init__(self, causal=False, softmax_scale=None, attention_dropout=0.0, alibi_slopes=None, window_size=(-1, -1), deterministic=False):
        super().__init__()
        if window_size != (-1, -1) or alibi_slopes is not None:
            raise NotImplementedError("flash_attn shim: window_size / alibi_slopes are not supported")
        self.causal = causal
        self.softmax_scale = softmax_scale
        self.drop = nn.Dropout(attention_dropout)

    def forward(self, q, kv, causal=None, cu_seqlens=None, max_seqlen=None, cu_seqlens_k=None, max_seqlen_k=None):
        if cu_seqlens is not None or cu_seqlens_k is not None:
            raise NotImplementedError("flash_attn shim: varlen (cu_seqlens) is not supported")
        if kv.dim() != 5 or kv.shape[2] != 2:
            raise ValueError(f"flash_attn shim: kv must be (B, Sk, 2, Hk, D), got {tuple(kv.shape)}")
        causal = self.causal if causal is None else causal
        scale = self.softmax_scale if self.softmax_scale is not None else 1.0 / math.sqrt(q.shape[-1])
        return _attend(q, kv[:, :, 0], kv[:, :, 1], causal, scale)
