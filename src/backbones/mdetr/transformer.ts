// DETR's encoder-decoder transformer as MDETR uses it (models/transformer.py): post-norm layers, ReLU FFN, dropout
// 0.1, no encoder norm (post-norm DETR has none), a decoder LayerNorm. The encoder runs over [image tokens; text
// tokens] with the sine position encoding added to queries and keys (zeros on the text positions); the decoder starts
// from tgt = 0 with the learned query embeddings as query positions, and cross-attends the whole encoder memory.
// Both stacks return every layer's output (the encoder's return_intermediate of UniPT's MDETR; the decoder's
// intermediate outputs for the auxiliary losses). Each layer runs in its own tf.tidy.
// Sites for through-backbone methods: encoder layers `attention_output`, `ffn_output`; decoder layers
// `self_attention_output`, `cross_attention_output`, `ffn_output` (each before its residual add + LayerNorm).
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { ops } from '../../engine/ops/index.js';
import { Module, ModuleList, type ForwardCtx } from '../../nn/module.js';
import { Linear, LayerNorm, dropout } from '../../nn/layers.js';
import { MultiheadAttention, xavierLinear } from './attention.js';

/** PyTorch's LayerNorm eps (DETR never changes it). */
export const DETR_LN_EPS = 1e-5;

export interface TransformerDims { dModel: number; heads: number; ffn: number; dropout: number }

export class EncoderLayer extends Module {
  readonly self_attn: MultiheadAttention;
  readonly linear1: Linear;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  constructor(readonly dims: TransformerDims, rng: Rng) {
    super();
    const { dModel: d, heads, ffn, dropout: p } = dims;
    this.self_attn = this.addChild('self_attn', new MultiheadAttention(d, heads, p, rng));
    this.linear1 = this.addChild('linear1', xavierLinear(d, ffn, rng));
    this.linear2 = this.addChild('linear2', xavierLinear(ffn, d, rng));
    this.norm1 = this.addChild('norm1', new LayerNorm(d, DETR_LN_EPS));
    this.norm2 = this.addChild('norm2', new LayerNorm(d, DETR_LN_EPS));
  }
  override declaredSites(): readonly string[] { return ['attention_output', 'ffn_output']; }

  /** src, pos: [B*S, d]; maskAdd [B, 1, 1, S]. Returns [B*S, d]. */
  forward(src: Tensor, pos: Tensor, B: number, S: number, maskAdd: Tensor, ctx: ForwardCtx): Tensor {
    const p = this.dims.dropout;
    const qk = tf.add(src, pos);
    let a = dropout(this.self_attn.forward(qk, qk, src, B, S, S, maskAdd, ctx), p, ctx);
    a = this.site('attention_output', a, ctx);
    const h = this.norm1.forwardAdd(src, a);
    let f = this.linear2.forward(dropout(ops().relu(this.linear1.forward(h, ctx)), p, ctx), ctx);
    f = this.site('ffn_output', dropout(f, p, ctx), ctx);
    return this.norm2.forwardAdd(h, f);
  }
}

export class DecoderLayer extends Module {
  readonly self_attn: MultiheadAttention;
  readonly cross_attn_image: MultiheadAttention;
  readonly linear1: Linear;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm3: LayerNorm;
  readonly norm4: LayerNorm;
  constructor(readonly dims: TransformerDims, rng: Rng) {
    super();
    const { dModel: d, heads, ffn, dropout: p } = dims;
    this.self_attn = this.addChild('self_attn', new MultiheadAttention(d, heads, p, rng));
    this.cross_attn_image = this.addChild('cross_attn_image', new MultiheadAttention(d, heads, p, rng));
    this.linear1 = this.addChild('linear1', xavierLinear(d, ffn, rng));
    this.linear2 = this.addChild('linear2', xavierLinear(ffn, d, rng));
    // MDETR's names: norm2 belonged to a text cross-attention it comments out
    this.norm1 = this.addChild('norm1', new LayerNorm(d, DETR_LN_EPS));
    this.norm3 = this.addChild('norm3', new LayerNorm(d, DETR_LN_EPS));
    this.norm4 = this.addChild('norm4', new LayerNorm(d, DETR_LN_EPS));
  }
  override declaredSites(): readonly string[] { return ['self_attention_output', 'cross_attention_output', 'ffn_output']; }

