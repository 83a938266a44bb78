"""PyTorch reference for the CLIP-ViL model test (run with Debian's /usr/bin/python3, which has torch).

A tiny CLIP-ViL written here with torch.nn from the architecture of CLIP's ModifiedResNet (OpenAI CLIP model.py:
3-conv stem + avgpool, anti-aliased strided bottlenecks, skip_last_layer = no attention pool) and CLIP-ViL's
single-stream LXRT encoder (visualbert_style: BERT embeddings, LinearPositionEmbedding on the grid, VisualFeatEncoder
visn_fc + LayerNorm, BertLayers over [text; visual] with the joint mask, BertPooler without tanh, logit_fc).
Everything runs in eval mode (BatchNorm on running statistics, no dropout). Random weights (BatchNorm statistics
included) are written with the project's tensor names (PyTorch layouts) by hand as safetensors (no `safetensors`
package needed), with the inputs and the reference outputs.

  torch_ref.py make <dir>   writes <dir>/ckpt/{config.json, model.safetensors}, <dir>/head.safetensors,
                            <dir>/inputs.json and <dir>/reference.json
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
torch.manual_seed(1234)

TEXT = {"model_type": "bert", "vocab_size": 30, "hidden_size": 16, "num_hidden_layers": 2, "num_attention_heads": 2,
        "intermediate_size": 32, "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 12, "type_vocab_size": 2, "layer_norm_eps": 1e-12, "pad_token_id": 0,
        "initializer_range": 0.02}
WIDTH = 8
LAYERS = [1, 2, 1, 1]
IMAGE = 64
POS_NUM = 4
ANSWERS = 5
MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]


def write_safetensors(path, tensors):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous().numpy().astype("<f4")
        raw = t.tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.avgpool = nn.AvgPool2d(stride) if stride > 1 else nn.Identity()
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = None
        if stride > 1 or inplanes != planes * 4:
            self.downsample = nn.Sequential()
            self.downsample.add_module("-1", nn.AvgPool2d(stride))
            self.downsample.add_module("0", nn.Conv2d(inplanes, planes * 4, 1, stride=1, bias=False))
            self.downsample.add_module("1", nn.BatchNorm2d(planes * 4))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.avgpool(out)
        out = self.bn3(self.conv3(out))
        identity = self.downsample(x) if self.downsample is not None else x
        return F.relu(out + identity)


class ModifiedResNet(nn.Module):
    def __init__(self, layers, width):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width // 2, 3, stride=2, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width // 2)
        self.conv2 = nn.Conv2d(width // 2, width // 2, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width // 2)
        self.conv3 = nn.Conv2d(width // 2, width, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(width)
        self.avgpool = nn.AvgPool2d(2)
        self._inplanes = width
        self.layer1 = self._make_layer(width, layers[0])
        self.layer2 = self._make_layer(width * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(width * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(width * 8, layers[3], stride=2)

    def _make_layer(self, planes, blocks, stride=1):
        layers = [Bottleneck(self._inplanes, planes, stride)]
        self._inplanes = planes * 4
        for _ in range(1, blocks):
            layers.append(Bottleneck(self._inplanes, planes))
        return nn.Sequential(*layers)

    def forward(self, x):
        for conv, bn in [(self.conv1, self.bn1), (self.conv2, self.bn2), (self.conv3, self.bn3)]:
            x = F.relu(bn(conv(x)))
        x = self.avgpool(x)
        return self.layer4(self.layer3(self.layer2(self.layer1(x))))


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, i = c["hidden_size"], c["intermediate_size"]
        self.nh = c["num_attention_heads"]
        self.q, self.k, self.v = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.ao, self.aln = nn.Linear(h, h), nn.LayerNorm(h, eps=1e-12)
        self.inter, self.out, self.oln = nn.Linear(h, i), nn.Linear(i, h), nn.LayerNorm(h, eps=1e-12)

    def forward(self, x, mask_add):
        B, T, H = x.shape
        d = H // self.nh
        split = lambda t: t.view(B, T, self.nh, d).permute(0, 2, 1, 3)
        s = split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / math.sqrt(d) + mask_add
        ctx = (torch.softmax(s, -1) @ split(self.v(x))).permute(0, 2, 1, 3).reshape(B, T, H)
        a = self.aln(self.ao(ctx) + x)
        return self.oln(self.out(F.gelu(self.inter(a))) + a)

    def named(self, prefix):
        m = {"attention.self.query": self.q, "attention.self.key": self.k, "attention.self.value": self.v,
             "attention.output.dense": self.ao, "attention.output.LayerNorm": self.aln,
             "intermediate.dense": self.inter, "output.dense": self.out, "output.LayerNorm": self.oln}
        return {f"{prefix}.{k}.{p}": getattr(mod, p) for k, mod in m.items() for p in ("weight", "bias")}


def randomize(module, scale=0.3):
    with torch.no_grad():
        for name, p in module.named_parameters():
            # matrices and filters ~ N(0, 1/fan_in) so activations stay O(1); vectors around 1 (scales) or 0 (shifts)
            std = scale if p.dim() == 1 else 1.0 / math.sqrt(p[0].numel())
            p.copy_(torch.randn_like(p) * std + (1.0 if name.endswith("weight") and p.dim() == 1 else 0.0))
        for m in module.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn_like(m.running_mean) * 0.2)
                m.running_var.copy_(torch.rand_like(m.running_var) + 0.5)


def main(out):
    os.makedirs(os.path.join(out, "ckpt"), exist_ok=True)
    c = TEXT
    H, feat = c["hidden_size"], WIDTH * 32
    resnet = ModifiedResNet(LAYERS, WIDTH).eval()
    randomize(resnet)
    word = nn.Embedding(c["vocab_size"], H)
    pos = nn.Embedding(c["max_position_embeddings"], H)
    typ = nn.Embedding(c["type_vocab_size"], H)
    eln = nn.LayerNorm(H, eps=1e-12)
    xpos, ypos = nn.Embedding(POS_NUM, feat), nn.Embedding(POS_NUM, feat)
    visn_fc, visn_ln = nn.Linear(feat, H), nn.LayerNorm(H, eps=1e-12)
    layers = [BertLayer(c) for _ in range(c["num_hidden_layers"])]
    pooler = nn.Linear(H, H)
    fc1, hln, fc2 = nn.Linear(H, 2 * H), nn.LayerNorm(2 * H, eps=1e-12), nn.Linear(2 * H, ANSWERS)
    for m in [word, pos, typ, eln, xpos, ypos, visn_fc, visn_ln, pooler, fc1, hln, fc2, *layers]:
        randomize(m)

    B = 2
    images = torch.rand(B, IMAGE, IMAGE, 3)
    ids = torch.tensor([[2, 5, 9, 11, 3, 0], [2, 7, 3, 0, 0, 0]])
    mask = (ids != 0).float()

    with torch.no_grad():
        x = (images - torch.tensor(MEAN)) / torch.tensor(STD)
        grid = resnet(x.permute(0, 3, 1, 2))                      # B, C, h, w
        h, w = grid.shape[2], grid.shape[3]
        pe = (xpos(torch.arange(h)).unsqueeze(1) + ypos(torch.arange(w)).unsqueeze(0)).view(1, h * w, feat)
        vis = grid.permute(0, 2, 3, 1).reshape(B, h * w, feat) + pe
        vis = visn_ln(visn_fc(vis))
        T = ids.shape[1]
        text = eln(word(ids) + pos(torch.arange(T)).unsqueeze(0) + typ(torch.zeros_like(ids)))
        joint = torch.cat([text, vis], 1)
        jmask = torch.cat([mask, torch.ones(B, h * w)], 1)
        mask_add = ((1 - jmask) * -10000.0)[:, None, None, :]
        hidden = [joint]
        for lay in layers:
            hidden.append(lay(hidden[-1], mask_add))
        pooled = pooler(hidden[-1][:, 0])
        logits = fc2(hln(F.gelu(fc1(pooled))))

    tensors = {}
    for k, v in resnet.state_dict().items():
        if k.endswith("num_batches_tracked"):
            continue
        tensors[f"visual_model.{k}"] = v
    for k, m in [("word_embeddings", word), ("position_embeddings", pos), ("token_type_embeddings", typ)]:
        tensors[f"bert.embeddings.{k}.weight"] = m.weight
    tensors["bert.embeddings.LayerNorm.weight"] = eln.weight
    tensors["bert.embeddings.LayerNorm.bias"] = eln.bias
    for i, lay in enumerate(layers):
        tensors.update(lay.named(f"bert.encoder.layer.{i}"))
    tensors["bert.pooler.dense.weight"] = pooler.weight
    tensors["bert.pooler.dense.bias"] = pooler.bias
    tensors["visn_fc.visn_fc.weight"] = visn_fc.weight
    tensors["visn_fc.visn_fc.bias"] = visn_fc.bias
    tensors["visn_fc.visn_layer_norm.weight"] = visn_ln.weight
    tensors["visn_fc.visn_layer_norm.bias"] = visn_ln.bias
    tensors["visual_pos.x_position_embedding.weight"] = xpos.weight
    tensors["visual_pos.y_position_embedding.weight"] = ypos.weight
    write_safetensors(os.path.join(out, "ckpt", "model.safetensors"), tensors)
    write_safetensors(os.path.join(out, "head.safetensors"), {
        "logit_fc.0.weight": fc1.weight, "logit_fc.0.bias": fc1.bias, "logit_fc.2.weight": hln.weight,
        "logit_fc.2.bias": hln.bias, "logit_fc.3.weight": fc2.weight, "logit_fc.3.bias": fc2.bias})
    config = {"model_type": "clip-vil", "text_config": c,
              "vision_tower": {"kind": "clip-rn", "layers": LAYERS, "width": WIDTH},
              "image_size": IMAGE, "image_mean": MEAN, "image_std": STD, "visual_feat_dim": feat,
              "use_positional_embedding": True, "pos_num": POS_NUM, "max_text_length": 8, "pooler_activation": "none"}
    with open(os.path.join(out, "ckpt", "config.json"), "w") as f:
        json.dump(config, f)
    with open(os.path.join(out, "inputs.json"), "w") as f:
        json.dump({"images": images.tolist(), "ids": ids.tolist(), "mask": mask.tolist()}, f)
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump({"grid": grid.permute(0, 2, 3, 1).reshape(-1).tolist(), "grid_shape": [B, h, w, feat],
                   "hidden": [t.reshape(-1).tolist() for t in hidden], "pooled": pooled.reshape(-1).tolist(),
                   "logits": logits.reshape(-1).tolist()}, f)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "make":
        sys.exit("usage: torch_ref.py make <dir>")
    main(sys.argv[2])
