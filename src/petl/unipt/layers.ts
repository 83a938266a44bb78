// Small building blocks the UniPT variants share: a PyTorch-`nn.Sequential` mirror (children keep their positional
// index, so `downsample_layers.3.1.weight` maps one-to-one onto the official state dict), a 1x1 convolution on NHWC
// maps, a training-mode BatchNorm2d with PyTorch's running statistics, and the three initialisation schemes the
// official modules use (PyTorch defaults; BERT's N(0, 0.02) in CLIP-ViL; xavier_uniform in MDETR).
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { ops, batchNormTrain, batchNormInference } from '../../engine/ops/index.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear, LayerNorm } from '../../nn/layers.js';
import type { Param } from '../../nn/param.js';
import * as init from '../../nn/init.js';

/** Forward context for callers of variants without dropout or BatchNorm (UniPT draws no random numbers). */
export const NO_CTX: ForwardCtx = { training: true, rng: new Rng(0) };

/**
 * How a variant initialises its layers:
 * - `torch-default`: PyTorch's defaults (weights and biases U(±1/√fan_in)); VSE∞ and CLIP4Clip.
 * - `bert-normal`: `init_bert_weights` (weights N(0, 0.02), biases 0); CLIP-ViL.
 * - `xavier-bias-default`: xavier_uniform on every weight matrix, biases left at PyTorch's default; MDETR.
 * LayerNorm / BatchNorm scales start at 1 and shifts at 0 in all three.
 */
export type UniptInit = 'torch-default' | 'bert-normal' | 'xavier-bias-default';

/** PyTorch's LayerNorm default eps (the official modules never change it; nn/layers' default is BERT's 1e-12). */
export const TORCH_LN_EPS = 1e-5;

export function makeLinear(inF: number, outF: number, rng: Rng, scheme: UniptInit, bias = true): Linear {
  if (scheme === 'torch-default') return new Linear(inF, outF, rng, { bias });
  if (scheme === 'bert-normal') return new Linear(inF, outF, rng, { bias, init: { std: 0.02 } });
  const lin = new Linear(inF, outF, rng, { bias, init: 'xavier-uniform' });
  if (lin.bias) assignFresh(lin.bias, init.torchDefaultBias([outF], inF, rng));
  return lin;
}

export function makeLayerNorm(dim: number): LayerNorm { return new LayerNorm(dim, TORCH_LN_EPS); }

/** Assigns a freshly made tensor to a parameter and releases the tensor's own handle. */
function assignFresh(p: Param, t: Tensor): void { p.assign(t); t.dispose(); }

/** A layer usable inside a Seq. */
export interface SeqLayer extends Module { forward(x: Tensor, ctx: ForwardCtx): Tensor }

/** `nn.Sequential` mirror: 'relu' entries take an index but hold no parameters (as `nn.ReLU()` does). */
export class Seq extends Module {
  constructor(readonly items: (SeqLayer | 'relu')[]) {
    super();
    items.forEach((m, i) => { if (m !== 'relu') this.addChild(String(i), m); });
  }

  /** The layer at a positional index (throws on a ReLU slot). */
  at<M extends SeqLayer>(i: number): M {
    const m = this.items[i];
    if (m === undefined || m === 'relu') throw new Error(`Seq: index ${i} holds no layer`);
    return m as M;
  }

  forward(x: Tensor, ctx: ForwardCtx): Tensor {
    let y = x;
    for (const m of this.items) y = m === 'relu' ? ops().relu(y) : m.forward(y, ctx);
    return y;
  }
}

/**
 * 1x1 convolution over the channel axis of an NHWC map (or any [..., C] tensor). The filter is stored as
 * [1, 1, in, out] (the project's conv layout; PyTorch's is [out, in, 1, 1]); a 1x1 conv is a linear map per pixel,
 * so it runs through the lean linear op (fast untransposed matmuls in both passes).
 */
export class Conv1x1 extends Module {
  readonly weight: Param;
  readonly bias: Param;
  constructor(readonly inChannels: number, readonly outChannels: number, rng: Rng) {
    super();
    // PyTorch Conv2d default: kaiming_uniform(a=√5) = U(±1/√fan_in), fan_in = in·kh·kw = in.
    this.weight = this.addParam('weight', init.torchDefaultWeight([1, 1, inChannels, outChannels], inChannels, rng), 'weight', 'conv');
    this.bias = this.addParam('bias', init.torchDefaultBias([outChannels], inChannels, rng), 'bias');
  }
  forward(x: Tensor): Tensor {
    const W2 = tf.reshape(this.weight.value, [this.inChannels, this.outChannels]);
    return ops().linear(x, W2, this.bias.value, this.weight.trainable, this.bias.trainable);
  }
}

/**
 * BatchNorm over all axes but the last (NHWC). Training mode normalises with the batch statistics and updates the
 * running statistics as PyTorch does (momentum 0.1; the running variance takes the unbiased batch variance);
 * evaluation mode uses the running statistics.
 */
export class BatchNorm2d extends Module {
  readonly weight: Param;
  readonly bias: Param;
  readonly running_mean: Param;
  readonly running_var: Param;
  constructor(readonly channels: number, readonly eps = 1e-5, readonly momentum = 0.1) {
    super();
    this.weight = this.addParam('weight', init.ones([channels]), 'norm');
    this.bias = this.addParam('bias', init.zeros([channels]), 'bias');
    this.running_mean = this.addParam('running_mean', init.zeros([channels]), 'buffer', 'plain', false);
    this.running_var = this.addParam('running_var', init.ones([channels]), 'buffer', 'plain', false);
  }

  forward(x: Tensor, ctx: ForwardCtx): Tensor {
    const C = x.shape[x.shape.length - 1];
    if (C !== this.channels) throw new Error(`BatchNorm2d: input has ${C} channels (last axis), the layer expects ${this.channels}`);
    if (!ctx.training) {
      return batchNormInference(x, this.weight.value, this.bias.value, this.running_mean.value, this.running_var.value,
        this.eps, this.weight.trainable || this.bias.trainable);
    }
    const n = x.size / C;
    if (n < 2) throw new Error(`BatchNorm2d: training mode needs more than 1 value per channel, got input shape [${x.shape}]`);
    const { y, stats } = batchNormTrain(x, this.weight.value, this.bias.value, this.eps);
    const m = this.momentum;
    tf.tidy(() => {
      this.running_mean.variable.assign(tf.add(tf.mul(this.running_mean.value, 1 - m), tf.mul(stats.mean, m)));
      this.running_var.variable.assign(tf.add(tf.mul(this.running_var.value, 1 - m), tf.mul(stats.variance, (m * n) / (n - 1))));
    });
    return y;
  }
}

/** Trainable, non-buffer parameter elements of a module (what the papers count as "trainable parameters"). */
export function paramCount(m: Module): number {
  let n = 0;
  for (const p of m.parameters()) if (p.role !== 'buffer' && p.trainable) n += p.size;
  return n;
}