  /**
   * tgt, queryPos: [B*Q, d]; memory, pos: [B*S, d]; memMaskAdd [B, 1, 1, S]. Returns [B*Q, d].
   */
  forward(tgt: Tensor, queryPos: Tensor, memory: Tensor, memoryKeys: Tensor, B: number, Q: number, S: number, memMaskAdd: Tensor, ctx: ForwardCtx): Tensor {
    const p = this.dims.dropout;
    const qk = tf.add(tgt, queryPos);
    let a = dropout(this.self_attn.forward(qk, qk, tgt, B, Q, Q, null, ctx), p, ctx);
    a = this.site('self_attention_output', a, ctx);
    const h1 = this.norm1.forwardAdd(tgt, a);
    let c = dropout(this.cross_attn_image.forward(tf.add(h1, queryPos), memoryKeys, memory, B, Q, S, memMaskAdd, ctx), p, ctx);
    c = this.site('cross_attention_output', c, ctx);
    const h2 = this.norm3.forwardAdd(h1, c);
    let f = this.linear2.forward(dropout(ops().relu(this.linear1.forward(h2, ctx)), p, ctx), ctx);
    f = this.site('ffn_output', dropout(f, p, ctx), ctx);
    return this.norm4.forwardAdd(h2, f);
  }
}

export class TransformerEncoder extends Module {
  readonly layers: ModuleList<EncoderLayer>;
  constructor(dims: TransformerDims, n: number, rng: Rng) {
    super();
    this.layers = this.addChild('layers', new ModuleList(Array.from({ length: n }, () => new EncoderLayer(dims, rng))));
  }

  /**
   * src, pos: [B, S, d]; mask [B, S] (1 = valid). Returns [src, out_1 .. out_N], each [B, S, d] (src itself first,
   * not a copy).
   */
  forward(src: Tensor, pos: Tensor, mask: Tensor, ctx: ForwardCtx): Tensor[] {
    const [B, S, d] = src.shape as number[];
    const maskAdd = tf.tidy(() => tf.reshape(tf.mul(tf.sub(1, tf.cast(mask, 'float32')), -1e9), [B, 1, 1, S]));
    const pos2 = tf.reshape(pos, [B * S, d]);
    const states: Tensor[] = [src];
    let h = tf.reshape(src, [B * S, d]);
    for (const layer of this.layers.items) {
      const prev = h;
      h = tf.tidy(() => layer.forward(prev, pos2, B, S, maskAdd, ctx));
      states.push(tf.reshape(h, [B, S, d]));
    }
    maskAdd.dispose();
    return states;
  }
}

export class TransformerDecoder extends Module {
  readonly layers: ModuleList<DecoderLayer>;
  readonly norm: LayerNorm;
  constructor(dims: TransformerDims, n: number, rng: Rng) {
    super();
    this.layers = this.addChild('layers', new ModuleList(Array.from({ length: n }, () => new DecoderLayer(dims, rng))));
    this.norm = this.addChild('norm', new LayerNorm(dims.dModel, DETR_LN_EPS));
  }

  /**
   * queryPos [B, Q, d]; memory, pos [B, S, d]; memoryMask [B, S]. Returns the raw layer outputs [tgt (zeros),
   * hs_1 .. hs_N], each [B, Q, d] (apply `norm` for the heads: DETR norms every intermediate output).
   */
  forward(queryPos: Tensor, memory: Tensor, pos: Tensor, memoryMask: Tensor, ctx: ForwardCtx): Tensor[] {
    const [B, Q, d] = queryPos.shape as number[];
    const S = (memory.shape as number[])[1];
    const maskAdd = tf.tidy(() => tf.reshape(tf.mul(tf.sub(1, tf.cast(memoryMask, 'float32')), -1e9), [B, 1, 1, S]));
    const mem2 = tf.reshape(memory, [B * S, d]);
    const keys = tf.add(mem2, tf.reshape(pos, [B * S, d]));
    const qp = tf.reshape(queryPos, [B * Q, d]);
    const tgt = tf.zeros([B, Q, d]);
    const states: Tensor[] = [tgt];
    let h = tf.reshape(tgt, [B * Q, d]);
    for (const layer of this.layers.items) {
      const prev = h;
      h = tf.tidy(() => layer.forward(prev, qp, mem2, keys, B, Q, S, maskAdd, ctx));
      states.push(tf.reshape(h, [B, Q, d]));
    }
    tf.dispose([maskAdd, keys]);
    return states;
  }
}
