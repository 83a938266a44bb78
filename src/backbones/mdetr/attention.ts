// Multi-head attention as PyTorch's nn.MultiheadAttention computes it (DETR/MDETR use it for every attention), with
// the packed in_proj split into q_proj / k_proj / v_proj linears (so LoRA can target q and v, and the names match
// Hugging Face's DETR). DETR's init: xavier_uniform over the packed [3d, d] in_proj (bound √(6 / 4d)), zero in_proj
// bias, xavier_uniform out_proj weight (DETR's _reset_parameters), zero out_proj bias.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { ops, splitHeads, mergeHeads } from '../../engine/ops/index.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import * as init from '../../nn/init.js';

/** A Linear whose weight is U(±bound) and bias zero. */
export function uniformLinear(inF: number, outF: number, bound: number, rng: Rng): Linear {
  const lin = new Linear(inF, outF, rng, { init: { std: 0 }, zeroBias: true });
  const w = init.uniform([inF, outF], -bound, bound, rng);
  lin.weight.assign(w);
  w.dispose();
  return lin;
}

/** A Linear with xavier_uniform weight and PyTorch's default bias U(±1/√in) (DETR's FFN and heads after reset). */
export function xavierLinear(inF: number, outF: number, rng: Rng): Linear {
  const lin = new Linear(inF, outF, rng, { init: 'xavier-uniform' });
  const b = init.torchDefaultBias([outF], inF, rng);
  lin.bias!.assign(b);
  b.dispose();
  return lin;
}

export class MultiheadAttention extends Module {
  readonly q_proj: Linear;
  readonly k_proj: Linear;
  readonly v_proj: Linear;
  readonly out_proj: Linear;

  constructor(readonly dModel: number, readonly heads: number, readonly dropoutRate: number, rng: Rng) {
    super();
    if (dModel % heads !== 0) throw new Error(`attention: d_model ${dModel} is not divisible by ${heads} heads`);
    const inBound = Math.sqrt(6 / (dModel + 3 * dModel));
    this.q_proj = this.addChild('q_proj', uniformLinear(dModel, dModel, inBound, rng));
    this.k_proj = this.addChild('k_proj', uniformLinear(dModel, dModel, inBound, rng));
    this.v_proj = this.addChild('v_proj', uniformLinear(dModel, dModel, inBound, rng));
    this.out_proj = this.addChild('out_proj', uniformLinear(dModel, dModel, Math.sqrt(6 / (2 * dModel)), rng));
  }

  /**
   * query [B*Tq, d], key and value [B*Tk, d] (flattened tokens); maskAdd: additive [B, 1, 1, Tk] (-1e9 at padded
   * keys) or null. Returns [B*Tq, d].
   */
  forward(query: Tensor, key: Tensor, value: Tensor, B: number, Tq: number, Tk: number, maskAdd: Tensor | null, ctx: ForwardCtx): Tensor {
    const h = this.heads;
    const q = splitHeads(this.q_proj.forward(query, ctx), B, Tq, h);
    const k = splitHeads(this.k_proj.forward(key, ctx), B, Tk, h);
    const v = splitHeads(this.v_proj.forward(value, ctx), B, Tk, h);
    const o = ops().attention(q, k, v, { mask: maskAdd, dropoutRate: ctx.training ? this.dropoutRate : 0, rng: ctx.rng });
    return this.out_proj.forward(mergeHeads(o), ctx);
  }
}

/** Additive key mask [B, 1, 1, T] from a [B, T] 1/0 validity mask (-1e9 at padding). */
export function additiveKeyMask(mask: Tensor): Tensor {
  const [B, T] = mask.shape as number[];
  return tf.tidy(() => tf.reshape(tf.mul(tf.sub(1, tf.cast(mask, 'float32')), -1e9), [B, 1, 1, T]));
}
