// UniPT for MDETR's encoder-decoder transformer (reference §2.2 E; official side modules of `Transformer` in
// MDETR/models/transformer.py). d' = d_model // D; the same layer subset (default [1, 3, 5]) on both sides.
// Encoder branch, hidden states [src, enc_1 .. enc_N] (guide enc_N):
//   F_N = LN(Linear(enc_N));  F_k = LN(Linear(X_k));  interaction with the encoder key mask, + I, l1 eps +1e-7
//   S_E = F_N + LN(Linear(ReLU(Linear(Σ C_k F'_k))))         "side_img_memory" [B, S, d']
// Decoder branch, hidden states [tgt (zeros), hs_1 .. hs_N] (guide hs_N), no mask, plain means:
//   T_k = LN(Linear(hs_k));  T_k += Crosser_k(rowL1(ReLU((T_k S_Eᵀ) ⊙ encMask)) S_E)    (no identity there)
//   F'_k = (rowL1(ReLU(F_N T_kᵀ)) + I) T_k;   S_D = F_N + ProjD(Σ C_k F'_k)
//   out = LN(Linear(ReLU(stack[T_k..., S_D])))   -> [n+1, B, Q, d_model] (auxiliary decoder outputs + final)
// Init: xavier_uniform on every weight matrix, PyTorch-default biases, LayerNorm (1, 0).
// The ablation `interaction` switch acts on the guide interactions; the crosser stays as in the official code.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { ModuleDict } from '../../nn/container.js';
import type { Linear } from '../../nn/layers.js';
import { Seq, makeLinear, makeLayerNorm, NO_CTX } from './layers.js';
import { keyMask, pool, reluL1Attention, type L1Norm } from './interaction.js';
import { parallelInteraction } from './aggregation.js';
import { resolveAblation, mappingSize, range, checkCount, type AblationOptions, type ResolvedAblation } from './options.js';

export interface MdetrOptions extends AblationOptions {
  /** Transformer width (256). */
  dModel: number;
  /** Encoder and decoder depth (6): N + 1 hidden states per side. */
  numLayers: number;
  /** D: d' = dModel // D (default 2). */
  downsampleFactor?: number;
}

export const MDETR_NORM: L1Norm = { eps: 1e-7, mode: 'add' };
export const MDETR_DEFAULT_LAYERS = [1, 3, 5];

export interface MdetrOutput {
  /** S_E, the encoder side memory [B, S, d']. */
  memory: Tensor;
  /** FinalUp(stack[T_k..., S_D]): [layers + 1, B, Q, d_model] (guideOnly: [1, B, Q, d_model]). */
  decoder: Tensor;
}

export class MdetrUnipt extends Module {
  readonly variant = 'mdetr';
  readonly mapping: number;
  readonly ablation: ResolvedAblation;
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

  constructor(readonly opts: MdetrOptions, rng: Rng) {
    super();
    const D = opts.dModel, N = opts.numLayers;
    if (!Number.isInteger(N) || N < 1) throw new Error(`unipt mdetr: numLayers must be a positive integer, got ${N}`);
    this.mapping = mappingSize(D, opts.downsampleFactor ?? 2, this.variant);
    const defaults = MDETR_DEFAULT_LAYERS.every((i) => i < N) ? MDETR_DEFAULT_LAYERS : range(N);
    this.ablation = resolveAblation(opts, { variant: this.variant, defaultIdentity: true, identityPossible: true, defaultLayers: defaults, maxIndex: N - 1 });
    const d = this.mapping, a = this.ablation;
    const lin = (i: number, o: number, tag: string) => makeLinear(i, o, rng.fork(tag), 'xavier-bias-default');
    const down = (tag: string) => new Seq([lin(D, d, tag), makeLayerNorm(d)]);
    const proj = (tag: string) => new Seq([lin(d, D, `${tag}.0`), 'relu', lin(D, d, `${tag}.2`), makeLayerNorm(d)]);
    const gate = (tag: string) => (a.guideOnly || a.aggregation !== 'gate' ? null : this.addChild(tag, lin(d, 1, tag)));
    const dict = (tag: string, make: (k: number) => Seq) => {
      if (a.guideOnly) return null;
      const m = this.addChild(tag, new ModuleDict<Seq>());
      a.layers.forEach((_, k) => m.set(String(k), make(k)));
      return m;
    };
    this.side_downsample0_encoder = this.addChild('side_downsample0_encoder', down('enc.guide'));
    this.side_downsamples_encoder = dict('side_downsamples_encoder', (k) => down(`enc.${k}`));
    this.side_projection_encoder = a.guideOnly ? null : this.addChild('side_projection_encoder', proj('enc.proj'));
    this.side_gate_layer_encoder = gate('side_gate_layer_encoder');
    this.side_downsample0_decoder = this.addChild('side_downsample0_decoder', down('dec.guide'));
    this.side_downsamples_decoder = dict('side_downsamples_decoder', (k) => down(`dec.${k}`));
    this.side_projection_decoder = a.guideOnly ? null : this.addChild('side_projection_decoder', proj('dec.proj'));
    this.side_gate_layer_decoder = gate('side_gate_layer_decoder');
    this.side_projection_crosser = dict('side_projection_crosser', (k) => new Seq([lin(d, d, `cross.${k}`), makeLayerNorm(d)]));
    this.side_final_upsample = this.addChild('side_final_upsample', new Seq(['relu', lin(d, D, 'up'), makeLayerNorm(D)]));
  }

