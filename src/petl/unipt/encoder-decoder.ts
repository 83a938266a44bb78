// UniPT for an encoder-decoder language model (T5 on GLUE, reference §2.2 F). No official code exists: this is the
// framework figure's variant (c) built on the MDETR pattern (§2.2 E). Every choice the paper and code do not fix is
// marked [INFERRED] and listed in T5_INFERRED_CHOICES.
// Encoder branch, hidden states [emb, enc_1 .. enc_N] (guide enc_N):
//   F_i = LN(Linear(X_i));  F'_i = (rowL1(ReLU((F_N F_iᵀ) ⊙ encMask), +eps) + I) F_i;  S_E = F_N + ProjE(Σ C_i F'_i)
// Decoder branch, hidden states [emb, dec_1 .. dec_M] (guide dec_M), causal:
//   T_i = LN(Linear(Y_i)) + Crosser_i(rowL1(ReLU((T_i S_Eᵀ) ⊙ encMask)) S_E)          (no identity in the crosser)
//   F'_i = (rowL1(ReLU((F_M T_iᵀ) ⊙ causal)) + I) T_i;  gate on causal running means, one softmax per position
//   S_D = F_M + ProjD(Σ C_i F'_i);   out = LN(Linear(ReLU(S_D))) -> [B, T, d_model], fed to the frozen LM head
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { ModuleDict } from '../../nn/container.js';
import type { Linear } from '../../nn/layers.js';
import { Seq, makeLinear, makeLayerNorm, NO_CTX } from './layers.js';
import { keyMask, causalMask, causalMean, pool, reluL1Attention, type L1Norm } from './interaction.js';
import { parallelInteraction } from './aggregation.js';
import { resolveAblation, mappingSize, range, checkCount, type AblationOptions, type ResolvedAblation } from './options.js';

/** What this variant decides without a published source (printed by the README). */
export const T5_INFERRED_CHOICES: string[] = [
  'Structure: the figure\'s encoder-decoder variant (c) with MDETR\'s parameterisation: Down = Linear+LayerNorm, Proj = Linear(d\',d)-ReLU-Linear(d,d\')-LayerNorm, one shared gate per branch, crosser = Linear(d\',d\')+LayerNorm per decoder layer.',
  'Downsample factor D = 8 (d\' = 96 for T5-base), like LST\'s r = 8 on T5; not published for UniPT.',
  'Layers: every hidden state below the guide interacts on both sides (embeddings output + layers 1..N-1), as the framework figure draws it; MDETR\'s [1,3,5] subset is not carried over.',
  'Guides: the last encoder hidden state (after T5\'s final RMSNorm) and the last decoder hidden state (what the LM head reads).',
  'Decoder interactions are causal: query position t only sees decoder keys 0..t (needed with teacher forcing, otherwise position t reads the target tokens it must predict).',
  'Decoder gate: the guide and layer pools are causal running means, so the layer weights are a softmax per sample and position (a whole-sequence mean would also leak future tokens).',
  'Every decoder interaction layer cross-attends the encoder branch output S_E through the crosser (ReLU-L1 rows over unpadded encoder tokens, no identity); the decoder guide does not (as MDETR).',
  'Encoder pooling and key mask follow MDETR: masked mean over unpadded tokens, keys masked.',
  'Output: LayerNorm(Linear(ReLU(S_D))) at d_model (MDETR\'s final upsample), scaled by the frozen decoder final-norm weight and read by the frozen LM head (d_model^-0.5 rescale for tied embeddings) in place of the decoder output (wired in src/tasks/glue-t5/run.ts).',
  'Init and eps from MDETR: xavier_uniform weights, PyTorch-default biases, LayerNorm eps 1e-5, row-L1 eps 1e-7 added.',
];

export interface EncoderDecoderOptions extends AblationOptions {
  /** Model width (T5-base: 768). */
  dModel: number;
  numEncoderLayers: number;
  numDecoderLayers: number;
  /** D: d' = dModel // D. [INFERRED] default 8. */
  downsampleFactor?: number;
}

