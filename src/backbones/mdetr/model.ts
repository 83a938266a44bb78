// MDETR (Kamath et al. 2021; models/mdetr.py, models/transformer.py): a CNN's last stage -> input_proj (1x1 conv to
// d_model) -> image tokens with a sine position encoding; a BERT/RoBERTa text encoder -> FeatureResizer -> text
// tokens; a DETR encoder over [image tokens; text tokens]; a decoder with num_queries learned object queries; heads
// (heads.ts) on every decoder output. The forward pass is split in stages so task code can run each where it
// belongs: `features` (CNN, frozen in every method here), `encode` (text encoder + fusion encoder), `decode`,
// `headOutputs`. Parameter names follow MDETR's state dict (backbone.*, input_proj, query_embed,
// transformer.text_encoder.*, transformer.resizer.*, transformer.encoder.layers.*, transformer.decoder.*), with two
// differences documented in checkpoint.ts: attention in_proj is split into q_proj/k_proj/v_proj, and the heads live
// under `heads.` here (top level in the file).
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { ops } from '../../engine/ops/index.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Embedding } from '../../nn/layers.js';
import type { Param } from '../../nn/param.js';
import * as init from '../../nn/init.js';
import { TextEncoder, type TextEncoderOutput } from '../text/bert.js';
import { ResNet } from '../cnn/resnet.js';
import { ResNetConfigSchema, type ResNetConfig } from '../cnn/config.js';
import { TransformerEncoder, TransformerDecoder, type TransformerDims } from './transformer.js';
import { FeatureResizer, MdetrHeads, type HeadOutput } from './heads.js';
import { sinePositionEncoding, LearnedPositionEncoding } from './position.js';
import type { MdetrConfig } from './config.js';

/** nn.Conv2d(C, d, 1) as a per-pixel linear map: filter [1, 1, C, d] (conv layout), bias [d]. */
export class InputProj extends Module {
  readonly weight: Param;
  readonly bias: Param;
  constructor(readonly inChannels: number, readonly outChannels: number, rng: Rng) {
    super();
    this.weight = this.addParam('weight', init.torchDefaultWeight([1, 1, inChannels, outChannels], inChannels, rng), 'weight', 'conv');
    this.bias = this.addParam('bias', init.torchDefaultBias([outChannels], inChannels, rng), 'bias');
  }
  /** x [..., C] -> [..., d] */
  forward(x: Tensor): Tensor {
    return ops().linear(x, tf.reshape(this.weight.value, [this.inChannels, this.outChannels]), this.bias.value, this.weight.trainable, this.bias.trainable);
  }
}

/** MDETR's `transformer` module: the text encoder, its resizer, and the fusion encoder and decoder. */
export class MdetrTransformer extends Module {
  readonly text_encoder: TextEncoder;
  readonly resizer: FeatureResizer;
  readonly encoder: TransformerEncoder;
  readonly decoder: TransformerDecoder;
  constructor(readonly config: MdetrConfig, seed: number, rng: Rng) {
    super();
    const dims: TransformerDims = { dModel: config.d_model, heads: config.nheads, ffn: config.dim_feedforward, dropout: config.dropout };
    this.encoder = this.addChild('encoder', new TransformerEncoder(dims, config.enc_layers, rng.fork('encoder')));
    this.decoder = this.addChild('decoder', new TransformerDecoder(dims, config.dec_layers, rng.fork('decoder')));
    this.text_encoder = this.addChild('text_encoder', new TextEncoder(config.text_config, seed));
    this.resizer = this.addChild('resizer', new FeatureResizer(config.text_config.hidden_size, config.d_model, 0.1, rng.fork('resizer')));
  }
}

export interface MdetrTextInput {
  /** int32 [B, T] token ids (special tokens included). */
  ids: Tensor;
  /** [B, T] 1 = token, 0 = padding. */
  mask: Tensor;
}

export interface MdetrEncoded {
  /** Encoder input [image tokens; text tokens] then each encoder layer's output: enc_layers + 1 tensors [B, S, d]. */
  states: Tensor[];
  /** [B, S] 1 = valid. */
  mask: Tensor;
  /** [B, S, d] position encoding (zeros on text positions). */
  pos: Tensor;
  /** Image tokens (h * w) at the front of the sequence. */
  imageTokens: number;
  /** Prompt tokens a method prepended inside the text encoder (they sit before the real text tokens). */
  promptTokens: number;
  /** Real text tokens (the expression's encoding), after the prompts. */
  textTokens: number;
}

export class MdetrModel extends Module {
  readonly backbone: ResNet;
  readonly input_proj: InputProj;
  readonly query_embed: Embedding;
  readonly transformer: MdetrTransformer;
  readonly position: LearnedPositionEncoding | null;
  readonly heads: MdetrHeads;
  readonly cnnConfig: ResNetConfig;

