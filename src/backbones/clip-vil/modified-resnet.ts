// CLIP's ModifiedResNet image encoder (OpenAI CLIP `model.py`), as CLIP-ViL uses it: `visual(images,
// skip_last_layer=True)` returns the layer4 map (the attention pool is skipped), which becomes the grid of visual
// tokens. Differences from torchvision's ResNet: a 3-convolution stem with an average pool; anti-aliased strides
// (an AvgPool2d(stride) after conv2 of a strided block and in front of the 1x1 downsample convolution).
// The tower is frozen in every CLIP-ViL setup, so only inference is implemented: BatchNorm uses its running
// statistics (CLIP-ViL leaves the frozen tower in train mode, where PyTorch would normalise with batch statistics;
// with frozen weights the running statistics are the faithful "frozen" behaviour, documented as a deviation).
// Parameter names follow CLIP's state dict under `visual.` (conv filters stored [kh, kw, in, out] here, [out, in,
// kh, kw] in PyTorch): conv1/bn1..conv3/bn3, layer<s>.<b>.conv1..bn3, layer<s>.<b>.downsample.0 (conv) / .1 (BN).
// The attention pool (attnpool.*) is not built: skip_last_layer never runs it.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { ops, batchNormInference } from '../../engine/ops/index.js';
import { Module } from '../../nn/module.js';
import type { Param } from '../../nn/param.js';
import * as init from '../../nn/init.js';
import type { ClipRnTowerConfig } from './config.js';

/** BatchNorm2d in inference mode (running statistics), frozen. PyTorch's eps 1e-5. */
export class FrozenBatchNorm2d extends Module {
  readonly weight: Param; readonly bias: Param; readonly running_mean: Param; readonly running_var: Param;
  constructor(readonly channels: number, readonly eps = 1e-5) {
    super();
    this.weight = this.addParam('weight', init.ones([channels]), 'norm', 'plain', false);
    this.bias = this.addParam('bias', init.zeros([channels]), 'bias', 'plain', false);
    this.running_mean = this.addParam('running_mean', init.zeros([channels]), 'buffer', 'plain', false);
    this.running_var = this.addParam('running_var', init.ones([channels]), 'buffer', 'plain', false);
  }
  forward(x: Tensor): Tensor {
    return batchNormInference(x, this.weight.value, this.bias.value, this.running_mean.value, this.running_var.value, this.eps, false);
  }
}

/** A bias-free convolution with a frozen filter [kh, kw, in, out], PyTorch's default (kaiming-uniform) init. */
export class FrozenConv2d extends Module {
  readonly weight: Param;
  constructor(readonly inC: number, readonly outC: number, readonly k: number, readonly stride: number, readonly padding: number, rng: Rng) {
    super();
    this.weight = this.addParam('weight', init.torchDefaultWeight([k, k, inC, outC], inC * k * k, rng), 'weight', 'conv', false);
  }
  forward(x: Tensor): Tensor {
    return ops().conv2d(x, this.weight.value, { stride: this.stride, pad: this.padding }, false);
  }
}

const avgPool = (x: Tensor, k: number): Tensor => (k > 1 ? tf.avgPool(x as tf.Tensor4D, k, k, 'valid') : x);

class Downsample extends Module {
  readonly conv: FrozenConv2d; readonly bn: FrozenBatchNorm2d;
  constructor(inC: number, outC: number, readonly stride: number, rng: Rng) {
    super();
    // nn.Sequential(OrderedDict([("-1", AvgPool2d), ("0", Conv2d), ("1", BatchNorm2d)])): the pool has no parameters
    this.conv = this.addChild('0', new FrozenConv2d(inC, outC, 1, 1, 0, rng));
    this.bn = this.addChild('1', new FrozenBatchNorm2d(outC));
  }
  forward(x: Tensor): Tensor { return this.bn.forward(this.conv.forward(avgPool(x, this.stride))); }
}

