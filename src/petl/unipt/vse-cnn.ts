// UniPT for a CNN, as the VSE∞ image branch (reference §2.2 B; official class `Our_tuning_for_resnet` in
// VSE-infty/lib/adapter_for_cnn.py). Stage maps X_0..X_N (NHWC here; X_N = guide, e.g. ResNeXt stages 1-4):
//   guide  F_N = BN(Conv1x1(X_N))                                   [B, h, w, d'] -> tokens [B, h·w, d']
//   "Pre" (guided pooling of stage i to the guide's grid, r_i = HW_rate[i]):
//     G   = ReLU(Conv1x1(X_N))  (identity_layers.i, C_N -> C_i)     nearest-upsampled to X_i's size
//     s   = Σ_channels (G ⊙ X_i);  w = per r×r patch rowL1(ReLU(s)) + 1/r²   (Unfold/Fold, kernel = stride)
//     P_i = SumPool_r(w ⊙ X_i);     F_i = BN(Conv1x1(P_i))
//   F'_i = (rowL1(ReLU(F_N F_iᵀ), +1e-8) + I) F_i;   F^c = F_N + BN(Conv1x1(Σ C_i F'_i));   out = Conv1x1(ReLU(F^c))
// BatchNorms run in training mode with batch statistics when ctx.training (the running statistics are updated as
// PyTorch does). Output [B, h·w, embed]. Unfold/Fold and the pooling are reshapes plus rank-4 transposes.
// The whole "Pre" step (G -> P_i) is ONE lean custom-gradient op (`guidedPool`): the stage map X_i is a frozen
// constant (computed outside the tape, as under the official torch.no_grad()), and only the per-patch normalised
// saliency and its norms ([B, H, W] floats) are kept for the backward pass. Built from plain taped ops, the step
// kept every map-sized intermediate (the upsampled G, G ⊙ X, X ⊙ w) and, because tfjs keeps every intermediate
// gradient until the backward pass ends, each of their map-sized gradients too.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { ModuleDict } from '../../nn/container.js';
import type { Linear } from '../../nn/layers.js';
import { Seq, Conv1x1, BatchNorm2d, makeLinear } from './layers.js';
import { pool, reluL1Normalize, type L1Norm } from './interaction.js';
import { tracedSave, customGrad } from '../../engine/ops/trace.js';
import { parallelInteraction } from './aggregation.js';
import { resolveAblation, mappingSize, range, checkCount, type AblationOptions, type ResolvedAblation } from './options.js';

export interface VseCnnOptions extends AblationOptions {
  /** Channels of each stage map X_0..X_N (VSE∞ ResNeXt: [256, 512, 1024, 2048]). */
  hiddenSizes: number[];
  /** Output width (VSE∞: 1024). */
  embedSize: number;
  /** D: d' = embedSize // D (default 2). */
  downsampleFactor?: number;
  /** Patch size r_i of the guided pooling per stage (official [8, 4, 2, 1]). */
  hwRate?: number[];
  /** Spatial size of each stage map (official [128, 64, 32, 16], i.e. 512x512 images). */
  hwSize?: number[];
}

export const VSE_CNN_NORM: L1Norm = { eps: 1e-8, mode: 'add' };

/** Nearest-neighbour upsampling of [B, h, w, C] by integer factors (= F.interpolate(mode='nearest') there). */
export function upsampleNearest(x: Tensor, H: number, W: number): Tensor {
  const [B, h, w, C] = x.shape;
  if (H % h || W % w) throw new Error(`unipt vse-cnn: cannot upsample a ${h}x${w} map to ${H}x${W} (the factors must be integers)`);
  const uh = H / h, uw = W / w;
  let y = x;
  if (uh > 1) y = tf.reshape(tf.mul(tf.reshape(y, [B * h, 1, w * C]), tf.ones([1, uh, 1])), [B, H, w, C]);
  if (uw > 1) y = tf.reshape(tf.mul(tf.reshape(y, [B * H * w, 1, C]), tf.ones([1, uw, 1])), [B, H, W, C]);
  return y;
}

