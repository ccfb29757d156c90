"""Independent plain-PyTorch MemAug, written from the README's description; make_fixtures.py checks it
against the official module so the README stays true. Not used to produce any fixture value."""
import torch
import torch.nn.functional as F

PREFIX = "model.vision_resampler."


def _rope(x, pos, inv_freq, angle_dtype):
    """x [S, heads, hd]; rotate the first 2*len(inv_freq) dims, halves layout; angles pos*inv_freq in fp32
    (as torch computes them; angle_dtype=float64 only to measure how much that rounding matters)."""
    half = inv_freq.shape[0]
    ang = torch.outer(pos.to(angle_dtype), inv_freq.to(angle_dtype))
    c, s = ang.cos().to(x.dtype)[:, None, :], ang.sin().to(x.dtype)[:, None, :]
    x1, x2 = x[..., :half], x[..., half:2 * half]
    return torch.cat((x1 * c - x2 * s, x1 * s + x2 * c, x[..., 2 * half:]), dim=-1)


def _attend(q, k, v, nh, nkv):
    k = k.repeat_interleave(nh // nkv, dim=1)
    v = v.repeat_interleave(nh // nkv, dim=1)
    s = torch.einsum("qhd,khd->hqk", q, k) / q.shape[-1] ** 0.5
    return torch.einsum("hqk,khd->qhd", torch.softmax(s, dim=-1), v).flatten(1)


def memaug(weights, cfg, x, mem, q_pos, k_pos, prefix=PREFIX, angle_dtype=torch.float32):
    hsz, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = hsz // nh
    rd = hd // 2
    inv_freq = 1.0 / (float(cfg["rope_theta"]) ** (torch.arange(0, rd, 2, dtype=torch.float32, device=x.device) / rd))
    lin = lambda t, name: F.linear(t, weights[name + ".weight"], weights[name + ".bias"])
    ln = lambda t, name: F.layer_norm(t, (hsz,), weights[name + ".weight"], weights[name + ".bias"], 1e-5)
    for i in range(cfg["memaug_depth"]):
        p = f"{prefix}layers.{i}."
        qkv = lin(x, p + "self_attn.Wqkv")
        q = qkv[:, :nh * hd].reshape(-1, nh, hd)
        k = qkv[:, nh * hd:nh * hd + nkv * hd].reshape(-1, nkv, hd)
        v = qkv[:, nh * hd + nkv * hd:].reshape(-1, nkv, hd)
        a = _attend(_rope(q, q_pos, inv_freq, angle_dtype), _rope(k, q_pos, inv_freq, angle_dtype), v, nh, nkv)
        x = ln(x + lin(a, p + "self_attn.Wo"), p + "norm1")
        q = lin(x, p + "cross_attn.Wq").reshape(-1, nh, hd)
        kv = lin(mem, p + "cross_attn.Wkv")
        k = kv[:, :nkv * hd].reshape(-1, nkv, hd)
        v = kv[:, nkv * hd:].reshape(-1, nkv, hd)
        a = _attend(_rope(q, q_pos, inv_freq, angle_dtype), _rope(k, k_pos, inv_freq, angle_dtype), v, nh, nkv)
        x = ln(x + lin(a, p + "cross_attn.Wo"), p + "norm2")
        x = ln(x + lin(F.gelu(lin(x, p + "mlp.0")), p + "mlp.2"), p + "norm3")
    return x
