// Basic layers on the engine's op set. A layer's frozen parameters never get gradients or saved activations of
// their own (the op set chooses the frozen variant from each parameter's trainable flag).
import { tf, type Tensor } from '../engine/tf.js';
import type { Rng } from '../engine/rng.js';
import { ops } from '../engine/ops/index.js';
import { Module, type ForwardCtx } from './module.js';
import type { Param } from './param.js';
import * as init from './init.js';

export type LinearInit = 'torch-default' | 'xavier-uniform' | { std: number };

/** An additive branch on a linear layer's output, computed from the same input (LoRA). */
export type LinearDelta = (x: Tensor, ctx: ForwardCtx) => Tensor;

export class Linear extends Module {
  readonly weight: Param;
  readonly bias: Param | null;
  private readonly deltas: LinearDelta[] = [];

  constructor(readonly inFeatures: number, readonly outFeatures: number, rng: Rng, opts: { bias?: boolean; init?: LinearInit; zeroBias?: boolean } = {}) {
    super();
    const scheme = opts.init ?? 'torch-default';
    const w = scheme === 'torch-default' ? init.torchDefaultWeight([inFeatures, outFeatures], inFeatures, rng)
      : scheme === 'xavier-uniform' ? init.xavierUniform([inFeatures, outFeatures], inFeatures, outFeatures, rng)
        : init.normal([inFeatures, outFeatures], scheme.std, rng);
    this.weight = this.addParam('weight', w, 'weight', 'linear');
    if (opts.bias === false) this.bias = null;
    else {
      const b = scheme === 'torch-default' && !opts.zeroBias ? init.torchDefaultBias([outFeatures], inFeatures, rng) : init.zeros([outFeatures]);
      this.bias = this.addParam('bias', b, 'bias');
    }
  }

  addDelta(fn: LinearDelta): () => void {
    this.deltas.push(fn);
    return () => { this.deltas.splice(this.deltas.indexOf(fn), 1); };
  }

  forward(x: Tensor, ctx: ForwardCtx): Tensor {
    let y = ops().linear(x, this.weight.value, this.bias?.value, this.weight.trainable, this.bias?.trainable ?? false);
    for (const d of this.deltas) y = tf.add(y, d(x, ctx));
    return y;
  }
}

export class LayerNorm extends Module {
  readonly weight: Param;
  readonly bias: Param;
  constructor(readonly dim: number, readonly eps = 1e-12) {
    super();
    this.weight = this.addParam('weight', init.ones([dim]), 'norm');
    this.bias = this.addParam('bias', init.zeros([dim]), 'bias');
  }
  get trainable(): boolean { return this.weight.trainable || this.bias.trainable; }
  forward(x: Tensor): Tensor { return ops().layerNorm(x, this.weight.value, this.bias.value, this.eps, this.trainable); }
  /** LayerNorm(x + r) with the residual sum as the only saved activation. */
  forwardAdd(x: Tensor, r: Tensor): Tensor { return ops().addLayerNorm(x, r, this.weight.value, this.bias.value, this.eps, this.trainable); }
}

export class RMSNorm extends Module {
  readonly weight: Param;
  constructor(readonly dim: number, readonly eps = 1e-6) {
    super();
    this.weight = this.addParam('weight', init.ones([dim]), 'norm');
  }
  forward(x: Tensor): Tensor { return ops().rmsNorm(x, this.weight.value, this.eps, this.weight.trainable); }
}

export class Embedding extends Module {
  readonly weight: Param;
  constructor(readonly num: number, readonly dim: number, rng: Rng, std = 0.02) {
    super();
    this.weight = this.addParam('weight', init.normal([num, dim], std, rng), 'embedding');
  }
  forward(ids: Tensor): Tensor { return ops().embedding(this.weight.value, ids, this.weight.trainable); }
}

export function dropout(x: Tensor, rate: number, ctx: ForwardCtx): Tensor {
  return ctx.training && rate > 0 ? ops().dropout(x, rate, ctx.rng) : x;
}

export type Activation = 'gelu' | 'gelu_new' | 'quick_gelu' | 'relu' | 'tanh';

export function activate(x: Tensor, act: Activation): Tensor {
  switch (act) {
    case 'gelu': return ops().gelu(x);
    case 'gelu_new': return ops().geluTanh(x);
    case 'quick_gelu': return ops().quickGelu(x);
    case 'relu': return ops().relu(x);
    case 'tanh': return tf.tanh(x);
  }
}
