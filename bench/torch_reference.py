#!/usr/bin/env python3
"""PyTorch twin of the engine benchmark's reference encoder (4 x 256, 4 heads, FFN 1024, seq 64, batch 32,
post-LN BERT block, exact GELU, [CLS] -> dense+tanh -> 2 classes, Adam 1e-4), for the tfjs/PyTorch step-time ratio.

Runs single-threaded (torch and OpenBLAS) to match the single-threaded wasm backend. Prints one JSON object:
{"torch": version, "threads": 1, "configs": {name: {"ms_per_step": ..., "ms_steps": [...]}}}.
Run with Debian's interpreter: /usr/bin/python3 bench/torch_reference.py [--steps 3] [--warmup 1]
"""
import argparse
import json
import math
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.set_num_threads(1)


class Block(nn.Module):
    def __init__(self, h, heads, ff, p):
        super().__init__()
        self.h, self.heads = h, heads
        self.q, self.k, self.v, self.o = (nn.Linear(h, h) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(h, eps=1e-12), nn.LayerNorm(h, eps=1e-12)
        self.f1, self.f2 = nn.Linear(h, ff), nn.Linear(ff, h)
        self.drop = nn.Dropout(p)

    def forward(self, x, lora=None):
        b, t, h = x.shape
        d = h // self.heads
        def proj(lin, name):
            y = lin(x)
            if lora is not None and name in lora:
                a, bb = lora[name]
                y = y + (x @ a @ bb) * 2.0
            return y.view(b, t, self.heads, d).transpose(1, 2)
        q, k, v = proj(self.q, "q"), proj(self.k, "k"), proj(self.v, "v")
        p = self.drop(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), -1))
        a = (p @ v).transpose(1, 2).reshape(b, t, h)
        x = self.ln1(x + self.drop(self.o(a)))
        return self.ln2(x + self.drop(self.f2(nn.functional.gelu(self.f1(x)))))


class Encoder(nn.Module):
    def __init__(self, vocab=8000, seq=64, h=256, heads=4, ff=1024, layers=4, p=0.1):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, h), nn.Embedding(seq, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.drop = nn.Dropout(p)
        self.blocks = nn.ModuleList(Block(h, heads, ff, p) for _ in range(layers))

    def forward(self, ids, loras=None):
        x = self.drop(self.ln(self.tok(ids) + self.pos.weight[: ids.shape[1]]))
        hs = [x]
        for i, blk in enumerate(self.blocks):
            x = blk(x, None if loras is None else loras[i])
            hs.append(x)
        return hs


def run(config, steps, warmup, batch=32, seq=64, h=256):
    torch.manual_seed(0)
    enc = Encoder(seq=seq, h=h)
    head = nn.Sequential(nn.Linear(h, h), nn.Tanh(), nn.Linear(h, 2))
    ids = torch.randint(1, 8000, (batch, seq))
    labels = torch.randint(0, 2, (batch,))
    params = list(head.parameters())
    loras = None
    side = None
    if config == "full":
        params += list(enc.parameters())
    else:
        enc.requires_grad_(False)
    if config == "lora":
        loras = [{n: (nn.Parameter(torch.randn(h, 8) * 0.02), nn.Parameter(torch.zeros(8, h))) for n in ("q", "v")} for _ in enc.blocks]
        params += [t for l in loras for pair in l.values() for t in pair]
    if config == "side":
        n = len(enc.blocks) + 1
        side = nn.ModuleDict({"down": nn.ModuleList(nn.Linear(h, 64) for _ in range(n)),
                              "mix": nn.ModuleList(nn.Linear(64, 64) for _ in range(n)), "up": nn.Linear(64, h)})
        params += list(side.parameters())
    opt = torch.optim.Adam(params, lr=1e-4)

    def step():
        if config in ("frozen-head", "side"):
            with torch.no_grad():
                hs = enc(ids)
        else:
            hs = enc(ids, loras)
        last = hs[-1]
        if side is not None:
            s = None
            for i, x in enumerate(hs):
                z = side["down"][i](x)
                s = nn.functional.gelu(side["mix"][i](z if s is None else s + z))
            last = last + side["up"](s)
        loss = nn.functional.cross_entropy(head(last[:, 0]), labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    return {"ms_per_step": sum(times) / len(times), "ms_steps": times}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--configs", default="full,lora,frozen-head,side")
    a = ap.parse_args()
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "configs": {}}
    for c in a.configs.split(","):
        out["configs"][c] = run(c, a.steps, a.warmup)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
