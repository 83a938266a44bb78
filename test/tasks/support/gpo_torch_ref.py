"""PyTorch reference for VSE∞'s GPO (Generalized Pooling Operator), written after lib/modules/aggr/gpo.py:
positional encodings -> packed bidirectional GRU -> averaged directions -> Linear(d_hidden, 1, bias=False) ->
-10000 on padding -> softmax(score / 0.1); features sorted descending per dimension (padding -10000 then 0) and
pooled with those weights. Also the hinge triplet loss (lib/loss.py ContrastiveLoss) for a batch.

  gpo_torch_ref.py make <dir>   writes <dir>/gpo.safetensors: GRU/Linear weights (PyTorch names and layouts),
                                features [B, T, D], lengths, pooled output, gradients of sum(pooled * probe) w.r.t.
                                the features and every parameter; and the loss of two embedding sets (VSE0, VSE++)
"""
import math
import os
import sys

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "backbones", "support"))
from torch_ref import write_safetensors, raw_f32, raw_i64  # noqa: E402

torch.set_num_threads(1)


def positional_encoding_1d(d_model, length):
    pe = torch.zeros(length, d_model)
    position = torch.arange(0, length).unsqueeze(1)
    div_term = torch.exp((torch.arange(0, d_model, 2, dtype=torch.float) * -(math.log(10000.0) / d_model)))
    pe[:, 0::2] = torch.sin(position.float() * div_term)
    pe[:, 1::2] = torch.cos(position.float() * div_term)
    return pe


class GPO(nn.Module):
    def __init__(self, d_pe, d_hidden):
        super().__init__()
        self.d_pe = d_pe
        self.gru = nn.GRU(d_pe, d_hidden, 1, batch_first=True, bidirectional=True)
        self.linear = nn.Linear(d_hidden, 1, bias=False)

    def compute_pool_weights(self, lengths, features):
        max_len = int(lengths.max())
        pes = positional_encoding_1d(self.d_pe, max_len).unsqueeze(0).repeat(lengths.size(0), 1, 1)
        mask = torch.arange(max_len).expand(lengths.size(0), max_len)
        mask = (mask < lengths.long().unsqueeze(1)).unsqueeze(-1)
        pes = pes.masked_fill(mask == 0, 0)
        packed = pack_padded_sequence(pes, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, _ = self.gru(packed)
        out_emb, _ = pad_packed_sequence(out, batch_first=True)
        out_emb = (out_emb[:, :, :out_emb.size(2) // 2] + out_emb[:, :, out_emb.size(2) // 2:]) / 2
        scores = self.linear(out_emb)
        scores[torch.where(mask == 0)] = -10000
        return torch.softmax(scores / 0.1, 1), mask

    def forward(self, features, lengths):
        w, mask = self.compute_pool_weights(lengths, features)
        features = features[:, :int(lengths.max()), :]
        sorted_features = features.masked_fill(mask == 0, -10000)
        sorted_features = sorted_features.sort(dim=1, descending=True)[0]
        sorted_features = sorted_features.masked_fill(mask == 0, 0)
        return (sorted_features * w).sum(1)


def contrastive(im, s, margin, max_violation):
    scores = im.mm(s.t())
    diagonal = scores.diag().view(im.size(0), 1)
    d1 = diagonal.expand_as(scores)
    d2 = diagonal.t().expand_as(scores)
    cost_s = (margin + scores - d1).clamp(min=0)
    cost_im = (margin + scores - d2).clamp(min=0)
    I = torch.eye(scores.size(0)) > .5
    cost_s = cost_s.masked_fill_(I, 0)
    cost_im = cost_im.masked_fill_(I, 0)
    if max_violation:
        cost_s = cost_s.max(1)[0]
        cost_im = cost_im.max(0)[0]
    return cost_s.sum() + cost_im.sum()


def make(d):
    g = torch.Generator().manual_seed(7)
    torch.manual_seed(7)
    gpo = GPO(32, 32)
    B, T, D = 5, 7, 6
    feats = torch.randn(B, T, D, generator=g, requires_grad=True)
    lengths = torch.tensor([7, 3, 5, 1, 5])
    pooled = gpo(feats, lengths)
    probe = torch.randn(pooled.shape, generator=g)
    params = dict(gpo.named_parameters())
    grads = torch.autograd.grad((pooled * probe).sum(), [feats] + list(params.values()))
    out = {n: raw_f32(p) for n, p in params.items()}
    out.update({"features": raw_f32(feats), "lengths": raw_i64(lengths), "pooled": raw_f32(pooled), "probe": raw_f32(probe),
                "grad.features": raw_f32(grads[0])})
    for (n, _), gr in zip(params.items(), grads[1:]):
        out[f"grad.{n}"] = raw_f32(gr)
    im = nn.functional.normalize(torch.randn(6, 8, generator=g), dim=1)
    cap = nn.functional.normalize(im + 0.7 * torch.randn(6, 8, generator=g), dim=1)
    out["loss.im"] = raw_f32(im)
    out["loss.cap"] = raw_f32(cap)
    out["loss.vse0"] = raw_f32(contrastive(im, cap, 0.2, False).reshape(1))
    out["loss.vsepp"] = raw_f32(contrastive(im, cap, 0.2, True).reshape(1))
    write_safetensors(os.path.join(d, "gpo.safetensors"), out)


if __name__ == "__main__":
    {"make": make}[sys.argv[1]](sys.argv[2])
