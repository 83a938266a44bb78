// UniPT for a transformer encoder, as the VSE∞ text branch (reference §2.2 A; official class
// `Our_tuning_for_transformer` in VSE-infty/lib/adapter_for_transformer.py). The same module serves BERT-style
// encoders on GLUE. Hidden states X_0..X_N (X_N = guide), each [B, L, H_i]:
//   F_i = LN(Linear(X_i))   (d' = embed // D)     g = masked mean of F_N
//   F'_i = (rowL1(ReLU((F_N F_iᵀ) ⊙ mask), +1e-8) + I) F_i    for i in layers (default 0..N-1)
//   F^c = F_N + LN(Linear(Σ C_i F'_i))             out = Linear(ReLU(F^c)) -> [B, L, embed]
// Parameter names mirror the official state dict: downsample_layers.<i>.{0,1}, projection_layer.{0,1},
// upsample_layer.1, gate_layer.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { ModuleDict } from '../../nn/container.js';
import type { Linear } from '../../nn/layers.js';
import { Seq, makeLinear, makeLayerNorm, NO_CTX } from './layers.js';
import { keyMask, pool, type L1Norm } from './interaction.js';
import { parallelInteraction } from './aggregation.js';
import { resolveAblation, mappingSize, range, checkCount, type AblationOptions, type ResolvedAblation } from './options.js';

export interface VseTextOptions extends AblationOptions {
  /** Width of each hidden state X_0..X_N (the last one is the guide). */
  hiddenSizes: number[];
  /** Output width (VSE∞: 1024; on GLUE the head's input width). */
  embedSize: number;
  /** D: d' = embedSize // D (default 2). */
  downsampleFactor?: number;
}

export const VSE_TEXT_NORM: L1Norm = { eps: 1e-8, mode: 'add' };

export class VseTextUnipt extends Module {
  readonly variant = 'vse-text';
  readonly mapping: number;
  readonly ablation: ResolvedAblation;
  readonly downsample_layers: ModuleDict<Seq>;
  readonly projection_layer: Seq | null;
  readonly upsample_layer: Seq;
  readonly gate_layer: Linear | null;

  constructor(readonly opts: VseTextOptions, rng: Rng) {
    super();
    const n = opts.hiddenSizes.length;
    if (n < 1) throw new Error('unipt vse-text: hiddenSizes is empty; give the width of every hidden state (the last is the guide)');
    const N = n - 1;
    this.mapping = mappingSize(opts.embedSize, opts.downsampleFactor ?? 2, this.variant);
    this.ablation = resolveAblation(opts, { variant: this.variant, defaultIdentity: true, identityPossible: true, defaultLayers: range(N), maxIndex: N - 1 });
    const d = this.mapping;
    this.downsample_layers = this.addChild('downsample_layers', new ModuleDict<Seq>());
    for (const i of [...this.ablation.layers, N]) {
      this.downsample_layers.set(String(i), new Seq([makeLinear(opts.hiddenSizes[i], d, rng.fork(`down.${i}`), 'torch-default'), makeLayerNorm(d)]));
    }
    this.projection_layer = this.ablation.guideOnly ? null
      : this.addChild('projection_layer', new Seq([makeLinear(d, d, rng.fork('proj'), 'torch-default'), makeLayerNorm(d)]));
    this.upsample_layer = this.addChild('upsample_layer', new Seq(['relu', makeLinear(d, opts.embedSize, rng.fork('up'), 'torch-default')]));
    this.gate_layer = this.ablation.guideOnly || this.ablation.aggregation !== 'gate' ? null
      : this.addChild('gate_layer', makeLinear(d, 1, rng.fork('gate'), 'torch-default'));
  }

  /**
   * hiddenStates: X_0..X_N, each [B, L, H_i] (plain tensors computed outside the tape); mask: [B, L] float 1/0
   * (null = every token valid). Returns [B, L, embed].
   */
  forward(hiddenStates: Tensor[], mask: Tensor | null, ctx: ForwardCtx = NO_CTX): Tensor {
    const N = this.opts.hiddenSizes.length - 1;
    checkCount('hidden states', hiddenStates.length, N + 1, this.variant);
    const a = this.ablation;
    const guide = this.downsample_layers.get(String(N))!.forward(hiddenStates[N], ctx);
    if (a.guideOnly) return this.upsample_layer.forward(guide, ctx);
    const km = mask ? keyMask(mask) : null;
    const { fused } = parallelInteraction({
      guide,
      guidePooled: this.gate_layer ? pool(guide, mask) : null,
      layers: a.layers,
      feature: (i) => this.downsample_layers.get(String(i))!.forward(hiddenStates[i], ctx),
      pool: (F) => pool(F, mask),
      interaction: a.interaction, norm: VSE_TEXT_NORM, mask: km,
      residual: a.identity ? { kind: 'identity' } : null,
      aggregation: a.aggregation, gate: this.gate_layer,
    });
    const Fc = tf.add(guide, this.projection_layer!.forward(fused, ctx));
    return this.upsample_layer.forward(Fc, ctx);
  }
}