export const ENCODER_DECODER_NORM: L1Norm = { eps: 1e-7, mode: 'add' };   // [INFERRED] MDETR's eps
export const ENCODER_DECODER_DEFAULT_D = 8;                                  // [INFERRED] LST's r

export class EncoderDecoderUnipt extends Module {
  readonly variant = 'encoder-decoder';
  readonly mapping: number;
  readonly encoderAblation: ResolvedAblation;
  readonly decoderAblation: ResolvedAblation;
  readonly side_downsample0_encoder: Seq;
  readonly side_downsamples_encoder: ModuleDict<Seq> | null;
  readonly side_projection_encoder: Seq | null;
  readonly side_gate_layer_encoder: Linear | null;
  readonly side_downsample0_decoder: Seq;
  readonly side_downsamples_decoder: ModuleDict<Seq> | null;
  readonly side_projection_decoder: Seq | null;
  readonly side_gate_layer_decoder: Linear | null;
  readonly side_projection_crosser: ModuleDict<Seq> | null;
  readonly side_final_upsample: Seq;

  constructor(readonly opts: EncoderDecoderOptions, rng: Rng) {
    super();
    const D = opts.dModel, Ne = opts.numEncoderLayers, Nd = opts.numDecoderLayers;
    for (const [k, v] of [['numEncoderLayers', Ne], ['numDecoderLayers', Nd]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`unipt encoder-decoder: ${k} must be a positive integer, got ${v}`);
    }
    this.mapping = mappingSize(D, opts.downsampleFactor ?? ENCODER_DECODER_DEFAULT_D, this.variant);
    // [INFERRED] a given layer list applies to both sides (as MDETR's select_layers); the default is all of them
    this.encoderAblation = resolveAblation(opts, { variant: `${this.variant} (encoder)`, defaultIdentity: true, identityPossible: true, defaultLayers: range(Ne), maxIndex: Ne - 1 });
    this.decoderAblation = resolveAblation(opts, { variant: `${this.variant} (decoder)`, defaultIdentity: true, identityPossible: true, defaultLayers: range(Nd), maxIndex: Nd - 1 });
    const d = this.mapping, ea = this.encoderAblation, da = this.decoderAblation;
    // [INFERRED] MDETR's init: xavier_uniform weights, default biases
    const lin = (i: number, o: number, tag: string) => makeLinear(i, o, rng.fork(tag), 'xavier-bias-default');
    const down = (tag: string) => new Seq([lin(D, d, tag), makeLayerNorm(d)]);
    const proj = (tag: string) => new Seq([lin(d, D, `${tag}.0`), 'relu', lin(D, d, `${tag}.2`), makeLayerNorm(d)]);
    const dict = (tag: string, layers: number[], make: (k: number) => Seq) => {
      if (!layers.length) return null;
      const m = this.addChild(tag, new ModuleDict<Seq>());
      layers.forEach((_, k) => m.set(String(k), make(k)));
      return m;
    };
    const gated = (a: ResolvedAblation) => !a.guideOnly && a.aggregation === 'gate';
    this.side_downsample0_encoder = this.addChild('side_downsample0_encoder', down('enc.guide'));
    this.side_downsamples_encoder = dict('side_downsamples_encoder', ea.layers, (k) => down(`enc.${k}`));
    this.side_projection_encoder = ea.guideOnly ? null : this.addChild('side_projection_encoder', proj('enc.proj'));
    this.side_gate_layer_encoder = gated(ea) ? this.addChild('side_gate_layer_encoder', lin(d, 1, 'enc.gate')) : null;
    this.side_downsample0_decoder = this.addChild('side_downsample0_decoder', down('dec.guide'));
    this.side_downsamples_decoder = dict('side_downsamples_decoder', da.layers, (k) => down(`dec.${k}`));
    this.side_projection_decoder = da.guideOnly ? null : this.addChild('side_projection_decoder', proj('dec.proj'));
    this.side_gate_layer_decoder = gated(da) ? this.addChild('side_gate_layer_decoder', lin(d, 1, 'dec.gate')) : null;
    this.side_projection_crosser = dict('side_projection_crosser', da.layers, (k) => new Seq([lin(d, d, `cross.${k}`), makeLayerNorm(d)]));
    // [INFERRED] MDETR's final upsample
    this.side_final_upsample = this.addChild('side_final_upsample', new Seq(['relu', lin(d, D, 'up'), makeLayerNorm(D)]));
  }

