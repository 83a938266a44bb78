"""PyTorch reference for the text-encoder interop test (run with Debian's /usr/bin/python3, which has torch).

A tiny BERT/RoBERTa encoder written with torch.nn, its attribute names following Hugging Face's BertModel so that
state_dict() yields the checkpoint names; safetensors is read and written by hand (struct + json), since neither
`transformers` nor `safetensors` is installed.

  torch_ref.py make <dir>      builds bert/ and roberta/ checkpoints with random weights, their inputs and the
                               reference hidden states and MLM logits, plus dtypes.safetensors and dtypes_ref.json
  torch_ref.py forward <dir>   loads <dir>/config.json + model.safetensors (written by the TypeScript side) strictly
                               into the torch model and writes <dir>/reference.safetensors for <dir>/inputs.json
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32, "I8": np.int8,
          "U8": np.uint8, "BOOL": np.bool_, "BF16": np.uint16}


def write_safetensors(path, tensors, metadata=None):
    """tensors: name -> (dtype, shape, raw little-endian bytes)."""
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [off, off + len(raw)]}
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
        a, b = e["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=np.dtype(DTYPES[e["dtype"]]).newbyteorder("<")).reshape(e["shape"])
        if e["dtype"] == "BF16":
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        out[name] = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("=")).copy())
    return out


def raw_f32(t):
    return ("F32", tuple(t.shape), t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes())


def raw_bf16(t):
    return ("BF16", tuple(t.shape), t.detach().to(torch.bfloat16).contiguous().view(torch.int16).numpy().astype("<i2").tobytes())


def raw_i64(t):
    return ("I64", tuple(t.shape), t.detach().to(torch.int64).contiguous().numpy().astype("<i8").tobytes())


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)


class DenseNorm(nn.Module):
    def __init__(self, c, d_in):
        super().__init__()
        self.dense = nn.Linear(d_in, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = SelfAttention(c)
        self.output = DenseNorm(c, c["hidden_size"])


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = DenseNorm(c, c["intermediate_size"])


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])


class Pooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])


class TinyBert(nn.Module):
    """Post-LN BERT encoder (Hugging Face BertModel semantics, eval mode)."""

    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)
        self.pooler = Pooler(c)

    def forward(self, ids, mask, type_ids):
        c = self.c
        B, T = ids.shape
        if c["model_type"] == "roberta":
            # Hugging Face create_position_ids_from_input_ids
            m = (ids != c["pad_token_id"]).int()
            pos = (torch.cumsum(m, dim=1) * m).long() + c["pad_token_id"]
        else:
            pos = torch.arange(T).unsqueeze(0).expand(B, T)
        e = self.embeddings
        x = e.word_embeddings(ids) + e.position_embeddings(pos) + e.token_type_embeddings(type_ids)
        x = e.LayerNorm(x)
        hidden = [x]
        ext = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        nh = c["num_attention_heads"]
        dh = c["hidden_size"] // nh
        act = {"gelu": F.gelu, "relu": F.relu, "gelu_new": lambda t: F.gelu(t, approximate="tanh")}[c["hidden_act"]]
        for layer in self.encoder.layer:
            sa = layer.attention.self
            split = lambda t: t.view(B, T, nh, dh).transpose(1, 2)
            q, k, v = split(sa.query(x)), split(sa.key(x)), split(sa.value(x))
            p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh) + ext, dim=-1)
            ctx = (p @ v).transpose(1, 2).reshape(B, T, c["hidden_size"])
            h1 = layer.attention.output.LayerNorm(layer.attention.output.dense(ctx) + x)
            x = layer.output.LayerNorm(layer.output.dense(act(layer.intermediate.dense(h1))) + h1)
            hidden.append(x)
        return hidden


class MlmHead(nn.Module):
    """BertLMPredictionHead: dense -> act -> LayerNorm -> tied decoder + bias."""

    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.norm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.bias = nn.Parameter(torch.zeros(c["vocab_size"]))

    def forward(self, h, emb):
        return F.linear(self.norm(F.gelu(self.dense(h))), emb, self.bias)


def config(model_type):
    base = dict(vocab_size=40, hidden_size=32, num_hidden_layers=3, num_attention_heads=4, intermediate_size=48,
                hidden_act="gelu", hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, initializer_range=0.02)
    if model_type == "bert":
        return dict(base, model_type="bert", architectures=["BertForMaskedLM"], max_position_embeddings=16,
                    type_vocab_size=2, layer_norm_eps=1e-12, pad_token_id=0)
    return dict(base, model_type="roberta", architectures=["RobertaForMaskedLM"], max_position_embeddings=18,
                type_vocab_size=1, layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0, eos_token_id=2)


def inputs(c):
    pad = c["pad_token_id"]
    rows = [[5, 9, 12, 7, 33, 21, 8], [5, 17, 3, 30, 11], [5, 25, 19]]
    T = 7
    ids = [r + [pad] * (T - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (T - len(r)) for r in rows]
    types = [[0, 0, 0, 0, 1, 1, 1], [0] * T, [0] * T] if c["type_vocab_size"] > 1 else [[0] * T] * 3
    return {"ids": ids, "mask": mask, "type_ids": types}


def randomize(module, gen):
    # non-trivial values everywhere, LayerNorm included, so a mis-mapped tensor cannot go unnoticed
    with torch.no_grad():
        for name, p in module.named_parameters():
            if name.endswith("LayerNorm.weight") or name.endswith("norm.weight"):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(0.2 * torch.randn(p.shape, generator=gen))


def run(model, inp):
    ids, mask, types = (torch.tensor(inp[k], dtype=torch.long) for k in ("ids", "mask", "type_ids"))
    with torch.no_grad():
        return model(ids, mask, types)


def make(out):
    gen = torch.Generator().manual_seed(1234)
    for model_type, dtype in (("bert", "F32"), ("roberta", "BF16")):
        d = os.path.join(out, model_type)
        os.makedirs(d, exist_ok=True)
        c = config(model_type)
        model, head = TinyBert(c), MlmHead(c)
        randomize(model, gen)
        randomize(head, gen)
        if dtype == "BF16":
            # the file holds bf16; the reference computes with exactly those (rounded) values
            with torch.no_grad():
                for p in list(model.parameters()) + list(head.parameters()):
                    p.copy_(p.to(torch.bfloat16).to(torch.float32))
        raw = raw_f32 if dtype == "F32" else raw_bf16
        prefix = model_type + "."
        tensors = {prefix + k: raw(v) for k, v in model.state_dict().items()}
        # an old-style registered buffer, and the tied decoder copy older checkpoints carry
        tensors[prefix + "embeddings.position_ids"] = raw_i64(torch.arange(c["max_position_embeddings"]).unsqueeze(0))
        emb = model.embeddings.word_embeddings.weight
        if model_type == "bert":
            hn = {"dense.weight": "cls.predictions.transform.dense.weight", "dense.bias": "cls.predictions.transform.dense.bias",
                  "norm.weight": "cls.predictions.transform.LayerNorm.weight", "norm.bias": "cls.predictions.transform.LayerNorm.bias",
                  "bias": "cls.predictions.bias"}
            tensors["cls.predictions.decoder.weight"] = raw(emb)
        else:
            hn = {"dense.weight": "lm_head.dense.weight", "dense.bias": "lm_head.dense.bias",
                  "norm.weight": "lm_head.layer_norm.weight", "norm.bias": "lm_head.layer_norm.bias", "bias": "lm_head.bias"}
            tensors["lm_head.decoder.weight"] = raw(emb)
            tensors["lm_head.decoder.bias"] = raw(head.bias)
        for k, v in head.state_dict().items():
            tensors[hn[k]] = raw(v)
        write_safetensors(os.path.join(d, "model.safetensors"), tensors, {"format": "pt"})
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(c, f, indent=2)
        inp = inputs(c)
        with open(os.path.join(d, "inputs.json"), "w") as f:
            json.dump(inp, f)
        hidden = run(model, inp)
        with torch.no_grad():
            logits = head(hidden[-1], emb)
        ref = {f"hidden_states.{i}": raw_f32(h) for i, h in enumerate(hidden)}
        ref["logits"] = raw_f32(logits)
        write_safetensors(os.path.join(d, "reference.safetensors"), ref)
    dtypes(out)


def dtypes(out):
    """One tensor per dtype, and what torch converts each to (float32 / int values) as the reference."""
    vals = torch.tensor([1.0, -2.5, 65504.0, 6.0e-8, 0.1, 3.14159, -1.0e-3, 7.0e4, float("inf")], dtype=torch.float64)
    ints = torch.tensor([0, 1, -7, 127, -128, 100000, -2147483648, 2147483647], dtype=torch.int64)
    small = torch.tensor([0, 1, -7, 127, -128], dtype=torch.int64)
    tensors, ref = {}, {}

    def put(name, dtype, t, tobytes):
        tensors[name] = (dtype, tuple(t.shape), tobytes(t))
        # non-finite floats as the strings JavaScript's Number() reads ("Infinity"), since JSON has no literal for them
        js = lambda x: x if math.isfinite(x) else ("NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity"))
        ref[name] = [js(x) for x in t.to(torch.float32).flatten().tolist()] if t.is_floating_point() else t.flatten().tolist()

    put("f16", "F16", vals.to(torch.float16), lambda t: t.numpy().astype("<f2").tobytes())
    put("bf16", "BF16", vals.to(torch.bfloat16), lambda t: t.view(torch.int16).numpy().astype("<i2").tobytes())
    put("f64", "F64", vals, lambda t: t.numpy().astype("<f8").tobytes())
    put("f32", "F32", vals.to(torch.float32).reshape(3, 3), lambda t: t.numpy().astype("<f4").tobytes())
    put("i64", "I64", ints, lambda t: t.numpy().astype("<i8").tobytes())
    put("i32", "I32", ints.to(torch.int32), lambda t: t.numpy().astype("<i4").tobytes())
    put("i8", "I8", small.to(torch.int8), lambda t: t.numpy().astype("i1").tobytes())
    put("u8", "U8", torch.tensor([0, 1, 200, 255], dtype=torch.uint8), lambda t: t.numpy().tobytes())
    put("bool", "BOOL", torch.tensor([True, False, True]), lambda t: t.numpy().astype(np.uint8).tobytes())
    write_safetensors(os.path.join(out, "dtypes.safetensors"), tensors, {"format": "pt", "made_by": "torch " + torch.__version__})
    with open(os.path.join(out, "dtypes_ref.json"), "w") as f:
        json.dump(ref, f, allow_nan=False)


def forward(d):
    with open(os.path.join(d, "config.json")) as f:
        c = json.load(f)
    sd = read_safetensors(os.path.join(d, "model.safetensors"))
    prefix = c["model_type"] + "."
    model = TinyBert(c)
    # strict: the TypeScript file must carry exactly the torch module's names (after the model prefix)
    model.load_state_dict({k[len(prefix):]: v for k, v in sd.items() if k.startswith(prefix)}, strict=True)
    with open(os.path.join(d, "inputs.json")) as f:
        inp = json.load(f)
    hidden = run(model, inp)
    write_safetensors(os.path.join(d, "reference.safetensors"), {f"hidden_states.{i}": raw_f32(h) for i, h in enumerate(hidden)})


if __name__ == "__main__":
    cmd, target = sys.argv[1], sys.argv[2]
    {"make": make, "forward": forward}[cmd](target)
    print("ok")