/**
 * Unfold(kernel = stride = r) of a [B, H, W] saliency map, L1-normalised ReLU within each patch, + 1/r², folded
 * back to [B, H, W]. With upsampleNearest and sumPool this is the plain-op form of the "Pre" step; the module runs
 * the lean `guidedPool`, and the tests hold it to this form.
 */
export function patchWeights(s: Tensor, r: number, norm: L1Norm = VSE_CNN_NORM): Tensor {
  const [B, H, W] = s.shape;
  return fromPatches(tf.add(reluL1Normalize(toPatches(s, r), norm), 1 / (r * r)), B, H, W, r);
}

/** [B, H, W] -> [B·hb·wb, r·r]: each row one r×r patch (Unfold with kernel = stride = r). */
function toPatches(s: Tensor, r: number): Tensor {
  const [B, H, W] = s.shape;
  const hb = H / r, wb = W / r;
  return tf.reshape(tf.transpose(tf.reshape(s, [B * hb, r, wb, r]), [0, 2, 1, 3]), [B * hb * wb, r * r]);
}

/** Inverse of toPatches (Fold): [B·hb·wb, r·r] -> [B, H, W]. */
function fromPatches(p: Tensor, B: number, H: number, W: number, r: number): Tensor {
  const hb = H / r, wb = W / r;
  return tf.reshape(tf.transpose(tf.reshape(p, [B * hb, wb, r, r]), [0, 2, 1, 3]), [B, H, W]);
}

/**
 * Σ_c g[b, ⌊y/r⌋, ⌊x/r⌋, c] · X[b, y, x, c] -> [B, H, W], for g [B, H/r, W/r, C] and X [B, H, W, C]: the channel
 * sum of NearestUpsample(g) ⊙ X without materialising the upsampled map (one rank-5 broadcast product; the products
 * and the sum over channels are the same as with the upsampled map).
 */
function blockChannelDot(g: Tensor, X: Tensor, r: number): Tensor {
  const [B, H, W, C] = X.shape;
  const hb = H / r, wb = W / r;
  return tf.tidy(() => tf.reshape(tf.sum(tf.mul(tf.reshape(X, [B * hb, r, wb, r, C]), tf.reshape(g, [B * hb, 1, wb, 1, C])), -1), [B, H, W]));
}

/** What `guidedPool` keeps for its backward pass: the normalised patch weights and their norms (both ~[B, H, W]). */
export const GUIDED_POOL_SAVES = ['w', 'n'] as const;

/**
 * The "Pre" step as one lean op: P = SumPool_r(w ⊙ X) with w = patchWeights(Σ_c NearestUpsample(G) ⊙ X, r).
 * G [B, H/r, W/r, C] carries the gradient; X [B, H, W, C] is a frozen stage map (a constant here: no gradient
 * reaches it, as under the official torch.no_grad() backbone). Backward, with A = rowL1(ReLU(patches of s)) and n
 * its row norms (pass = 1 where the 'clamp' norm was not clamped):
 *   dw = Σ_c Up(dP) ⊙ X;   ds = (dw − pass · Σ_patch dw ⊙ A) / n ⊙ [A > 0]   (per patch);   dG = SumPool_r(ds ⊙ X).
 * Only A and n are saved; the map-sized temporaries of either pass live in their own tidies.
 */
