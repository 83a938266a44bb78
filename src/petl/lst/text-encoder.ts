// Ladder Side-Tuning (Sung et al. 2022) for a BERT-style encoder. The side network is a reduced BERT stack
// (hidden d/r, FFN ff/r) that reads the frozen backbone's hidden states, computed outside the gradient tape:
//   h = side_first_downsample(x_emb)
//   for each kept layer i:  mu_i = sigmoid(alpha_i / T);  h = mu_i h + (1 - mu_i) side_downsamples[i](x_i);
//                           h = side_block[i](h)
//   out = side_final_upsample(LayerNorm(h))      [replace]   or   x_L + side_final_upsample(LayerNorm(h))   [add]
// where x_emb is the embeddings output and x_i the output of backbone layer i (LST's add_residual_after = false).
// Heads: the side blocks keep the backbone's head count when it divides d/r (BERT-base, r=8: 12 heads of 8), else the
// largest count below it that does (e.g. d/r = 4 with 3 heads -> 2 heads).
// Gates exist only for kept layers (LST allocates one per backbone layer and leaves the dropped ones unused).
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear, LayerNorm } from '../../nn/layers.js';
import { ModuleDict, ParamDict } from '../../nn/container.js';
import type { Param } from '../../nn/param.js';
import * as init from '../../nn/init.js';
import { BertLayer, type TextEncoder } from '../../backbones/text/bert.js';
import type { TextEncoderConfig } from '../../backbones/text/config.js';
import { resolveLstLayers, type LstConfig } from './config.js';
import { pruneInitSideBlocks, type ChannelPlan } from './prune.js';

/** Largest head count <= `heads` that divides `width`. */
export function sideHeads(width: number, heads: number): number {
  for (let h = Math.min(heads, width); h >= 1; h--) if (width % h === 0) return h;
  return 1;
}

/** The reduced BERT config of the side blocks. */
export function sideConfig(backbone: TextEncoderConfig, r: number): TextEncoderConfig {
  const hidden = Math.floor(backbone.hidden_size / r);
  const inter = Math.floor(backbone.intermediate_size / r);
  if (hidden < 1 || inter < 1) {
    throw new Error(`lst: r = ${r} leaves no side width (hidden ${backbone.hidden_size}/${r}, intermediate ${backbone.intermediate_size}/${r}); use r <= ${Math.min(backbone.hidden_size, backbone.intermediate_size)}`);
  }
  return { ...backbone, hidden_size: hidden, intermediate_size: inter, num_attention_heads: sideHeads(hidden, backbone.num_attention_heads) };
}

export class TextLadderSide extends Module {
  readonly side_first_downsample: Linear;
  readonly side_downsamples: ModuleDict<Linear>;
  readonly side_block: ModuleDict<BertLayer>;
  readonly side_gate_params: ParamDict;
  readonly side_final_layer_norm: LayerNorm | null;
  readonly side_final_upsample: Linear;
  readonly layers: number[];
  readonly side: TextEncoderConfig;
  /** Channels kept by the pruning init (null for 'random'). */
  readonly plan: ChannelPlan | null;

  constructor(readonly backbone: TextEncoder, readonly cfg: LstConfig, rng: Rng) {
    super();
    const bc = backbone.config;
    const H = bc.hidden_size;
    this.side = sideConfig(bc, cfg.r);
    this.layers = resolveLstLayers(cfg.layers, bc.num_hidden_layers);
    const d = this.side.hidden_size;
    const bias = cfg.add_bias_sampling;
    this.side_first_downsample = this.addChild('side_first_downsample', new Linear(H, d, rng.fork('lst:first'), { bias }));
    this.side_downsamples = this.addChild('side_downsamples', new ModuleDict<Linear>());
    this.side_block = this.addChild('side_block', new ModuleDict<BertLayer>());
    this.side_gate_params = this.addChild('side_gate_params', new ParamDict());
    for (const i of this.layers) {
      this.side_downsamples.set(String(i), new Linear(H, d, rng.fork(`lst:down${i}`), { bias }));
      this.side_block.set(String(i), new BertLayer(this.side, rng.fork(`lst:block${i}`)));
      this.side_gate_params.add(String(i), init.constant([1], cfg.gate_alpha), 'weight');
    }
    this.side_final_layer_norm = cfg.final_layer_norm ? this.addChild('side_final_layer_norm', new LayerNorm(d, bc.layer_norm_eps)) : null;
    this.side_final_upsample = this.addChild('side_final_upsample', new Linear(d, H, rng.fork('lst:up'), { bias }));
    this.plan = cfg.init === 'prune-magnitude'
      ? pruneInitSideBlocks(backbone, new Map(this.layers.map((i) => [i, this.side_block.get(String(i))!])), d, this.side.intermediate_size)
      : null;
  }

  /** The module the trainer optimises (this network; TextSideNetwork shape). */
  get module(): Module { return this; }

  gate(i: number): Param { return this.side_gate_params.get(String(i))!; }

  /**
   * hiddenStates: the backbone's embeddings output then each layer's output ([B, T, H] each, plain tensors computed
   * outside the tape); mask: [B, T] (1 = token). Returns [B, T, H].
   */
  forward(hiddenStates: Tensor[], mask: Tensor, ctx: ForwardCtx): Tensor {
    const L = this.backbone.config.num_hidden_layers;
    if (hiddenStates.length !== L + 1) {
      throw new Error(`lst: expected ${L + 1} hidden states (embeddings + ${L} layers), got ${hiddenStates.length}`);
    }
    const [B, T, H] = hiddenStates[0].shape as number[];
    const flat = (x: Tensor) => tf.reshape(x, [B * T, H]);
    const maskAdd = tf.tidy(() => tf.reshape(tf.mul(tf.sub(1, tf.cast(mask, 'float32')), -1e9), [B, 1, 1, T]));
    let h = tf.tidy(() => this.side_first_downsample.forward(flat(hiddenStates[0]), ctx));
    for (const i of this.layers) {
      const prev = h;
      h = tf.tidy(() => {
        const mu = tf.sigmoid(tf.div(this.gate(i).value, this.cfg.gate_T));
        const down = this.side_downsamples.get(String(i))!.forward(flat(hiddenStates[i + 1]), ctx);
        const mixed = tf.add(tf.mul(mu, prev), tf.mul(tf.sub(1, mu), down));
        return this.side_block.get(String(i))!.forward(mixed, B, T, maskAdd, ctx);
      });
    }
    maskAdd.dispose();
    return tf.tidy(() => {
      const normed = this.side_final_layer_norm ? this.side_final_layer_norm.forward(h) : h;
      const up = tf.reshape(this.side_final_upsample.forward(normed, ctx), [B, T, H]);
      return this.cfg.output === 'add' ? tf.add(hiddenStates[L], up) : up;
    });
  }
}

/** Builds LST on a text encoder and freezes the encoder (only side parameters train). */
export function buildTextLst(encoder: TextEncoder, config: LstConfig, rng: Rng): TextLadderSide {
  encoder.setTrainable(false);
  return new TextLadderSide(encoder, config, rng);
}
