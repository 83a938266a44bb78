// UniPT for CLIP-ViL's single-stream transformer (reference §2.2 D; official `LXRTEncoder.construct_side_network`
// and the side branch of `LXRTEncoder.forward` in CLIP-ViL/src/lxrt/modeling.py). Hidden states X_0 (the joint
// [text; visual grid] input embeddings) .. X_N (the last layer output, the guide), all of width H:
//   F_0 = LN(Linear(X_0)) (side_first_downsample_l);  F_k = LN(Linear(X_k)) (side_downsamples_l.<k-1>), d' = H // r
//   F'_i = (rowL1(ReLU((F_N F_iᵀ) ⊙ mask), +1e-6) + I) F_i   for i in layers (default 0..N-1); g, Pool = masked mean
//   F^c = F_N + LN(Linear(ReLU(Linear(Σ C_i F'_i))))   (Proj expands d' -> H -> d')
//   out = Linear(F^c) -> [B, L, H]  (replaces the encoder output; no ReLU, no norm)
// Init as `init_bert_weights`: Linear ~ N(0, 0.02) with zero bias, LayerNorm (1, 0); LayerNorm eps 1e-5
// (BertLayerNorm = torch.nn.LayerNorm there).
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { ModuleDict } from '../../nn/container.js';
import type { Linear } from '../../nn/layers.js';
import { Seq, makeLinear, makeLayerNorm, NO_CTX } from './layers.js';
import { keyMask, pool, type L1Norm } from './interaction.js';
import { parallelInteraction } from './aggregation.js';
import { resolveAblation, mappingSize, range, checkCount, type AblationOptions, type ResolvedAblation } from './options.js';

export interface ClipVilOptions extends AblationOptions {
  /** Width of the transformer (768). */
  hiddenSize: number;
  /** Number of transformer layers (12): hidden states X_0..X_12. */
  numLayers: number;
  /** r: d' = hiddenSize // r (default 2, the official script). */
  downsampleFactor?: number;
}

export const CLIP_VIL_NORM: L1Norm = { eps: 1e-6, mode: 'add' };

export class ClipVilUnipt extends Module {
  readonly variant = 'clip-vil';
  readonly mapping: number;
  readonly ablation: ResolvedAblation;
  readonly side_first_downsample_l: Seq | null;
  readonly side_downsamples_l: ModuleDict<Seq>;
  readonly side_final_upsample_l: Seq;
  readonly side_projection_l: Seq | null;
  readonly side_gate_layer_l: Linear | null;

  constructor(readonly opts: ClipVilOptions, rng: Rng) {
    super();
    const N = opts.numLayers, H = opts.hiddenSize;
    if (!Number.isInteger(N) || N < 1) throw new Error(`unipt clip-vil: numLayers must be a positive integer, got ${N}`);
    this.mapping = mappingSize(H, opts.downsampleFactor ?? 2, this.variant);
    this.ablation = resolveAblation(opts, { variant: this.variant, defaultIdentity: true, identityPossible: true, defaultLayers: range(N), maxIndex: N - 1 });
    const d = this.mapping;
    const down = (i: number) => new Seq([makeLinear(H, d, rng.fork(`down.${i}`), 'bert-normal'), makeLayerNorm(d)]);
    const used = new Set([...this.ablation.layers, N]);
    this.side_first_downsample_l = used.has(0) ? this.addChild('side_first_downsample_l', down(0)) : null;
    this.side_downsamples_l = this.addChild('side_downsamples_l', new ModuleDict<Seq>());
    for (const i of [...used].filter((j) => j > 0).sort((x, y) => x - y)) this.side_downsamples_l.set(String(i - 1), down(i));
    this.side_final_upsample_l = this.addChild('side_final_upsample_l', new Seq([makeLinear(d, H, rng.fork('up'), 'bert-normal')]));
    this.side_projection_l = this.ablation.guideOnly ? null : this.addChild('side_projection_l', new Seq([
      makeLinear(d, H, rng.fork('proj.0'), 'bert-normal'), 'relu', makeLinear(H, d, rng.fork('proj.2'), 'bert-normal'), makeLayerNorm(d)]));
    this.side_gate_layer_l = this.ablation.guideOnly || this.ablation.aggregation !== 'gate' ? null
      : this.addChild('side_gate_layer_l', makeLinear(d, 1, rng.fork('gate'), 'bert-normal'));
  }

  private down(i: number): Seq {
    return i === 0 ? this.side_first_downsample_l! : this.side_downsamples_l.get(String(i - 1))!;
  }

  /**
   * hiddenStates: X_0..X_N, each [B, L, H]; mask: [B, L] 1 = valid token (the joint attention mask's valid
   * positions), null = all valid. Returns [B, L, H].
   */
  forward(hiddenStates: Tensor[], mask: Tensor | null, ctx: ForwardCtx = NO_CTX): Tensor {
    const N = this.opts.numLayers;
    checkCount('hidden states', hiddenStates.length, N + 1, this.variant);
    const a = this.ablation;
    const guide = this.down(N).forward(hiddenStates[N], ctx);
    if (a.guideOnly) return this.side_final_upsample_l.forward(guide, ctx);
    const { fused } = parallelInteraction({
      guide,
      guidePooled: this.side_gate_layer_l ? pool(guide, mask) : null,
      layers: a.layers,
      feature: (i) => this.down(i).forward(hiddenStates[i], ctx),
      pool: (F) => pool(F, mask),
      interaction: a.interaction, norm: CLIP_VIL_NORM, mask: mask ? keyMask(mask) : null,
      residual: a.identity ? { kind: 'identity' } : null,
      aggregation: a.aggregation, gate: this.side_gate_layer_l,
    });
    const Fc = tf.add(guide, this.side_projection_l!.forward(fused, ctx));
    return this.side_final_upsample_l.forward(Fc, ctx);
  }
}
