// Confidence aggregation (reference §2.1, figure (b)) and the per-layer loop every variant runs:
//   c_i = wᵀ (g ⊙ Pool(F_i)) + b      ONE gate Linear(d', 1) shared by all layers
//   C   = softmax_i(c)                per sample (per sample and position for the causal T5 decoder)
//   F̄   = Σ_i C_i · F'_i
// The `uniform` ablation replaces C by 1/n (the gate then does not exist).
import { tf, type Tensor } from '../../engine/tf.js';
import { ops } from '../../engine/ops/index.js';
import type { Linear } from '../../nn/layers.js';
import { interact, type InteractionKind, type L1Norm, type Residual } from './interaction.js';
import { NO_CTX } from './layers.js';

export type AggregationKind = 'gate' | 'uniform';
export const AGGREGATION_KINDS: readonly AggregationKind[] = ['gate', 'uniform'];

/**
 * Layer weights, softmax over the last axis. `guidePooled` and each `pooled[i]` are [B, d] (one weight per sample)
 * or [B, L, d] (one per sample and position); the result is [B, n] or [B, L, n].
 */
export function layerWeights(kind: AggregationKind, gate: Linear | null, guidePooled: Tensor | null, pooled: Tensor[]): Tensor {
  const n = pooled.length;
  if (!n) throw new Error('aggregation: no layers to aggregate');
  if (kind === 'uniform') return tf.fill([...pooled[0].shape.slice(0, -1), n], 1 / n);
  if (!gate || !guidePooled) throw new Error('aggregation "gate" needs the gate layer and the pooled guide');
  const P = tf.stack(pooled, -2);                                  // [..., n, d]
  const logits = gate.forward(tf.mul(P, tf.expandDims(guidePooled, -2)), NO_CTX);   // [..., n, 1]
  return ops().softmax(tf.squeeze(logits, [logits.shape.length - 1]));
}

/** Σ_i weights[..., i] · terms[i]; terms are [B, L, d], weights [B, n] or [B, L, n]. */
export function weightedSum(terms: Tensor[], weights: Tensor): Tensor {
  const n = terms.length;
  if (weights.shape[weights.shape.length - 1] !== n) throw new Error(`aggregation: ${n} terms but ${weights.shape[weights.shape.length - 1]} weights`);
  const parts = n === 1 ? [weights] : tf.split(weights, n, -1);
  const scaled = parts.map((w, i) => tf.mul(terms[i], w.shape.length === 2 ? tf.expandDims(w, -1) : w));
  return scaled.length === 1 ? scaled[0] : tf.addN(scaled);
}

export interface ParallelOptions {
  /** F_N, the guide's features [B, Lq, d']. */
  guide: Tensor;
  /** g = Pool(F_N) ([B, d'] or [B, Lq, d']); only read by the gate. */
  guidePooled: Tensor | null;
  /** Hidden-state indices that interact with the guide, in order. */
  layers: readonly number[];
  /** F_i for hidden state i (the trainable Down, and for MDETR's decoder the crosser), run in the layer's tidy. */
  feature: (i: number) => Tensor;
  /** Pool(F_i) for the gate, shaped like guidePooled. */
  pool: (F: Tensor) => Tensor;
  interaction: InteractionKind;
  norm: L1Norm;
  /** Interaction mask broadcastable to [B, Lq, Lk] (keyMask / causalMask), or null. */
  mask: Tensor | null;
  residual: Residual | null;
  aggregation: AggregationKind;
  gate: Linear | null;
  /** Also return each F_i (MDETR keeps its decoder layer features as auxiliary outputs). */
  keepFeatures?: boolean;
}

export interface ParallelResult {
  /** F̄ = Σ_i C_i F'_i, [B, Lq, d']. */
  fused: Tensor;
  /** C, [B, n] or [B, Lq, n]. */
  weights: Tensor;
  /** F_i per entry of `layers` (only with keepFeatures). */
  features: Tensor[];
}

/** The interaction of every selected layer with the guide (one tidy per layer), then the aggregation. */
export function parallelInteraction(o: ParallelOptions): ParallelResult {
  const interacted: Tensor[] = [], pooled: Tensor[] = [], features: Tensor[] = [];
  const needPool = o.aggregation === 'gate';
  for (const i of o.layers) {
    const out = tf.tidy(() => {
      const F = o.feature(i);
      const Fp = interact(o.interaction, o.norm, { query: o.guide, keys: F, mask: o.mask, residual: o.residual });
      return [Fp, needPool ? o.pool(F) : Fp, o.keepFeatures ? F : Fp];
    });
    interacted.push(out[0]);
    if (needPool) pooled.push(out[1]);
    if (o.keepFeatures) features.push(out[2]);
  }
  // uniform weights are the same at every position, so one row per sample serves the causal decoder too
  const weights = needPool ? layerWeights('gate', o.gate, o.guidePooled, pooled)
    : tf.fill([o.guide.shape[0], interacted.length], 1 / interacted.length);
  return { fused: weightedSum(interacted, weights), weights, features };
}