  /** encoderStates: [src, enc_1 .. enc_N], each [B, S, d_model]; encoderMask: [B, S] 1 = valid. Returns S_E [B, S, d']. */
  encode(encoderStates: Tensor[], encoderMask: Tensor | null, ctx: ForwardCtx = NO_CTX): Tensor {
    const N = this.opts.numLayers, a = this.ablation;
    checkCount('encoder hidden states', encoderStates.length, N + 1, this.variant);
    const guide = this.side_downsample0_encoder.forward(encoderStates[N], ctx);
    if (a.guideOnly) return guide;
    const { fused } = parallelInteraction({
      guide,
      guidePooled: this.side_gate_layer_encoder ? pool(guide, encoderMask) : null,
      layers: a.layers,
      feature: (i) => this.side_downsamples_encoder!.get(String(a.layers.indexOf(i)))!.forward(encoderStates[i], ctx),
      pool: (F) => pool(F, encoderMask),
      interaction: a.interaction, norm: MDETR_NORM, mask: encoderMask ? keyMask(encoderMask) : null,
      residual: a.identity ? { kind: 'identity' } : null,
      aggregation: a.aggregation, gate: this.side_gate_layer_encoder,
    });
    return tf.add(guide, this.side_projection_encoder!.forward(fused, ctx));
  }

  /**
   * decoderStates: [tgt, hs_1 .. hs_N], each [B, Q, d_model]; memory: S_E from `encode`; encoderMask as there.
   * Returns [layers + 1, B, Q, d_model].
   */
  decode(decoderStates: Tensor[], memory: Tensor, encoderMask: Tensor | null, ctx: ForwardCtx = NO_CTX): Tensor {
    const N = this.opts.numLayers, a = this.ablation;
    checkCount('decoder hidden states', decoderStates.length, N + 1, this.variant);
    const guide = this.side_downsample0_decoder.forward(decoderStates[N], ctx);
    if (a.guideOnly) return this.side_final_upsample.forward(tf.expandDims(guide, 0), ctx);
    const encKeys = encoderMask ? keyMask(encoderMask) : null;
    const { fused, features } = parallelInteraction({
      guide,
      guidePooled: this.side_gate_layer_decoder ? pool(guide, null) : null,
      layers: a.layers,
      feature: (i) => {
        const k = String(a.layers.indexOf(i));
        const T = this.side_downsamples_decoder!.get(k)!.forward(decoderStates[i], ctx);
        const related = reluL1Attention(T, memory, MDETR_NORM, encKeys, null);
        return tf.add(T, this.side_projection_crosser!.get(k)!.forward(related, ctx));
      },
      pool: (F) => pool(F, null),
      interaction: a.interaction, norm: MDETR_NORM, mask: null,
      residual: a.identity ? { kind: 'identity' } : null,
      aggregation: a.aggregation, gate: this.side_gate_layer_decoder,
      keepFeatures: true,
    });
    const SD = tf.add(guide, this.side_projection_decoder!.forward(fused, ctx));
    return this.side_final_upsample.forward(tf.stack([...features, SD]), ctx);
  }

  forward(inp: { encoderStates: Tensor[]; encoderMask: Tensor | null; decoderStates: Tensor[] }, ctx: ForwardCtx = NO_CTX): MdetrOutput {
    const memory = this.encode(inp.encoderStates, inp.encoderMask, ctx);
    return { memory, decoder: this.decode(inp.decoderStates, memory, inp.encoderMask, ctx) };
  }
}
