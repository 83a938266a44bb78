"""PyTorch reference for the CLIP interop test (run with Debian's /usr/bin/python3, which has torch).

A small CLIP written with torch.nn after OpenAI's CLIP / Hugging Face's CLIPModel (pre-LN residual attention blocks,
QuickGELU MLP, conv patch embedding without bias, class + position embeddings, pre_layrnorm, post_layernorm on the
class token, visual/text projections without bias, causal text mask, pooling at argmax(input_ids)); attribute names
follow CLIPModel so that state_dict() gives the checkpoint names. safetensors is read and written by hand.

  clip_torch_ref.py make <dir>     random weights -> <dir>/config.json + model.safetensors, inputs and reference
                                   outputs in <dir>/reference.safetensors (+ inputs.json with the token ids)
  clip_torch_ref.py forward <dir>  loads <dir>/config.json + model.safetensors (written by the TypeScript side)
                                   strictly and writes <dir>/reference.safetensors for <dir>/inputs.json
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous()
        raw = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n])
    data = buf[8 + n:]
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32", (name, e["dtype"])
        a, b = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype="<f4").reshape(e["shape"]).astype(np.float32).copy())
    return out


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class Attention(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.q_proj, self.k_proj, self.v_proj, self.out_proj = (nn.Linear(d, d) for _ in range(4))

    def forward(self, x, mask):
        B, T, D = x.shape
        dh = D // self.heads
        split = lambda t: t.view(B, T, self.heads, dh).transpose(1, 2)
        q, k, v = split(self.q_proj(x) * dh ** -0.5), split(self.k_proj(x)), split(self.v_proj(x))
        s = q @ k.transpose(-1, -2)
        if mask is not None:
            s = s + mask
        o = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, D)
        return self.out_proj(o)


class Mlp(nn.Module):
    def __init__(self, d, ff):
        super().__init__()
        self.fc1, self.fc2, self.act = nn.Linear(d, ff), nn.Linear(ff, d), QuickGELU()

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["hidden_size"]
        self.self_attn = Attention(d, c["num_attention_heads"])
        self.layer_norm1 = nn.LayerNorm(d, eps=1e-5)
        self.mlp = Mlp(d, c["intermediate_size"])
        self.layer_norm2 = nn.LayerNorm(d, eps=1e-5)

    def forward(self, x, mask):
        x = x + self.self_attn(self.layer_norm1(x), mask)
        return x + self.mlp(self.layer_norm2(x))


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, x, mask):
        hs = [x]
        for l in self.layers:
            x = l(x, mask)
            hs.append(x)
        return hs


class VisionEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        d, p = c["hidden_size"], c["patch_size"]
        self.class_embedding = nn.Parameter(torch.randn(d))
        self.patch_embedding = nn.Conv2d(3, d, kernel_size=p, stride=p, bias=False)
        self.position_embedding = nn.Embedding((c["image_size"] // p) ** 2 + 1, d)

    def forward(self, pixels):
        x = self.patch_embedding(pixels).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        return torch.cat([cls, x], 1) + self.position_embedding.weight[None]


class Vision(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = VisionEmbeddings(c)
        self.pre_layrnorm = nn.LayerNorm(c["hidden_size"], eps=1e-5)
        self.encoder = Encoder(c)
        self.post_layernorm = nn.LayerNorm(c["hidden_size"], eps=1e-5)

    def forward(self, pixels):
        hs = self.encoder(self.pre_layrnorm(self.embeddings(pixels)), None)
        return hs, self.post_layernorm(hs[-1][:, 0])


class TextEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.token_embedding = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embedding = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])


class Text(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = TextEmbeddings(c)
        self.encoder = Encoder(c)
        self.final_layer_norm = nn.LayerNorm(c["hidden_size"], eps=1e-5)

    def forward(self, ids):
        B, T = ids.shape
        x = self.embeddings.token_embedding(ids) + self.embeddings.position_embedding.weight[:T][None]
        mask = torch.full((T, T), float("-inf")).triu(1)[None, None]
        hs = self.encoder(x, mask)
        last = self.final_layer_norm(hs[-1])
        return hs, last[torch.arange(B), ids.argmax(-1)]


class Clip(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.vision_model = Vision(cfg["vision_config"])
        self.text_model = Text(cfg["text_config"])
        self.visual_projection = nn.Linear(cfg["vision_config"]["hidden_size"], cfg["projection_dim"], bias=False)
        self.text_projection = nn.Linear(cfg["text_config"]["hidden_size"], cfg["projection_dim"], bias=False)
        self.logit_scale = nn.Parameter(torch.tensor(cfg["logit_scale_init_value"]))


def config():
    return {
        "model_type": "clip", "architectures": ["CLIPModel"], "projection_dim": 12, "logit_scale_init_value": 2.6592,
        "text_config": {"vocab_size": 30, "hidden_size": 16, "intermediate_size": 40, "num_hidden_layers": 2,
                        "num_attention_heads": 4, "max_position_embeddings": 10, "hidden_act": "quick_gelu"},
        "vision_config": {"hidden_size": 24, "intermediate_size": 48, "num_hidden_layers": 3, "num_attention_heads": 3,
                          "image_size": 12, "patch_size": 4, "num_channels": 3, "hidden_act": "quick_gelu"},
    }


def inputs(gen):
    pixels = torch.randn(2, 3, 12, 12, generator=gen)
    # <|endoftext|> = 29 is the largest id; row 1 is padded with 0 after it (CLIP4Clip's padding)
    ids = [[28, 5, 9, 13, 7, 2, 29, 3, 4, 6], [28, 11, 4, 29, 0, 0, 0, 0, 0, 0]]
    return pixels, ids


def run(model, pixels, ids):
    out = {}
    with torch.no_grad():
        vh, vpool = model.vision_model(pixels)
        th, tpool = model.text_model(torch.tensor(ids))
        for i, h in enumerate(vh):
            out[f"vision_hidden.{i}"] = h
        for i, h in enumerate(th):
            out[f"text_hidden.{i}"] = h
        out["image_embeds"] = model.visual_projection(vpool)
        out["text_embeds"] = model.text_projection(tpool)
        out["pixels_nhwc"] = pixels.permute(0, 2, 3, 1)
    return out


def make(d):
    gen = torch.Generator().manual_seed(0)
    cfg = config()
    model = Clip(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name == "logit_scale":
                continue
            if "norm" in name:
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen) if name.endswith("weight") else 0.2 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(0.3 * torch.randn(p.shape, generator=gen))
    with open(f"{d}/config.json", "w") as f:
        json.dump(cfg, f)
    write_safetensors(f"{d}/model.safetensors", dict(model.state_dict()))
    pixels, ids = inputs(gen)
    with open(f"{d}/inputs.json", "w") as f:
        json.dump({"ids": ids}, f)
    write_safetensors(f"{d}/reference.safetensors", run(model, pixels, ids))


def forward(d):
    with open(f"{d}/config.json") as f:
        cfg = json.load(f)
    model = Clip(cfg)
    model.load_state_dict(read_safetensors(f"{d}/model.safetensors"), strict=True)
    with open(f"{d}/inputs.json") as f:
        ids = json.load(f)["ids"]
    pixels = read_safetensors(f"{d}/pixels.safetensors")["pixels_nhwc"].permute(0, 3, 1, 2).contiguous()
    write_safetensors(f"{d}/reference.safetensors", run(model, pixels, ids))


if __name__ == "__main__":
    cmd, target = sys.argv[1], sys.argv[2]
    {"make": make, "forward": forward}[cmd](target)
