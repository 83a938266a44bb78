// A low-rank additive branch x A B * (alpha / r) on a linear layer's output (LoRA). A is initialised like
// PyTorch's kaiming-uniform default (as PEFT does), B at zero, so training starts from the backbone's function.
import { tf, type Tensor } from '../engine/tf.js';
import type { Rng } from '../engine/rng.js';
import { ops } from '../engine/ops/index.js';
import { Module, type ForwardCtx } from './module.js';
import type { Param } from './param.js';
import { dropout } from './layers.js';
import * as init from './init.js';

export class LowRankDelta extends Module {
  readonly lora_A: Param;
  readonly lora_B: Param;
  readonly scale: number;
  constructor(inFeatures: number, outFeatures: number, readonly rank: number, alpha: number, rng: Rng, readonly dropoutRate = 0) {
    super();
    this.lora_A = this.addParam('lora_A', init.torchDefaultWeight([inFeatures, rank], inFeatures, rng), 'weight', 'linear');
    this.lora_B = this.addParam('lora_B', init.zeros([rank, outFeatures]), 'weight', 'linear');
    this.scale = alpha / rank;
  }
  forward(x: Tensor, ctx: ForwardCtx): Tensor {
    const xa = ops().linear(dropout(x, this.dropoutRate, ctx), this.lora_A.value, null, this.lora_A.trainable);
    return tf.mul(ops().linear(xa, this.lora_B.value, null, this.lora_B.trainable), this.scale);
  }
}
