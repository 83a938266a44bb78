// The pieces of a T5 block with Hugging Face's parameter names (T5LayerNorm, T5Attention with q/k/v/o and the
// relative_attention_bias table, DenseReluDense with wi/wo or wi_0/wi_1/wo). T5 has no biases; `biases: true` gives
// every q/k/v/o/wi/wo linear and every T5LayerNorm a zero-initialised bias (role 'bias'), as LST's T5 does when BitFit
// (or LoRA, which trains BitFit biases too) is on. Init follows T5PreTrainedModel._init_weights.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { ops, splitHeads, mergeHeads } from '../../engine/ops/index.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear, Embedding, dropout } from '../../nn/layers.js';
import type { Param } from '../../nn/param.js';
import * as init from '../../nn/init.js';
import type { T5Config } from './config.js';
import { bucketTensor } from './position.js';

export interface T5BuildOptions {
  /** Zero-initialised biases on q/k/v/o/wi/wo, every T5LayerNorm and the LM head (LST's BitFit/LoRA setting). */
  biases?: boolean;
  /**
   * 'random' (default): T5's initialisation from the seed. 'constant': every weight 0 and the norms 1, built in a
   * fraction of the time; only for measurements that do not depend on values (memory benchmarks, shape checks).
   */
  init?: 'random' | 'constant';
}

/** RMS norm without centring; an optional bias (LST's BitFit). */
export class T5LayerNorm extends Module {
  readonly weight: Param;
  readonly bias: Param | null;
  constructor(readonly dim: number, readonly eps: number, withBias: boolean) {
    super();
    this.weight = this.addParam('weight', init.ones([dim]), 'norm');
    this.bias = withBias ? this.addParam('bias', init.zeros([dim]), 'bias') : null;
  }
  forward(x: Tensor): Tensor {
    const y = ops().rmsNorm(x, this.weight.value, this.eps, this.weight.trainable);
    return this.bias ? tf.add(y, this.bias.value) : y;
  }
}

function linear(inF: number, outF: number, std: number, rng: Rng, bias: boolean): Linear {
  return new Linear(inF, outF, rng, { bias, init: { std }, zeroBias: true });
}

export class T5Attention extends Module {
  readonly q: Linear; readonly k: Linear; readonly v: Linear; readonly o: Linear;
  readonly relative_attention_bias: Embedding | null;
  constructor(readonly cfg: T5Config, hasRelativeBias: boolean, rng: Rng, opts: T5BuildOptions) {
    super();
    const f = cfg.initializer_factor, D = cfg.d_model, inner = cfg.num_heads * cfg.d_kv, b = !!opts.biases;
    this.q = this.addChild('q', linear(D, inner, f * (D * cfg.d_kv) ** -0.5, rng, b));
    this.k = this.addChild('k', linear(D, inner, f * D ** -0.5, rng, b));
    this.v = this.addChild('v', linear(D, inner, f * D ** -0.5, rng, b));
    this.o = this.addChild('o', linear(inner, D, f * inner ** -0.5, rng, b));
    this.relative_attention_bias = hasRelativeBias
      ? this.addChild('relative_attention_bias', new Embedding(cfg.relative_attention_num_buckets, cfg.num_heads, rng, f * D ** -0.5))
      : null;
  }

  /**
   * The position bias [1, H, Tq, Tk] from this layer's bucket table: inside the gradient path when the table trains
   * (full fine-tuning), as a plain lookup otherwise.
   */
  positionBias(Tq: number, Tk: number, bidirectional: boolean): Tensor {
    const table = this.relative_attention_bias;
    if (!table) throw new Error('T5Attention.positionBias: only the first block of a stack owns relative_attention_bias');
    const ids = bucketTensor(Tq, Tk, bidirectional, this.cfg.relative_attention_num_buckets, this.cfg.relative_attention_max_distance);
    const H = this.cfg.num_heads;
    const looked = table.forward(ids);                       // [Tq, Tk, H]
    ids.dispose();
    const out = tf.reshape(tf.transpose(looked, [2, 0, 1]), [1, H, Tq, Tk]);
    looked.dispose();
    return out;
  }

