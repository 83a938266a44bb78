// Ladder Side-Tuning on T5 (Sung et al. 2022; LST's seq2seq/third_party/models/t5/modeling_side_t5.py): a reduced
// T5 (d_model/r, d_kv/r, d_ff/r, the backbone's head count) beside the frozen encoder and decoder. Per stack:
//   h = side_first_downsample(x_emb)                          x_emb: the backbone's dropped-out input embeddings
//   for each kept layer i:  mu_i = sigmoid(alpha_i / T);  h = mu_i h + (1 - mu_i) side_downsamples[i](x_i);
//                           h = side_block[i](h)              x_i: the output of backbone block i
//   h = dropout(final_side_layer_norm(h))
// The first kept side block owns the side stack's relative position table. The side decoder's cross-attention reads
// the side encoder's output (d/r wide) with the source mask. Output: side_final_upsample(h_dec) [replace], or the
// backbone decoder output plus it [add]; the frozen LM head rescales by d_model^-0.5 (tied) as for the backbone.
// Layers: LST keeps [1,2,3,5,6,7,9,10,11] of 12 (drops every 4th from 0), the same rule scaled to other depths.
// Gates: LST allocates one per backbone layer, kept or not (`nn.ParameterList` over num_layers); the dropped ones get
// no gradient but count as parameters, which with everything else gives LST's 3,878,712 trainable at T5-base.
// Differences from LST: x_emb is the backbone's own dropped-out embeddings (LST draws a second dropout mask for the
// side input); the pruning init uses weight magnitudes (LST's t5-base-v2 option) instead of Fisher scores (fisher-v2).
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear, dropout } from '../../nn/layers.js';
import { ModuleDict, ParamDict } from '../../nn/container.js';
import type { Param } from '../../nn/param.js';
import * as init from '../../nn/init.js';
import { T5Block, T5LayerNorm, type CrossInput } from '../../backbones/t5/layers.js';
import { keyMask, causalMask, type T5Model, type T5StackOutput } from '../../backbones/t5/model.js';
import type { T5Config } from '../../backbones/t5/config.js';
import type { T5SideNetwork } from '../../backbones/t5/side.js';
import { resolveLstLayers, type LstConfig } from '../lst/config.js';
import { pruneInitT5Side } from './prune.js';

/** The reduced T5 config of the side blocks. */
export function sideT5Config(backbone: T5Config, r: number): T5Config {
  const d = Math.floor(backbone.d_model / r), kv = Math.floor(backbone.d_kv / r), ff = Math.floor(backbone.d_ff / r);
  if (d < 1 || kv < 1 || ff < 1) {
    throw new Error(`lst: r = ${r} leaves no side width for this T5 (d_model ${backbone.d_model}, d_kv ${backbone.d_kv}, d_ff ${backbone.d_ff} divided by ${r}); use r <= ${Math.min(backbone.d_model, backbone.d_kv, backbone.d_ff)}`);
  }
  return { ...backbone, d_model: d, d_kv: kv, d_ff: ff };
}

export class LstT5SideStack extends Module {
  readonly side_first_downsample: Linear;
  readonly side_downsamples: ModuleDict<Linear>;
  readonly side_block: ModuleDict<T5Block>;
  readonly side_gate_params: ParamDict;
  readonly final_side_layer_norm: T5LayerNorm | null;
  constructor(readonly side: T5Config, readonly backboneWidth: number, numLayers: number, readonly layers: number[], readonly isDecoder: boolean, readonly cfg: LstConfig, rng: Rng) {
    super();
    const D = backboneWidth, d = side.d_model, bias = cfg.add_bias_sampling;
    this.side_first_downsample = this.addChild('side_first_downsample', new Linear(D, d, rng.fork('first'), { bias }));
    this.side_downsamples = this.addChild('side_downsamples', new ModuleDict<Linear>());
    this.side_block = this.addChild('side_block', new ModuleDict<T5Block>());
    this.side_gate_params = this.addChild('side_gate_params', new ParamDict());
    for (let i = 0; i < numLayers; i++) this.side_gate_params.add(String(i), init.constant([1], cfg.gate_alpha), 'weight');
    for (const i of layers) {
      this.side_downsamples.set(String(i), new Linear(D, d, rng.fork(`down${i}`), { bias }));
      this.side_block.set(String(i), new T5Block(side, isDecoder, i === layers[0], rng.fork(`block${i}`), {}));
    }
    this.final_side_layer_norm = cfg.final_layer_norm ? this.addChild('final_side_layer_norm', new T5LayerNorm(d, side.layer_norm_epsilon, false)) : null;
  }