export function guidedPool(G: Tensor, X: Tensor, r: number, norm: L1Norm = VSE_CNN_NORM): Tensor {
  const [B, H, W, C] = X.shape;
  const gs = G.shape as number[];
  if (X.rank !== 4 || G.rank !== 4 || H % r || W % r || gs[0] !== B || gs[1] !== H / r || gs[2] !== W / r || gs[3] !== C) {
    throw new Error(`unipt vse-cnn guidedPool: G [${gs}] must be [B, H/r, W/r, C] for X [${X.shape}] and r=${r}`);
  }
  const f = customGrad((g: Tensor, save: tf.GradSaveFunc) => {
    const [A, n, pass] = tf.tidy(() => {
      const patches = toPatches(blockChannelDot(g, X, r), r);
      const a = tf.relu(patches);
      const sum = tf.sum(a, -1, true);
      const nn = norm.mode === 'add' ? tf.add(sum, norm.eps) : tf.maximum(sum, norm.eps);
      // torch.clamp passes the gradient where the input is >= min
      const p = norm.mode === 'clamp' ? tf.cast(tf.greaterEqual(sum, norm.eps), 'float32') : null;
      return [tf.div(a, nn), nn, p] as const;
    });
    tracedSave('guidedPool', pass ? [...GUIDED_POOL_SAVES, 'pass'] : GUIDED_POOL_SAVES, save, pass ? [A, n, pass] : [A, n]);
    return {
      value: tf.tidy(() => {
        const w = fromPatches(tf.add(A, 1 / (r * r)), B, H, W, r);
        return sumPool(tf.mul(X, tf.expandDims(w, -1)), r);
      }),
      gradFunc: (dP: Tensor, saved: Tensor[]) => tf.tidy(() => {
        const [sA, sn, sPass] = saved;
        const ds = tf.tidy(() => {
          const dA = toPatches(blockChannelDot(dP, X, r), r);
          let rowDot = tf.sum(tf.mul(dA, sA), -1, true);
          if (sPass) rowDot = tf.mul(rowDot, sPass);
          return fromPatches(tf.mul(tf.div(tf.sub(dA, rowDot), sn), tf.step(sA, 0)), B, H, W, r);
        });
        return sumPool(tf.mul(X, tf.expandDims(ds, -1)), r);
      }),
    };
  }) as (g: Tensor) => Tensor;
  return f(G);
}

/** Non-overlapping r×r sum pooling of [B, H, W, C] (AvgPool2d with divisor_override=1). */
export function sumPool(x: Tensor, r: number): Tensor {
  const [B, H, W, C] = x.shape;
  const hb = H / r, wb = W / r;
  const rows = tf.sum(tf.reshape(x, [B * hb, r, W * C]), 1);
  return tf.reshape(tf.sum(tf.reshape(rows, [B * hb * wb, r, C]), 1), [B, hb, wb, C]);
}

export class VseCnnUnipt extends Module {
  readonly variant = 'vse-cnn';
  readonly mapping: number;
  readonly ablation: ResolvedAblation;
  readonly hwRate: number[];
  readonly hwSize: number[];
  readonly downsample_layers: ModuleDict<Seq>;
  readonly projection_layer: Seq | null;
  readonly upsample_layer: Seq;
  readonly identity_layers: ModuleDict<Seq> | null;
  readonly gate_layer: Linear | null;

  constructor(readonly opts: VseCnnOptions, rng: Rng) {
    super();
    const n = opts.hiddenSizes.length;
    if (n < 1) throw new Error('unipt vse-cnn: hiddenSizes is empty; give the channels of every stage map (the last is the guide)');
    const N = n - 1;
    this.hwRate = opts.hwRate ?? [8, 4, 2, 1];
    this.hwSize = opts.hwSize ?? [128, 64, 32, 16];
    checkCount('HW_rate entries (one per stage map)', this.hwRate.length, n, this.variant);
    checkCount('HW_size entries (one per stage map)', this.hwSize.length, n, this.variant);
    this.hwSize.forEach((s, i) => {
      if (!Number.isInteger(this.hwRate[i]) || this.hwRate[i] < 1 || s % this.hwRate[i]) {
        throw new Error(`unipt vse-cnn: HW_size[${i}]=${s} is not a multiple of HW_rate[${i}]=${this.hwRate[i]}`);
      }
    });
    this.mapping = mappingSize(opts.embedSize, opts.downsampleFactor ?? 2, this.variant);
    this.ablation = resolveAblation(opts, { variant: this.variant, defaultIdentity: true, identityPossible: true, defaultLayers: range(N), maxIndex: N - 1 });
    const d = this.mapping, C = opts.hiddenSizes;
    this.downsample_layers = this.addChild('downsample_layers', new ModuleDict<Seq>());
    for (const i of [...this.ablation.layers, N]) {
      this.downsample_layers.set(String(i), new Seq([new Conv1x1(C[i], d, rng.fork(`down.${i}`)), new BatchNorm2d(d)]));
    }
    this.projection_layer = this.ablation.guideOnly ? null
      : this.addChild('projection_layer', new Seq([new Conv1x1(d, d, rng.fork('proj')), new BatchNorm2d(d)]));
    this.upsample_layer = this.addChild('upsample_layer', new Seq(['relu', new Conv1x1(d, opts.embedSize, rng.fork('up'))]));
    this.identity_layers = this.ablation.guideOnly ? null : this.addChild('identity_layers', new ModuleDict<Seq>());
    for (const i of this.ablation.layers) this.identity_layers!.set(String(i), new Seq([new Conv1x1(C[N], C[i], rng.fork(`ide.${i}`)), 'relu']));
    this.gate_layer = this.ablation.guideOnly || this.ablation.aggregation !== 'gate' ? null
      : this.addChild('gate_layer', makeLinear(d, 1, rng.fork('gate'), 'torch-default'));
  }