  /** encoderStates: [emb, enc_1 .. enc_N], each [B, S, d_model]; encoderMask: [B, S] 1 = valid. Returns S_E [B, S, d']. */
  encode(encoderStates: Tensor[], encoderMask: Tensor | null, ctx: ForwardCtx = NO_CTX): Tensor {
    const N = this.opts.numEncoderLayers, a = this.encoderAblation;
    checkCount('encoder hidden states', encoderStates.length, N + 1, this.variant);
    const guide = this.side_downsample0_encoder.forward(encoderStates[N], ctx);
    if (a.guideOnly) return guide;
    const { fused } = parallelInteraction({
      guide,
      guidePooled: this.side_gate_layer_encoder ? pool(guide, encoderMask) : null,
      layers: a.layers,
      feature: (i) => this.side_downsamples_encoder!.get(String(a.layers.indexOf(i)))!.forward(encoderStates[i], ctx),
      pool: (F) => pool(F, encoderMask),
      interaction: a.interaction, norm: ENCODER_DECODER_NORM, mask: encoderMask ? keyMask(encoderMask) : null,
      residual: a.identity ? { kind: 'identity' } : null,
      aggregation: a.aggregation, gate: this.side_gate_layer_encoder,
    });
    return tf.add(guide, this.side_projection_encoder!.forward(fused, ctx));
  }

  /**
   * decoderStates: [emb, dec_1 .. dec_M], each [B, T, d_model] (teacher-forced); memory: S_E from `encode`.
   * Returns [B, T, d_model].
   */
  decode(decoderStates: Tensor[], memory: Tensor, encoderMask: Tensor | null, ctx: ForwardCtx = NO_CTX): Tensor {
    const M = this.opts.numDecoderLayers, a = this.decoderAblation;
    checkCount('decoder hidden states', decoderStates.length, M + 1, this.variant);
    const guide = this.side_downsample0_decoder.forward(decoderStates[M], ctx);
    if (a.guideOnly) return this.side_final_upsample.forward(guide, ctx);
    const encKeys = encoderMask ? keyMask(encoderMask) : null;
    const { fused } = parallelInteraction({
      guide,
      // [INFERRED] causal running means: the layer weights of position t depend on positions 0..t only
      guidePooled: this.side_gate_layer_decoder ? causalMean(guide) : null,
      layers: a.layers,
      feature: (i) => {
        const k = String(a.layers.indexOf(i));
        const T = this.side_downsamples_decoder!.get(k)!.forward(decoderStates[i], ctx);
        const related = reluL1Attention(T, memory, ENCODER_DECODER_NORM, encKeys, null);
        return tf.add(T, this.side_projection_crosser!.get(k)!.forward(related, ctx));
      },
      pool: (F) => causalMean(F),
      // [INFERRED] causal interaction mask
      interaction: a.interaction, norm: ENCODER_DECODER_NORM, mask: causalMask((guide.shape as number[])[1]),
      residual: a.identity ? { kind: 'identity' } : null,
      aggregation: a.aggregation, gate: this.side_gate_layer_decoder,
    });
    const SD = tf.add(guide, this.side_projection_decoder!.forward(fused, ctx));
    return this.side_final_upsample.forward(SD, ctx);
  }

  forward(inp: { encoderStates: Tensor[]; encoderMask: Tensor | null; decoderStates: Tensor[] }, ctx: ForwardCtx = NO_CTX): Tensor {
    const memory = this.encode(inp.encoderStates, inp.encoderMask, ctx);
    return this.decode(inp.decoderStates, memory, inp.encoderMask, ctx);
  }
}