  constructor(readonly config: MdetrConfig, seed: number) {
    super();
    const rng = new Rng(seed).fork('mdetr-init');
    const parsed = ResNetConfigSchema.safeParse(config.backbone_config);
    if (!parsed.success) throw new Error(`mdetr: backbone_config is not a valid CNN config: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    this.cnnConfig = parsed.data;
    this.backbone = this.addChild('backbone', new ResNet(this.cnnConfig, seed));
    if (config.feature_stage >= this.backbone.channels.length) throw new Error(`mdetr: feature_stage ${config.feature_stage} but the CNN has ${this.backbone.channels.length} stages`);
    const C = this.backbone.channels[config.feature_stage];
    this.input_proj = this.addChild('input_proj', new InputProj(C, config.d_model, rng.fork('input_proj')));
    // DETR: nn.Embedding default init N(0, 1)
    this.query_embed = this.addChild('query_embed', new Embedding(config.num_queries, config.d_model, rng.fork('query_embed'), 1));
    this.transformer = this.addChild('transformer', new MdetrTransformer(config, seed, rng.fork('transformer')));
    this.position = config.position_embedding === 'learned' ? this.addChild('position', new LearnedPositionEncoding(config.d_model / 2, rng.fork('position'))) : null;
    this.heads = this.addChild('heads', new MdetrHeads(config.d_model, config.num_classes, config.contrastive_align_loss ? config.contrastive_hdim : null, rng.fork('heads')));
  }

  get dModel(): number { return this.config.d_model; }
  get numQueries(): number { return this.config.num_queries; }
  get textEncoder(): TextEncoder { return this.transformer.text_encoder; }
  /** Output stride of the CNN stage MDETR reads (config.feature_stage; MDETR: the last). */
  get featureStride(): number { return this.backbone.strides[this.config.feature_stage]; }

  /**
   * The CNN stage MDETR reads (config.feature_stage; MDETR: the last) [B, h, w, C] for normalised NHWC images (the
   * CNN is frozen in every method: call outside the tape).
   */
  features(images: Tensor, ctx: ForwardCtx): Tensor {
    const out = this.backbone.forward(images, ctx);
    const k = this.config.feature_stage;
    tf.dispose(out.stages.filter((_, i) => i !== k));
    return out.stages[k];
  }

  /**
   * Text encoder + fusion encoder. features: the CNN's last stage [B, h, w, C]; validity: per example h*w (1 = real
   * pixel, 0 = padding) or null when no image is padded.
   */
  encode(features: Tensor, validity: ArrayLike<number>[] | null, text: MdetrTextInput, ctx: ForwardCtx): MdetrEncoded {
    const [B, h, w, C] = features.shape as number[];
    if (C !== this.input_proj.inChannels) throw new Error(`mdetr: image features have ${C} channels, input_proj expects ${this.input_proj.inChannels}`);
    const d = this.dModel, HW = h * w;
    const T = (text.ids.shape as number[])[1];
    const src = this.input_proj.forward(tf.reshape(features, [B, HW, C]));
    const pos = this.position ? this.position.forward(B, h, w) : tf.tensor3d(sinePositionEncoding(B, h, w, d / 2, validity), [B, HW, d]);
    const out: TextEncoderOutput = this.textEncoder.forward({ ids: text.ids, mask: text.mask }, ctx);
    const Tp = (out.last.shape as number[])[1];
    const textTokens = this.transformer.resizer.forward(out.last, ctx);
    tf.dispose(out.hiddenStates.slice(0, -1));
    const imgMask = validity ? tf.tensor2d(Float32Array.from(validity.flatMap((v) => Array.from(v))), [B, HW]) : tf.ones([B, HW]);
    const mask = tf.concat([imgMask, tf.cast(out.mask, 'float32')], 1);
    const srcAll = tf.concat([src, textTokens], 1);
    const posAll = tf.concat([pos, tf.zeros([B, Tp, d])], 1);
    const states = this.transformer.encoder.forward(srcAll, posAll, mask, ctx);
    return { states, mask, pos: posAll, imageTokens: HW, promptTokens: Tp - T, textTokens: T };
  }

  /** Decoder over the last encoder state: raw layer outputs [tgt (zeros), hs_1 .. hs_N], each [B, Q, d]. */
  decode(enc: MdetrEncoded, ctx: ForwardCtx): Tensor[] {
    const memory = enc.states[enc.states.length - 1];
    const B = (memory.shape as number[])[0];
    const qe = tf.tile(tf.expandDims(this.query_embed.weight.value, 0), [B, 1, 1]);
    return this.transformer.decoder.forward(qe, memory, enc.pos, enc.mask, ctx);
  }

  /** The decoder outputs the heads read: every layer's output through the decoder norm, stacked [N, B, Q, d]. */
  normedDecoderOutputs(decoderStates: Tensor[]): Tensor {
    return tf.stack(decoderStates.slice(1).map((hs) => this.transformer.decoder.norm.forward(hs)));
  }

  /** The encoder output's real text positions [B, T, d] (what MDETR's contrastive text projection reads). */
  textMemory(enc: MdetrEncoded): Tensor {
    const last = enc.states[enc.states.length - 1];
    return tf.slice(last, [0, enc.imageTokens + enc.promptTokens, 0], [-1, enc.textTokens, -1]);
  }

  /** Heads on each decoder output of a [L, B, Q, d] stack (auxiliary outputs first, final last). */
  headOutputs(hs: Tensor, ctx: ForwardCtx): HeadOutput[] {
    // tfjs's Unpack gradient breaks on a single output (it is handed the lone dy instead of a list): reshape instead
    const layers = (hs.shape as number[])[0] === 1 ? [tf.reshape(hs, hs.shape.slice(1))] : tf.unstack(hs);
    return layers.map((h) => this.heads.forward(h, ctx));
  }
}

/** A view of MDETR's parameters without the heads (what parameter accounting counts as the pretrained backbone). */
export class MdetrBody extends Module {
  constructor(model: MdetrModel) {
    super();
    this.addChild('backbone', model.backbone);
    this.addChild('input_proj', model.input_proj);
    this.addChild('query_embed', model.query_embed);
    this.addChild('transformer', model.transformer);
    if (model.position) this.addChild('position', model.position);
  }
}