  private checkMaps(maps: Tensor[]): void {
    const n = this.opts.hiddenSizes.length;
    checkCount('stage maps', maps.length, n, this.variant);
    maps.forEach((m, i) => {
      const [, H, W, Cc] = m.shape;
      if (m.rank !== 4 || Cc !== this.opts.hiddenSizes[i] || H !== this.hwSize[i] || W !== this.hwSize[i]) {
        throw new Error(`unipt vse-cnn: stage map ${i} has shape [${m.shape}], expected NHWC [B, ${this.hwSize[i]}, ${this.hwSize[i]}, ${this.opts.hiddenSizes[i]}] (HW_size, hiddenSizes)`);
      }
    });
    const g = this.hwSize[n - 1];
    for (const i of this.ablation.layers) {
      if (this.hwSize[i] / this.hwRate[i] !== g) {
        throw new Error(`unipt vse-cnn: stage ${i} pools ${this.hwSize[i]}/${this.hwRate[i]} = ${this.hwSize[i] / this.hwRate[i]} cells per side, the guide has ${g}; adjust HW_rate`);
      }
    }
  }

  /** The "Pre" step and Down_i for stage i: [B, h·w, d']. */
  private stageFeatures(maps: Tensor[], i: number, ctx: ForwardCtx): Tensor {
    const N = maps.length - 1, X = maps[i], r = this.hwRate[i];
    const B = X.shape[0];
    const G = this.identity_layers!.get(String(i))!.forward(maps[N], ctx);
    const P = guidedPool(G, X, r);
    const F = this.downsample_layers.get(String(i))!.forward(P, ctx);
    const [, hb, wb] = F.shape as number[];
    return tf.reshape(F, [B, hb * wb, this.mapping]);
  }

  /** maps: NHWC stage maps X_0..X_N (plain tensors). Returns [B, h·w, embed]. */
  forward(maps: Tensor[], ctx: ForwardCtx): Tensor {
    this.checkMaps(maps);
    const N = maps.length - 1, a = this.ablation;
    const guideMap = this.downsample_layers.get(String(N))!.forward(maps[N], ctx);
    const [B, h, w] = guideMap.shape;
    const flat = (t: Tensor, c: number) => tf.reshape(t, [B, h * w, c]);
    if (a.guideOnly) return flat(this.upsample_layer.forward(guideMap, ctx), this.opts.embedSize);
    const guide = flat(guideMap, this.mapping);
    const { fused } = parallelInteraction({
      guide,
      guidePooled: this.gate_layer ? pool(guide, null) : null,
      layers: a.layers,
      feature: (i) => this.stageFeatures(maps, i, ctx),
      pool: (F) => pool(F, null),
      interaction: a.interaction, norm: VSE_CNN_NORM, mask: null,
      residual: a.identity ? { kind: 'identity' } : null,
      aggregation: a.aggregation, gate: this.gate_layer,
    });
    const Fc = tf.add(guideMap, this.projection_layer!.forward(tf.reshape(fused, [B, h, w, this.mapping]), ctx));
    return flat(this.upsample_layer.forward(Fc, ctx), this.opts.embedSize);
  }
}
