// UniPT for CLIP4Clip's frozen CLIP encoders (reference §2.2 C; official class `Our_tuning_for_transformer` in
// CLIP4Clip/modules/module_adapter.py; one instance per tower: image frames and text). It differs from (A):
//   guide  F_N = Linear(ReLU(r))  from the raw CLIP embedding r [B, embed] (ONE token);  g = F_N[:, 0]
//   F_i    = Linear(ReLU(X_i))    for ALL hidden states (default layers 0..N, the last block included)
//   F'_i   = rowL1(ReLU((F_N F_iᵀ) ⊙ mask), clamp 1e-6) F_i + F_i[position]     (no identity: query length 1)
//   Pool   = masked mean with the denominator clamped to >= 1
//   out    = r + Linear(ReLU(Σ C_i F'_i))   -> [B, embed]     (no Proj)
// Parameter names: downsample_layers.<i>.1, downsample_layer.1, upsample_layer.1, gate_layer.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { ModuleDict } from '../../nn/container.js';
import type { Linear } from '../../nn/layers.js';
import { Seq, makeLinear, NO_CTX } from './layers.js';
import { keyMask, pool, tokenSelector, type L1Norm } from './interaction.js';
import { parallelInteraction } from './aggregation.js';
import { resolveAblation, mappingSize, range, checkCount, type AblationOptions, type ResolvedAblation } from './options.js';

export interface Clip4ClipOptions extends AblationOptions {
  /** Width of each hidden state (CLIP ViT-B/32: 13 x 768 for frames, 13 x 512 for text). */
  hiddenSizes: number[];
  /** Width of the final CLIP embedding r (512), also the output width. */
  embedSize: number;
  /** D: d' = embedSize // D (default 1). */
  downsampleFactor?: number;
}

export const CLIP4CLIP_NORM: L1Norm = { eps: 1e-6, mode: 'clamp' };

export class Clip4ClipUnipt extends Module {
  readonly variant = 'clip4clip';
  readonly mapping: number;
  readonly ablation: ResolvedAblation;
  readonly downsample_layers: ModuleDict<Seq> | null;
  readonly downsample_layer: Seq;
  readonly upsample_layer: Seq;
  readonly gate_layer: Linear | null;

  constructor(readonly opts: Clip4ClipOptions, rng: Rng) {
    super();
    const n = opts.hiddenSizes.length;
    if (n < 1) throw new Error('unipt clip4clip: hiddenSizes is empty; give the width of every hidden state');
    this.mapping = mappingSize(opts.embedSize, opts.downsampleFactor ?? 1, this.variant);
    this.ablation = resolveAblation(opts, { variant: this.variant, defaultIdentity: false, identityPossible: false, defaultLayers: range(n), maxIndex: n - 1 });
    const d = this.mapping;
    this.downsample_layers = this.ablation.guideOnly ? null : this.addChild('downsample_layers', new ModuleDict<Seq>());
    for (const i of this.ablation.layers) {
      this.downsample_layers!.set(String(i), new Seq(['relu', makeLinear(opts.hiddenSizes[i], d, rng.fork(`down.${i}`), 'torch-default')]));
    }
    this.downsample_layer = this.addChild('downsample_layer', new Seq(['relu', makeLinear(opts.embedSize, d, rng.fork('guide'), 'torch-default')]));
    this.upsample_layer = this.addChild('upsample_layer', new Seq(['relu', makeLinear(d, opts.embedSize, rng.fork('up'), 'torch-default')]));
    this.gate_layer = this.ablation.guideOnly || this.ablation.aggregation !== 'gate' ? null
      : this.addChild('gate_layer', makeLinear(d, 1, rng.fork('gate'), 'torch-default'));
  }

  /**
   * hiddenStates: X_0..X_N, each [B, L, H_i]; rawEmbedding: the final CLIP embedding, [B, embed] or [B, 1, embed];
   * mask: [B, L] 0/1 (text: input_ids != 0; frames: null); positions: the token added back per row (text: the EOT
   * index; null: token 0, i.e. CLS). Returns [B, embed].
   */
  forward(hiddenStates: Tensor[], rawEmbedding: Tensor, mask: Tensor | null, positions: readonly number[] | null, ctx: ForwardCtx = NO_CTX): Tensor {
    checkCount('hidden states', hiddenStates.length, this.opts.hiddenSizes.length, this.variant);
    const B = rawEmbedding.shape[0], E = this.opts.embedSize;
    if (rawEmbedding.size !== B * E) throw new Error(`unipt clip4clip: raw embedding has shape [${rawEmbedding.shape}], expected [B, ${E}] or [B, 1, ${E}]`);
    const raw = tf.reshape(rawEmbedding, [B, 1, E]);
    const guide = this.downsample_layer.forward(raw, ctx);           // [B, 1, d']
    const a = this.ablation;
    let fused: Tensor;
    if (a.guideOnly) fused = guide;
    else {
      const L = (hiddenStates[0].shape as number[])[1];
      fused = parallelInteraction({
        guide,
        guidePooled: this.gate_layer ? tf.reshape(guide, [B, this.mapping]) : null,
        layers: a.layers,
        feature: (i) => this.downsample_layers!.get(String(i))!.forward(hiddenStates[i], ctx),
        pool: (F) => pool(F, mask, 'masked-mean-clamp1'),
        interaction: a.interaction, norm: CLIP4CLIP_NORM, mask: mask ? keyMask(mask) : null,
        residual: { kind: 'matrix', matrix: tokenSelector(B, L, positions) },
        aggregation: a.aggregation, gate: this.gate_layer,
      }).fused;
    }
    return tf.reshape(tf.add(raw, this.upsample_layer.forward(fused, ctx)), [B, E]);
  }
}
