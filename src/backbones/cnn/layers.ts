// Layers of the CNN: a k x k convolution (grouped, NHWC, filter [kh, kw, in/groups, out]) and a BatchNorm whose
// statistics are either the running ones (frozen statistics: eval mode, also used by every fine-tuning method
// here, as VSE∞ and detection codebases keep a pretrained ResNet's BN in eval mode) or the batch's (pretraining).
// 1x1 convolutions are nn Linear layers over the channel axis (fast matmuls; see resnet.ts).
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { ops, batchNormTrain, batchNormInference } from '../../engine/ops/index.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import type { Param } from '../../nn/param.js';
import * as init from '../../nn/init.js';

export class Conv2d extends Module {
  readonly weight: Param;
  readonly bias: Param | null;
  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernel: number, readonly stride: number,
    readonly padding: number, readonly groups: number, rng: Rng, opts: { bias?: boolean } = {}) {
    super();
    if (inChannels % groups || outChannels % groups) throw new Error(`Conv2d: ${inChannels} -> ${outChannels} channels are not divisible by ${groups} groups`);
    // torchvision ResNet init: kaiming_normal_(mode='fan_out', nonlinearity='relu') = N(0, 2 / (out * k * k / groups... )):
    // PyTorch's fan_out for a grouped conv is out_channels * k * k (the group split is in the input dimension)
    const std = Math.sqrt(2 / (outChannels * kernel * kernel));
    this.weight = this.addParam('weight', init.normal([kernel, kernel, inChannels / groups, outChannels], std, rng), 'weight', 'conv');
    this.bias = opts.bias ? this.addParam('bias', init.zeros([outChannels]), 'bias') : null;
  }
  forward(x: Tensor): Tensor {
    const y = ops().conv2d(x, this.weight.value, { stride: this.stride, pad: this.padding, groups: this.groups }, this.weight.trainable);
    return this.bias ? tf.add(y, this.bias.value) : y;
  }
}

export type BatchNormMode = 'running' | 'batch';

/**
 * BatchNorm over every axis but the last. `mode` 'running' (default) always uses the running statistics; 'batch'
 * uses the batch statistics in training mode and updates the running averages (PyTorch momentum 0.1, unbiased
 * variance), running statistics in evaluation. The affine (weight, bias) trains when its flags say so.
 */
export class BatchNorm extends Module {
  readonly weight: Param;
  readonly bias: Param;
  readonly running_mean: Param;
  readonly running_var: Param;
  mode: BatchNormMode = 'running';
  constructor(readonly channels: number, readonly eps = 1e-5, readonly momentum = 0.1) {
    super();
    this.weight = this.addParam('weight', init.ones([channels]), 'norm');
    this.bias = this.addParam('bias', init.zeros([channels]), 'bias');
    this.running_mean = this.addParam('running_mean', init.zeros([channels]), 'buffer', 'plain', false);
    this.running_var = this.addParam('running_var', init.ones([channels]), 'buffer', 'plain', false);
  }
  forward(x: Tensor, ctx: ForwardCtx): Tensor {
    if (this.mode === 'running' || !ctx.training) {
      return batchNormInference(x, this.weight.value, this.bias.value, this.running_mean.value, this.running_var.value, this.eps,
        this.weight.trainable || this.bias.trainable);
    }
    const n = x.size / this.channels;
    const { y, stats } = batchNormTrain(x, this.weight.value, this.bias.value, this.eps);
    const m = this.momentum;
    tf.tidy(() => {
      this.running_mean.variable.assign(tf.add(tf.mul(this.running_mean.value, 1 - m), tf.mul(stats.mean, m)));
      this.running_var.variable.assign(tf.add(tf.mul(this.running_var.value, 1 - m), tf.mul(stats.variance, (m * n) / Math.max(1, n - 1))));
    });
    return y;
  }
}
