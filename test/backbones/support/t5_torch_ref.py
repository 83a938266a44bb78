"""Reference T5 forward pass in PyTorch, written from the published architecture (Raffel et al. 2020, and the
parameter layout of Hugging Face's T5ForConditionalGeneration), for the interop test of the TypeScript T5.

Usage: /usr/bin/python3 t5_torch_ref.py <checkpoint folder> <request.json>
request: {"ids": [[...]], "mask": [[...]], "labels": [[...]] (-100 = ignored), "positions": [ints]}
Prints one JSON object: encoder_last, decoder_last, logits (flattened, row-major), loss, and the bidirectional and
causal bucket of every relative position in "positions". Dropout is off (evaluation mode).
"""
import json
import math
import struct
import sys

import numpy as np
import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf8"))
    base = 8 + n
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        if e["dtype"] != "F32":
            raise SystemExit(f"tensor {name}: dtype {e['dtype']} not handled by this reference (F32 only)")
        b, t = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(raw[base + b:base + t], dtype="<f4").copy()).reshape(e["shape"])
    return out


def bucket(rel, bidirectional, num_buckets, max_distance):
    """T5's relative position bucket on a long tensor of (key - query) positions."""
    buckets = torch.zeros_like(rel)
    if bidirectional:
        num_buckets //= 2
        buckets += (rel > 0).to(torch.long) * num_buckets
        rel = torch.abs(rel)
    else:
        rel = -torch.min(rel, torch.zeros_like(rel))
    max_exact = num_buckets // 2
    is_small = rel < max_exact
    large = max_exact + (
        torch.log(rel.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)
    ).to(torch.long)
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return buckets + torch.where(is_small, rel, large)


def rms(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


class Ref:
    def __init__(self, folder):
        with open(f"{folder}/config.json") as f:
            self.c = json.load(f)
        self.w = read_safetensors(f"{folder}/model.safetensors")
        c = self.c
        self.h = c["num_heads"]
        self.dkv = c["d_kv"]
        self.eps = c.get("layer_norm_epsilon", 1e-6)
        self.nb = c.get("relative_attention_num_buckets", 32)
        self.md = c.get("relative_attention_max_distance", 128)

    def lin(self, name, x):
        return x @ self.w[name + ".weight"].T

    def attn(self, p, xq, xkv, mask_add, bias):
        B, Tq, _ = xq.shape
        Tk = xkv.shape[1]
        q = self.lin(p + ".q", xq).view(B, Tq, self.h, self.dkv).transpose(1, 2)
        k = self.lin(p + ".k", xkv).view(B, Tk, self.h, self.dkv).transpose(1, 2)
        v = self.lin(p + ".v", xkv).view(B, Tk, self.h, self.dkv).transpose(1, 2)
        s = q @ k.transpose(-1, -2)  # no 1/sqrt(d) scaling in T5
        if bias is not None:
            s = s + bias
        s = s + mask_add
        a = torch.softmax(s.float(), dim=-1) @ v
        return self.lin(p + ".o", a.transpose(1, 2).reshape(B, Tq, self.h * self.dkv))

    def ff(self, p, x):
        if self.c.get("feed_forward_proj", "relu") == "gated-gelu":
            g = self.lin(p + ".wi_0", x)
            g = 0.5 * g * (1 + torch.tanh(math.sqrt(2 / math.pi) * (g + 0.044715 * g.pow(3))))
            return self.lin(p + ".wo", g * self.lin(p + ".wi_1", x))
        return self.lin(p + ".wo", torch.relu(self.lin(p + ".wi", x)))

    def pos_bias(self, stack, T, bidirectional):
        ctx = torch.arange(T)[:, None]
        mem = torch.arange(T)[None, :]
        b = bucket(mem - ctx, bidirectional, self.nb, self.md)
        table = self.w[f"{stack}.block.0.layer.0.SelfAttention.relative_attention_bias.weight"]
        return table[b].permute(2, 0, 1).unsqueeze(0)

    def stack(self, name, ids, self_mask_add, enc=None, enc_mask_add=None):
        x = self.w["shared.weight"][ids]
        T = ids.shape[1]
        bias = self.pos_bias(name, T, enc is None)
        n_layers = self.c["num_layers"] if name == "encoder" else (self.c.get("num_decoder_layers") or self.c["num_layers"])
        for i in range(n_layers):
            p = f"{name}.block.{i}.layer"
            h = rms(x, self.w[f"{p}.0.layer_norm.weight"], self.eps)
            x = x + self.attn(f"{p}.0.SelfAttention", h, h, self_mask_add, bias)
            j = 1
            if enc is not None:
                h = rms(x, self.w[f"{p}.1.layer_norm.weight"], self.eps)
                x = x + self.attn(f"{p}.1.EncDecAttention", h, enc, enc_mask_add, None)
                j = 2
            h = rms(x, self.w[f"{p}.{j}.layer_norm.weight"], self.eps)
            x = x + self.ff(f"{p}.{j}.DenseReluDense", h)
        return rms(x, self.w[f"{name}.final_layer_norm.weight"], self.eps)


def main():
    folder, req_path = sys.argv[1], sys.argv[2]
    with open(req_path) as f:
        req = json.load(f)
    r = Ref(folder)
    c = r.c
    ids = torch.tensor(req["ids"], dtype=torch.long)
    mask = torch.tensor(req["mask"], dtype=torch.float32)
    labels = torch.tensor(req["labels"], dtype=torch.long)
    neg = torch.finfo(torch.float32).min
    enc_mask_add = ((1 - mask) * neg)[:, None, None, :]
    start = c.get("decoder_start_token_id", 0)
    dec_ids = torch.cat([torch.full((labels.shape[0], 1), start, dtype=torch.long), labels[:, :-1]], dim=1)
    dec_ids = torch.where(dec_ids == -100, torch.full_like(dec_ids, c.get("pad_token_id", 0)), dec_ids)
    Td = dec_ids.shape[1]
    causal = torch.triu(torch.full((Td, Td), neg), diagonal=1)[None, None]
    with torch.no_grad():
        enc = r.stack("encoder", ids, enc_mask_add)
        dec = r.stack("decoder", dec_ids, causal, enc, enc_mask_add)
        if c.get("tie_word_embeddings", True):
            logits = (dec * c["d_model"] ** -0.5) @ r.w["shared.weight"].T
        else:
            logits = dec @ r.w["lm_head.weight"].T
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
    pos = torch.tensor(req.get("positions", [0]), dtype=torch.long)
    print(json.dumps({
        "torch": torch.__version__,
        "encoder_last": enc.reshape(-1).tolist(),
        "decoder_last": dec.reshape(-1).tolist(),
        "logits": logits.reshape(-1).tolist(),
        "loss": float(loss),
        "buckets_bidirectional": bucket(pos, True, r.nb, r.md).tolist(),
        "buckets_causal": bucket(pos, False, r.nb, r.md).tolist(),
    }))


if __name__ == "__main__":
    main()