  gate(i: number): Param { return this.side_gate_params.get(String(i))!; }

  /**
   * hidden: the backbone stack's states [x_emb, x_1 .. x_L] ([B, T, D]); mask [B, T] (encoder) or null (decoder,
   * causal); cross: the side encoder output [B, Te, d] with the source mask (decoder). Returns [B, T, d].
   */
  forward(hidden: Tensor[], mask: Tensor | null, ctx: ForwardCtx, cross: { memory: Tensor; mask: Tensor } | null = null): Tensor {
    const L = hidden.length - 1;
    const [B, T, D] = hidden[0].shape as number[];
    if (D !== this.backboneWidth) throw new Error(`lst: hidden states are ${D} wide, the side network expects ${this.backboneWidth}`);
    const d = this.side.d_model;
    const first = this.side_block.get(String(this.layers[0]))!;
    const bias = first.selfAttention.SelfAttention.positionBias(T, T, !this.isDecoder);
    const selfMask = this.isDecoder ? causalMask(T) : keyMask(mask!);
    let crossIn: CrossInput | null = null;
    if (this.isDecoder) {
      if (!cross) throw new Error('lst: the side decoder needs the side encoder output');
      const Te = (cross.memory.shape as number[])[1];
      crossIn = { states: tf.reshape(cross.memory, [B * Te, d]), length: Te, mask: keyMask(cross.mask) };
    }
    const T0 = this.cfg.gate_T;
    let h = this.side_first_downsample.forward(tf.reshape(hidden[0], [B * T, D]), ctx);
    for (const i of this.layers) {
      if (i >= L) throw new Error(`lst: side layer ${i} needs backbone block ${i}, but only ${L} hidden states past the embeddings were given`);
      const prev = h;
      h = tf.tidy(() => {
        const mu = tf.sigmoid(tf.div(this.gate(i).value, T0));
        const x = this.side_downsamples.get(String(i))!.forward(tf.reshape(hidden[i + 1], [B * T, D]), ctx);
        const mixed = tf.add(tf.mul(mu, prev), tf.mul(tf.sub(1, mu), x));
        return this.side_block.get(String(i))!.forward(mixed, B, T, selfMask, bias, crossIn, ctx);
      });
    }
    if (this.final_side_layer_norm) h = this.final_side_layer_norm.forward(h);
    h = dropout(h, this.side.dropout_rate, ctx);
    tf.dispose([bias, selfMask]);
    if (crossIn) crossIn.mask.dispose();
    return tf.reshape(h, [B, T, d]);
  }
}

export class LstT5Side extends Module implements T5SideNetwork {
  readonly name = 'lst';
  readonly encoder: LstT5SideStack;
  readonly decoder: LstT5SideStack;
  readonly side_final_upsample: Linear;
  readonly side: T5Config;
  readonly encoderLayers: number[];
  readonly decoderLayers: number[];

  constructor(readonly backbone: T5Model, readonly cfg: LstConfig, rng: Rng) {
    super();
    const bc = backbone.config;
    this.side = sideT5Config(bc, cfg.r);
    this.encoderLayers = resolveLstLayers(cfg.layers, backbone.encoder.numLayers);
    this.decoderLayers = resolveLstLayers(cfg.layers, backbone.decoder.numLayers);
    this.encoder = this.addChild('encoder', new LstT5SideStack(this.side, bc.d_model, backbone.encoder.numLayers, this.encoderLayers, false, cfg, rng.fork('lst:encoder')));
    this.decoder = this.addChild('decoder', new LstT5SideStack(this.side, bc.d_model, backbone.decoder.numLayers, this.decoderLayers, true, cfg, rng.fork('lst:decoder')));
    this.side_final_upsample = this.addChild('side_final_upsample', new Linear(this.side.d_model, bc.d_model, rng.fork('lst:up'), { bias: cfg.add_bias_sampling }));
    if (cfg.init === 'prune-magnitude') pruneInitT5Side(backbone, this);
  }

  get module(): Module { return this; }

  encode(enc: T5StackOutput, ctx: ForwardCtx): Tensor {
    return this.encoder.forward(enc.hiddenStates, enc.mask, ctx);
  }

  decode(dec: T5StackOutput, memory: Tensor, encoderMask: Tensor, ctx: ForwardCtx): Tensor {
    const h = this.decoder.forward(dec.hiddenStates, null, ctx, { memory, mask: encoderMask });
    const up = this.side_final_upsample.forward(h, ctx);
    return this.cfg.output === 'add' ? tf.add(dec.last, up) : up;
  }
}
