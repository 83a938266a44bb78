// Ladder Side-Tuning on MDETR. No official port exists (UniPT compares against an LST on MDETR it did not release),
// so this is a design in LST's spirit for DETR's encoder-decoder, built like LST on T5 (src/petl/lst-t5); every
// choice LST's code does not fix is marked [INFERRED] and listed in LST_MDETR_INFERRED_CHOICES.
// Side encoder, over the fusion encoder's S tokens [image; text] at width d' = d/r:
//   h = side_first_downsample(src)                             src: the fusion encoder's input
//   kept layer i: mu_i = sigmoid(alpha_i / T); h = mu_i h + (1 - mu_i) side_downsamples[i](enc_{i+1}); h = block_i(h)
// Side decoder, over the Q queries:
//   t = 0 (MDETR's tgt); kept layer j: t = mu_j t + (1 - mu_j) side_downsamples[j](hs_{j+1}); t = block_j(t, memory = h)
//   each kept decoder layer's t -> side_decoder_norm -> side_final_upsample: one decoder output for the heads
// Blocks are DETR's post-norm layers at d', ff/r, the backbone's head count when it divides d' (else the largest
// that does). Positions: the image position encoding and the query embeddings reach the side blocks through their own
// down-projections (side_pos_downsample, side_query_downsample).
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear, LayerNorm } from '../../nn/layers.js';
import { ModuleDict, ParamDict } from '../../nn/container.js';
import type { Param } from '../../nn/param.js';
import * as init from '../../nn/init.js';
import { EncoderLayer, DecoderLayer, DETR_LN_EPS, type TransformerDims } from '../../backbones/mdetr/transformer.js';
import type { MdetrConfig } from '../../backbones/mdetr/config.js';
import { resolveLstLayers, type LstConfig } from '../lst/config.js';
import { sideHeads } from '../lst/text-encoder.js';

export const LST_MDETR_INFERRED_CHOICES: string[] = [
  'Side network: a reduced DETR encoder and decoder (d/r, dim_feedforward/r, post-norm layers as MDETR), like LST\'s reduced T5; the side decoder cross-attends the side encoder\'s output (as LST\'s side T5 decoder reads the side encoder).',
  'Ladders: the side encoder starts from the down-projected fusion-encoder input [image tokens; text tokens]; kept encoder layer i mixes in the down-projected output of encoder layer i; kept decoder layer j the down-projected output of decoder layer j (raw, before the decoder norm). Gates sigmoid(alpha/T), alpha_0 = 0, T = 0.1, as LST.',
  'The side decoder starts from zeros (MDETR\'s tgt = 0), not from a down-projected input.',
  'Positions: the backbone\'s image position encoding (zeros on text) and its query embeddings are down-projected by two bias-free linears (side_pos_downsample, side_query_downsample) and added to queries/keys as DETR adds them.',
  'Layer dropping: LST\'s rule (keep i with i mod 4 != 0) on both stacks: 6 layers -> [1, 2, 3, 5], 4 -> [1, 2, 3].',
  'Outputs: every kept side-decoder layer gives a decoder output (through a shared LayerNorm, like DETR\'s decoder norm, unless final_layer_norm is false, and the shared side_final_upsample to d), so the heads get auxiliary outputs and the final one as with UniPT\'s four stacked outputs.',
  'The last decoder layer\'s ladder reads that layer\'s output after the decoder norm (the state the heads read, as the side input hands it to UniPT); the other ladders read raw layer outputs.',
  'The pruning init follows LST\'s pruning_v2 by weight magnitude (as LST on T5 here): the encoder chain is seeded by the columns of input_proj and the resizer, the decoder chain by the query embeddings\' columns, and decoder cross-attention keys/values read the encoder chain\'s last selection.',
];

export function sideMdetrDims(c: MdetrConfig, r: number): TransformerDims {
  const d = Math.floor(c.d_model / r), ff = Math.floor(c.dim_feedforward / r);
  if (d < 1 || ff < 1) throw new Error(`lst: r = ${r} leaves no side width for MDETR (d_model ${c.d_model}, dim_feedforward ${c.dim_feedforward}); use r <= ${Math.min(c.d_model, c.dim_feedforward)}`);
  return { dModel: d, heads: sideHeads(d, c.nheads), ffn: ff, dropout: c.dropout };
}

export interface LstMdetrInput {
  encoderStates: Tensor[];
  encoderMask: Tensor;
  pos: Tensor;
  /** [tgt, hs_1 .. hs_N] (hs_N after the decoder norm, as UniPT's MDETR hands it over). */
  decoderStates: Tensor[];
  queryEmbed: Tensor;
}

export class LstMdetrSide extends Module {
  readonly side_first_downsample: Linear;
  readonly side_pos_downsample: Linear;
  readonly side_query_downsample: Linear;
  readonly side_downsamples_encoder: ModuleDict<Linear>;
  readonly side_downsamples_decoder: ModuleDict<Linear>;
  readonly side_encoder: ModuleDict<EncoderLayer>;
  readonly side_decoder: ModuleDict<DecoderLayer>;
  readonly side_gate_params_encoder: ParamDict;
  readonly side_gate_params_decoder: ParamDict;
  readonly side_decoder_norm: LayerNorm | null;
  readonly side_final_upsample: Linear;
  readonly encoderLayers: number[];
  readonly decoderLayers: number[];
  readonly dims: TransformerDims;

