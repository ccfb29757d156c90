"""Independent plain-PyTorch Qwen2 decoder (Hugging Face semantics) over input embeddings."""
import torch
import torch.nn.functional as F


def rms_norm(x, weight, eps):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rope_inv_freq(dim, theta):
    """fp32, as HF computes it: 1 / theta ** (arange(0, dim, 2) / dim)."""
    return 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def qwen2_logits(weights, cfg, inputs_embeds, positions=None):
    """inputs_embeds [L, H] (one sequence, causal) -> logits [L, vocab]."""
    w = weights
    hsz = cfg["hidden_size"]
    nh = cfg["num_attention_heads"]
    nkv = cfg["num_key_value_heads"]
    hd = hsz // nh
    eps = cfg["rms_norm_eps"]
    L = inputs_embeds.shape[0]
    dev = inputs_embeds.device
    if positions is None:
        positions = torch.arange(L, device=dev)
    freqs = torch.outer(positions.float(), rope_inv_freq(hd, cfg["rope_theta"]).to(dev))  # fp32 angles
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[:, None, :].to(inputs_embeds.dtype), emb.sin()[:, None, :].to(inputs_embeds.dtype)
    mask = torch.full((L, L), float("-inf"), dtype=inputs_embeds.dtype, device=dev).triu(1)
    x = inputs_embeds
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = F.linear(h, w[p + "self_attn.q_proj.weight"], w[p + "self_attn.q_proj.bias"]).view(L, nh, hd)
        k = F.linear(h, w[p + "self_attn.k_proj.weight"], w[p + "self_attn.k_proj.bias"]).view(L, nkv, hd)
        v = F.linear(h, w[p + "self_attn.v_proj.weight"], w[p + "self_attn.v_proj.bias"]).view(L, nkv, hd)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(nh // nkv, dim=1)  # query head j uses kv head j // (nh / nkv)
        v = v.repeat_interleave(nh // nkv, dim=1)
        s = torch.einsum("qhd,khd->hqk", q, k) / hd ** 0.5 + mask
        o = torch.einsum("hqk,khd->qhd", torch.softmax(s, dim=-1), v).reshape(L, hsz)
        x = x + F.linear(o, w[p + "self_attn.o_proj.weight"])
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        h = F.linear(F.silu(F.linear(h, w[p + "mlp.gate_proj.weight"])) * F.linear(h, w[p + "mlp.up_proj.weight"]), w[p + "mlp.down_proj.weight"])
        x = x + h
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings") else w["lm_head.weight"]
    return F.linear(x, head)


def greedy(weights, cfg, inputs_embeds, steps):
    """Greedy continuation (no stopping); recomputes the whole sequence each step (same as a KV cache).
    Returns (tokens [steps], min top-1/top-2 logit margin over the steps)."""
    embeds = inputs_embeds
    tokens, margin = [], float("inf")
    for _ in range(steps):
        last = qwen2_logits(weights, cfg, embeds)[-1]
        top = torch.topk(last, 2).values
        margin = min(margin, float(top[0] - top[1]))
        t = int(torch.argmax(last))
        tokens.append(t)
        embeds = torch.cat([embeds, weights["model.embed_tokens.weight"][t][None]], dim=0)
    return torch.tensor(tokens, dtype=torch.int64), margin
