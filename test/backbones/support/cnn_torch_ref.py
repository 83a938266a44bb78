"""PyTorch reference for the ResNet/ResNeXt interop test (Debian's /usr/bin/python3 has torch, not torchvision).

A bottleneck ResNet written with torch.nn after torchvision's resnet.py (v1.5: stride on the 3x3 conv; grouped 3x3
conv; downsample = conv1x1 + BN), attribute names as torchvision's so state_dict() gives the checkpoint names.
BatchNorm runs in eval mode with random running statistics. safetensors is read and written by hand.

  cnn_torch_ref.py make <dir>     for each config in CONFIGS: <dir>/<name>/{config.json, model.safetensors} with
                                  random weights, and <dir>/<name>/ref.safetensors holding the input (NHWC), the four
                                  stage outputs (NHWC), the fixed probe tensors R_i and the gradients of
                                  sum_i <stage_i, R_i> for every parameter (PyTorch layout)
  cnn_torch_ref.py forward <dir>  loads <dir>/config.json + model.safetensors (written by TypeScript) strictly and
                                  writes <dir>/roundtrip.safetensors with the stage outputs for <dir>/ref.safetensors' input
"""
import json
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from torch_ref import write_safetensors, read_safetensors, raw_f32, raw_i64  # noqa: E402

torch.set_num_threads(1)

CONFIGS = {
    "imagenet": {"model_type": "resnet", "layers": [2, 1, 1, 1], "groups": 2, "width_per_group": 16,
                 "planes": [4, 8, 8, 16], "stem": "imagenet", "stem_width": 8, "input": [2, 40, 40]},
    "mini": {"model_type": "resnet", "layers": [1, 1, 2, 1], "groups": 1, "width_per_group": 64,
             "planes": [4, 4, 8, 8], "stem": "mini", "stem_width": 6, "input": [2, 12, 12]},
}


class Bottleneck(nn.Module):
    def __init__(self, inplanes, planes, stride, groups, base_width):
        super().__init__()
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = nn.Conv2d(inplanes, width, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=stride, padding=1, groups=groups, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU()
        self.downsample = None
        if stride != 1 or inplanes != planes * 4:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes * 4, 1, stride=stride, bias=False), nn.BatchNorm2d(planes * 4))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        idt = self.downsample(x) if self.downsample is not None else x
        return self.relu(out + idt)


class ResNet(nn.Module):
    def __init__(self, c):
        super().__init__()
        if c["stem"] == "imagenet":
            self.conv1 = nn.Conv2d(3, c["stem_width"], 7, stride=2, padding=3, bias=False)
        else:
            self.conv1 = nn.Conv2d(3, c["stem_width"], 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c["stem_width"])
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1) if c["stem"] == "imagenet" else nn.Identity()
        inplanes = c["stem_width"]
        for s in range(4):
            blocks = []
            for b in range(c["layers"][s]):
                stride = 2 if (b == 0 and s > 0) else 1
                blocks.append(Bottleneck(inplanes, c["planes"][s], stride, c["groups"], c["width_per_group"]))
                inplanes = c["planes"][s] * 4
            setattr(self, f"layer{s + 1}", nn.Sequential(*blocks))

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        outs = []
        for s in range(4):
            x = getattr(self, f"layer{s + 1}")(x)
            outs.append(x)
        return outs


def randomize(model, g):
    for name, p in model.named_parameters():
        with torch.no_grad():
            if name.endswith("bn1.weight") or ".bn" in name and name.endswith("weight") or name.endswith("downsample.1.weight"):
                p.copy_(0.5 + torch.rand(p.shape, generator=g))
            elif p.dim() == 1:
                p.copy_(0.2 * torch.randn(p.shape, generator=g))
            else:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=g) * (2.0 / fan_in) ** 0.5)
    for name, b in model.named_buffers():
        with torch.no_grad():
            if name.endswith("running_mean"):
                b.copy_(0.1 * torch.randn(b.shape, generator=g))
            elif name.endswith("running_var"):
                b.copy_(0.5 + torch.rand(b.shape, generator=g))


def state_raw(model):
    out = {}
    for k, v in model.state_dict().items():
        out[k] = raw_i64(v) if k.endswith("num_batches_tracked") else raw_f32(v)
    return out


def make(root):
    g = torch.Generator().manual_seed(1234)
    for name, c in CONFIGS.items():
        d = os.path.join(root, name)
        os.makedirs(d, exist_ok=True)
        cfg = {k: v for k, v in c.items() if k != "input"}
        model = ResNet(cfg)
        randomize(model, g)
        model.eval()
        write_safetensors(os.path.join(d, "model.safetensors"), state_raw(model), {"format": "pt"})
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f)
        B, H, W = c["input"]
        x = torch.randn(B, 3, H, W, generator=g)
        outs = model(x)
        probes = [torch.randn(o.shape, generator=g) for o in outs]
        loss = sum((o * r).sum() for o, r in zip(outs, probes))
        params = dict(model.named_parameters())
        grads = torch.autograd.grad(loss, list(params.values()))
        ref = {"input": raw_f32(x.permute(0, 2, 3, 1))}
        for i, (o, r) in enumerate(zip(outs, probes)):
            ref[f"stage{i}"] = raw_f32(o.permute(0, 2, 3, 1))
            ref[f"probe{i}"] = raw_f32(r.permute(0, 2, 3, 1))
        for (n, _), gr in zip(params.items(), grads):
            ref[f"grad.{n}"] = raw_f32(gr)
        write_safetensors(os.path.join(d, "ref.safetensors"), ref)


def forward(d):
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    model = ResNet(cfg)
    sd = read_safetensors(os.path.join(d, "model.safetensors"))
    model.load_state_dict(sd, strict=True)
    model.eval()
    x = read_safetensors(os.path.join(d, "ref.safetensors"))["input"].permute(0, 3, 1, 2)
    with torch.no_grad():
        outs = model(x)
    write_safetensors(os.path.join(d, "roundtrip.safetensors"), {f"stage{i}": raw_f32(o.permute(0, 2, 3, 1)) for i, o in enumerate(outs)})


if __name__ == "__main__":
    {"make": make, "forward": forward}[sys.argv[1]](sys.argv[2])