  constructor(readonly backbone: MdetrConfig, readonly cfg: LstConfig, rng: Rng) {
    super();
    const D = backbone.d_model;
    this.dims = sideMdetrDims(backbone, cfg.r);
    const d = this.dims.dModel, bias = cfg.add_bias_sampling;
    this.encoderLayers = resolveLstLayers(cfg.layers, backbone.enc_layers);
    this.decoderLayers = resolveLstLayers(cfg.layers, backbone.dec_layers);
    this.side_first_downsample = this.addChild('side_first_downsample', new Linear(D, d, rng.fork('first'), { bias }));
    this.side_pos_downsample = this.addChild('side_pos_downsample', new Linear(D, d, rng.fork('pos'), { bias: false }));
    this.side_query_downsample = this.addChild('side_query_downsample', new Linear(D, d, rng.fork('query'), { bias: false }));
    this.side_downsamples_encoder = this.addChild('side_downsamples_encoder', new ModuleDict<Linear>());
    this.side_downsamples_decoder = this.addChild('side_downsamples_decoder', new ModuleDict<Linear>());
    this.side_encoder = this.addChild('side_encoder', new ModuleDict<EncoderLayer>());
    this.side_decoder = this.addChild('side_decoder', new ModuleDict<DecoderLayer>());
    this.side_gate_params_encoder = this.addChild('side_gate_params_encoder', new ParamDict());
    this.side_gate_params_decoder = this.addChild('side_gate_params_decoder', new ParamDict());
    for (const i of this.encoderLayers) {
      this.side_downsamples_encoder.set(String(i), new Linear(D, d, rng.fork(`enc.down${i}`), { bias }));
      this.side_encoder.set(String(i), new EncoderLayer(this.dims, rng.fork(`enc.block${i}`)));
      this.side_gate_params_encoder.add(String(i), init.constant([1], cfg.gate_alpha), 'weight');
    }
    for (const j of this.decoderLayers) {
      this.side_downsamples_decoder.set(String(j), new Linear(D, d, rng.fork(`dec.down${j}`), { bias }));
      this.side_decoder.set(String(j), new DecoderLayer(this.dims, rng.fork(`dec.block${j}`)));
      this.side_gate_params_decoder.add(String(j), init.constant([1], cfg.gate_alpha), 'weight');
    }
    this.side_decoder_norm = cfg.final_layer_norm ? this.addChild('side_decoder_norm', new LayerNorm(d, DETR_LN_EPS)) : null;
    this.side_final_upsample = this.addChild('side_final_upsample', new Linear(d, D, rng.fork('up'), { bias }));
  }

  gate(kind: 'encoder' | 'decoder', i: number): Param {
    return (kind === 'encoder' ? this.side_gate_params_encoder : this.side_gate_params_decoder).get(String(i))!;
  }

  private mix(prev: Tensor, ladder: Tensor, gate: Param): Tensor {
    const mu = tf.sigmoid(tf.div(gate.value, this.cfg.gate_T));
    return tf.add(tf.mul(mu, prev), tf.mul(tf.sub(1, mu), ladder));
  }

  /** Returns [kept decoder layers, B, Q, d_model]. */
  forward(inp: LstMdetrInput, ctx: ForwardCtx): Tensor {
    const Ne = this.backbone.enc_layers, Nd = this.backbone.dec_layers;
    if (inp.encoderStates.length !== Ne + 1) throw new Error(`lst mdetr: expected ${Ne + 1} encoder states (input + ${Ne} layers), got ${inp.encoderStates.length}`);
    if (inp.decoderStates.length !== Nd + 1) throw new Error(`lst mdetr: expected ${Nd + 1} decoder states (tgt + ${Nd} layers), got ${inp.decoderStates.length}`);
    const [B, S, D] = inp.encoderStates[0].shape as number[];
    const Q = (inp.queryEmbed.shape as number[])[0];
    const d = this.dims.dModel;
    const flatS = (x: Tensor) => tf.reshape(x, [B * S, D]);
    const flatQ = (x: Tensor) => tf.reshape(x, [B * Q, D]);
    const maskAdd = tf.tidy(() => tf.reshape(tf.mul(tf.sub(1, tf.cast(inp.encoderMask, 'float32')), -1e9), [B, 1, 1, S]));
    const pos = this.side_pos_downsample.forward(flatS(inp.pos), ctx);
    let h = this.side_first_downsample.forward(flatS(inp.encoderStates[0]), ctx);
    for (const i of this.encoderLayers) {
      const prev = h;
      h = tf.tidy(() => this.side_encoder.get(String(i))!.forward(
        this.mix(prev, this.side_downsamples_encoder.get(String(i))!.forward(flatS(inp.encoderStates[i + 1]), ctx), this.gate('encoder', i)), pos, B, S, maskAdd, ctx));
    }
    const keys = tf.add(h, pos);
    const qpos = tf.reshape(tf.tile(tf.expandDims(this.side_query_downsample.forward(inp.queryEmbed, ctx), 0), [B, 1, 1]), [B * Q, d]);
    let t: Tensor = tf.zeros([B * Q, d]);
    const outs: Tensor[] = [];
    for (const j of this.decoderLayers) {
      const prev = t;
      t = tf.tidy(() => this.side_decoder.get(String(j))!.forward(
        this.mix(prev, this.side_downsamples_decoder.get(String(j))!.forward(flatQ(inp.decoderStates[j + 1]), ctx), this.gate('decoder', j)), qpos, h, keys, B, Q, S, maskAdd, ctx));
      const normed = this.side_decoder_norm ? this.side_decoder_norm.forward(t) : t;
      outs.push(tf.reshape(this.side_final_upsample.forward(normed, ctx), [B, Q, D]));
    }
    maskAdd.dispose();
    return tf.stack(outs);
  }
}