  /** xq [B*Tq, D], xkv [B*Tk, D] -> [B*Tq, D]. */
  forward(xq: Tensor, xkv: Tensor, B: number, Tq: number, Tk: number, mask: Tensor | null, bias: Tensor | null, ctx: ForwardCtx): Tensor {
    const H = this.cfg.num_heads;
    const q = splitHeads(this.q.forward(xq, ctx), B, Tq, H);
    const k = splitHeads(this.k.forward(xkv, ctx), B, Tk, H);
    const v = splitHeads(this.v.forward(xkv, ctx), B, Tk, H);
    // T5 folds 1/sqrt(d_kv) into the q init, so scores are not scaled
    const rate = ctx.training ? this.cfg.dropout_rate : 0;
    const c = ops().attention(q, k, v, { scale: 1, mask, dropoutRate: rate, rng: ctx.rng }, bias);
    return this.o.forward(mergeHeads(c), ctx);
  }
}

export class T5DenseReluDense extends Module {
  readonly wi: Linear; readonly wo: Linear;
  constructor(readonly cfg: T5Config, rng: Rng, opts: T5BuildOptions) {
    super();
    const f = cfg.initializer_factor, b = !!opts.biases;
    this.wi = this.addChild('wi', linear(cfg.d_model, cfg.d_ff, f * cfg.d_model ** -0.5, rng, b));
    this.wo = this.addChild('wo', linear(cfg.d_ff, cfg.d_model, f * cfg.d_ff ** -0.5, rng, b));
  }
  forward(x: Tensor, ctx: ForwardCtx): Tensor {
    const h = dropout(ops().relu(this.wi.forward(x, ctx)), this.cfg.dropout_rate, ctx);
    return this.wo.forward(h, ctx);
  }
}

export class T5DenseGatedGeluDense extends Module {
  readonly wi_0: Linear; readonly wi_1: Linear; readonly wo: Linear;
  constructor(readonly cfg: T5Config, rng: Rng, opts: T5BuildOptions) {
    super();
    const f = cfg.initializer_factor, b = !!opts.biases;
    this.wi_0 = this.addChild('wi_0', linear(cfg.d_model, cfg.d_ff, f * cfg.d_model ** -0.5, rng, b));
    this.wi_1 = this.addChild('wi_1', linear(cfg.d_model, cfg.d_ff, f * cfg.d_model ** -0.5, rng, b));
    this.wo = this.addChild('wo', linear(cfg.d_ff, cfg.d_model, f * cfg.d_ff ** -0.5, rng, b));
  }
  forward(x: Tensor, ctx: ForwardCtx): Tensor {
    const g = ops().geluTanh(this.wi_0.forward(x, ctx));
    const h = dropout(tf.mul(g, this.wi_1.forward(x, ctx)), this.cfg.dropout_rate, ctx);
    return this.wo.forward(h, ctx);
  }
}

export class T5LayerSelfAttention extends Module {
  readonly SelfAttention: T5Attention; readonly layer_norm: T5LayerNorm;
  constructor(cfg: T5Config, hasRelativeBias: boolean, rng: Rng, opts: T5BuildOptions) {
    super();
    this.SelfAttention = this.addChild('SelfAttention', new T5Attention(cfg, hasRelativeBias, rng, opts));
    this.layer_norm = this.addChild('layer_norm', new T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon, !!opts.biases));
  }
}

export class T5LayerCrossAttention extends Module {
  readonly EncDecAttention: T5Attention; readonly layer_norm: T5LayerNorm;
  constructor(cfg: T5Config, rng: Rng, opts: T5BuildOptions) {
    super();
    this.EncDecAttention = this.addChild('EncDecAttention', new T5Attention(cfg, false, rng, opts));
    this.layer_norm = this.addChild('layer_norm', new T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon, !!opts.biases));
  }
}