export class ClipBottleneck extends Module {
  static readonly expansion = 4;
  readonly conv1: FrozenConv2d; readonly bn1: FrozenBatchNorm2d;
  readonly conv2: FrozenConv2d; readonly bn2: FrozenBatchNorm2d;
  readonly conv3: FrozenConv2d; readonly bn3: FrozenBatchNorm2d;
  readonly downsample: Downsample | null;
  constructor(inplanes: number, planes: number, readonly stride: number, rng: Rng) {
    super();
    const out = planes * ClipBottleneck.expansion;
    this.conv1 = this.addChild('conv1', new FrozenConv2d(inplanes, planes, 1, 1, 0, rng));
    this.bn1 = this.addChild('bn1', new FrozenBatchNorm2d(planes));
    this.conv2 = this.addChild('conv2', new FrozenConv2d(planes, planes, 3, 1, 1, rng));
    this.bn2 = this.addChild('bn2', new FrozenBatchNorm2d(planes));
    this.conv3 = this.addChild('conv3', new FrozenConv2d(planes, out, 1, 1, 0, rng));
    this.bn3 = this.addChild('bn3', new FrozenBatchNorm2d(out));
    this.downsample = stride > 1 || inplanes !== out ? this.addChild('downsample', new Downsample(inplanes, out, stride, rng)) : null;
  }
  forward(x: Tensor): Tensor {
    let y = tf.relu(this.bn1.forward(this.conv1.forward(x)));
    y = tf.relu(this.bn2.forward(this.conv2.forward(y)));
    y = this.bn3.forward(this.conv3.forward(avgPool(y, this.stride)));
    const identity = this.downsample ? this.downsample.forward(x) : x;
    return tf.relu(tf.add(y, identity));
  }
}

export class ModifiedResNet extends Module {
  readonly conv1: FrozenConv2d; readonly bn1: FrozenBatchNorm2d;
  readonly conv2: FrozenConv2d; readonly bn2: FrozenBatchNorm2d;
  readonly conv3: FrozenConv2d; readonly bn3: FrozenBatchNorm2d;
  readonly stages: Module[] = [];
  /** Channels of the grid (width * 32). */
  readonly outChannels: number;

  constructor(readonly cfg: ClipRnTowerConfig, rng: Rng) {
    super();
    const w = cfg.width;
    this.conv1 = this.addChild('conv1', new FrozenConv2d(3, w / 2, 3, 2, 1, rng));
    this.bn1 = this.addChild('bn1', new FrozenBatchNorm2d(w / 2));
    this.conv2 = this.addChild('conv2', new FrozenConv2d(w / 2, w / 2, 3, 1, 1, rng));
    this.bn2 = this.addChild('bn2', new FrozenBatchNorm2d(w / 2));
    this.conv3 = this.addChild('conv3', new FrozenConv2d(w / 2, w, 3, 1, 1, rng));
    this.bn3 = this.addChild('bn3', new FrozenBatchNorm2d(w));
    if (w % 2 !== 0) throw new Error(`clip-rn: width ${w} must be even (the stem's first convolutions have width / 2 channels)`);
    let inplanes = w;
    cfg.layers.forEach((blocks, s) => {
      const planes = w * 2 ** s;
      const stage = new StageModule();
      for (let b = 0; b < blocks; b++) {
        stage.add(String(b), new ClipBottleneck(inplanes, planes, b === 0 && s > 0 ? 2 : 1, rng));
        inplanes = planes * ClipBottleneck.expansion;
      }
      this.stages.push(this.addChild(`layer${s + 1}`, stage));
    });
    this.outChannels = inplanes;
  }

  /** images NHWC [B, S, S, 3] (normalised) -> layer4 map [B, S/32, S/32, width*32]; one tidy per block. */
  forward(images: Tensor): Tensor {
    let x = tf.tidy(() => {
      let h = tf.relu(this.bn1.forward(this.conv1.forward(images)));
      h = tf.relu(this.bn2.forward(this.conv2.forward(h)));
      h = tf.relu(this.bn3.forward(this.conv3.forward(h)));
      return avgPool(h, 2);
    });
    for (const stage of this.stages) {
      for (const block of (stage as StageModule).blocks) {
        const prev = x;
        x = tf.tidy(() => block.forward(prev));
        prev.dispose();
      }
    }
    return x;
  }
}

class StageModule extends Module {
  readonly blocks: ClipBottleneck[] = [];
  add(name: string, b: ClipBottleneck): void { this.blocks.push(this.addChild(name, b)); }
}
