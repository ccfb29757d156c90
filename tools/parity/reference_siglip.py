"""Independent plain-PyTorch SigLIP vision encoder (Hugging Face semantics), as the Hour-LLaVA tower uses it:
the last encoder layer is already deleted, so every layer present in the weights runs, and the output is
the last layer's hidden state WITHOUT post_layernorm (post_layernorm weights exist but are unused)."""
import torch
import torch.nn.functional as F

PREFIX = "model.vision_tower.vision_tower.vision_model."


def stored_layer_count(weights, prefix=PREFIX):
    n = 0
    while f"{prefix}encoder.layers.{n}.layer_norm1.weight" in weights:
        n += 1
    return n


def siglip_features(weights, vcfg, pixel_values, prefix=PREFIX):
    """pixel_values [N, C, S, S] -> [N, (S/patch)^2, hidden]."""
    w = lambda name: weights[prefix + name]
    d = vcfg["hidden_size"]
    heads = vcfg["num_attention_heads"]
    hd = d // heads
    eps = vcfg["layer_norm_eps"]
    x = F.conv2d(pixel_values, w("embeddings.patch_embedding.weight"), w("embeddings.patch_embedding.bias"), stride=vcfg["patch_size"])
    x = x.flatten(2).transpose(1, 2)  # row-major patches: token r*grid + c
    x = x + w("embeddings.position_embedding.weight")[None]
    n, s, _ = x.shape
    for i in range(stored_layer_count(weights, prefix)):
        p = f"encoder.layers.{i}."
        h = F.layer_norm(x, (d,), w(p + "layer_norm1.weight"), w(p + "layer_norm1.bias"), eps)
        q = F.linear(h, w(p + "self_attn.q_proj.weight"), w(p + "self_attn.q_proj.bias")).view(n, s, heads, hd).transpose(1, 2)
        k = F.linear(h, w(p + "self_attn.k_proj.weight"), w(p + "self_attn.k_proj.bias")).view(n, s, heads, hd).transpose(1, 2)
        v = F.linear(h, w(p + "self_attn.v_proj.weight"), w(p + "self_attn.v_proj.bias")).view(n, s, heads, hd).transpose(1, 2)
        a = torch.softmax(torch.matmul(q, k.transpose(2, 3)) * hd ** -0.5, dim=-1)
        o = torch.matmul(a, v).transpose(1, 2).reshape(n, s, d)
        x = x + F.linear(o, w(p + "self_attn.out_proj.weight"), w(p + "self_attn.out_proj.bias"))
        h = F.layer_norm(x, (d,), w(p + "layer_norm2.weight"), w(p + "layer_norm2.bias"), eps)
        h = F.gelu(F.linear(h, w(p + "mlp.fc1.weight"), w(p + "mlp.fc1.bias")), approximate="tanh")
        x = x + F.linear(h, w(p + "mlp.fc2.weight"), w(p + "mlp.fc2.bias"))
    return x