export class T5LayerFF extends Module {
  readonly DenseReluDense: T5DenseReluDense | T5DenseGatedGeluDense; readonly layer_norm: T5LayerNorm;
  constructor(cfg: T5Config, rng: Rng, opts: T5BuildOptions) {
    super();
    this.DenseReluDense = this.addChild('DenseReluDense', cfg.feed_forward_proj === 'gated-gelu' ? new T5DenseGatedGeluDense(cfg, rng, opts) : new T5DenseReluDense(cfg, rng, opts));
    this.layer_norm = this.addChild('layer_norm', new T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon, !!opts.biases));
  }
}

/** What a block attends to besides itself (decoder blocks only). */
export interface CrossInput {
  /** Encoder output, flattened [B*Te, D]. */
  states: Tensor;
  length: number;
  /** Additive mask [B, 1, 1, Te]. */
  mask: Tensor;
}

/**
 * One T5 block: pre-norm self-attention, (decoder) cross-attention, FFN, each added to the residual stream after
 * dropout. Adapter sites sit on each sublayer's output before its dropout and residual add, where LST's T5 puts its
 * adapter controllers: `self_attention_output`, `cross_attention_output` (decoder), `ffn_output`.
 */
export class T5Block extends Module {
  readonly layer: T5BlockLayers;
  constructor(readonly cfg: T5Config, readonly isDecoder: boolean, hasRelativeBias: boolean, rng: Rng, opts: T5BuildOptions) {
    super();
    this.layer = this.addChild('layer', new T5BlockLayers(cfg, isDecoder, hasRelativeBias, rng, opts));
  }
  override declaredSites(): readonly string[] {
    return this.isDecoder ? ['self_attention_output', 'cross_attention_output', 'ffn_output'] : ['self_attention_output', 'ffn_output'];
  }

  get selfAttention(): T5LayerSelfAttention { return this.layer.self; }
  get crossAttention(): T5LayerCrossAttention | null { return this.layer.cross; }
  get ff(): T5LayerFF { return this.layer.ff; }

  /** h [B*T, D] -> [B*T, D]; `selfMask` additive, `bias` the stack's position bias [1, H, T, T]. */
  forward(h: Tensor, B: number, T: number, selfMask: Tensor | null, bias: Tensor | null, cross: CrossInput | null, ctx: ForwardCtx): Tensor {
    const rate = this.cfg.dropout_rate;
    const sa = this.layer.self;
    let n = sa.layer_norm.forward(h);
    let a = sa.SelfAttention.forward(n, n, B, T, T, selfMask, bias, ctx);
    a = this.site('self_attention_output', a, ctx);
    let x = tf.add(h, dropout(a, rate, ctx));
    const ca = this.layer.cross;
    if (ca) {
      if (!cross) throw new Error('T5Block: a decoder block needs the encoder output');
      n = ca.layer_norm.forward(x);
      let c = ca.EncDecAttention.forward(n, cross.states, B, T, cross.length, cross.mask, null, ctx);
      c = this.site('cross_attention_output', c, ctx);
      x = tf.add(x, dropout(c, rate, ctx));
    }
    const ff = this.layer.ff;
    let f = ff.DenseReluDense.forward(ff.layer_norm.forward(x), ctx);
    f = this.site('ffn_output', f, ctx);
    return tf.add(x, dropout(f, rate, ctx));
  }
}

/** `layer.0` self-attention, `layer.1` cross-attention (decoder) or FFN, `layer.2` FFN (decoder): HF's numbering. */
export class T5BlockLayers extends Module {
  readonly self: T5LayerSelfAttention;
  readonly cross: T5LayerCrossAttention | null;
  readonly ff: T5LayerFF;
  constructor(cfg: T5Config, isDecoder: boolean, hasRelativeBias: boolean, rng: Rng, opts: T5BuildOptions) {
    super();
    this.self = this.addChild('0', new T5LayerSelfAttention(cfg, hasRelativeBias, rng, opts));
    this.cross = isDecoder ? this.addChild('1', new T5LayerCrossAttention(cfg, rng, opts)) : null;
    this.ff = this.addChild(isDecoder ? '2' : '1', new T5LayerFF(cfg, rng, opts));
  }
}
