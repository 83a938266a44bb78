// MDETR's SetCriterion (models/mdetr.py) for one or several decoder outputs: each output is matched to the targets
// on its own (Hungarian, see matcher.ts) and contributes
//   ce * soft-token cross-entropy + bbox * L1 + giou * (1 - GIoU) + contrastiveAlign * contrastive-align loss,
// all divided by the number of target boxes in the batch. The list holds the auxiliary decoder outputs followed by
// the final one (MDETR's aux_loss); every entry is weighted the same, as MDETR sums `loss_*_{i}` with the same
// weight_dict entries.
//  * soft-token CE: log_softmax over the C = num_classes + 1 outputs (token positions + "no object" last); a matched
//    query's target is its box's positive map (uniform over the phrase's tokens), an unmatched query's is "no object";
//    unmatched queries are weighted by eos_coef (0.1).
//  * contrastive align (temperature 0.07): query and token projections, both L2-normalised; for each matched query,
//    -mean(positive logits) + logsumexp over tokens, and for each token with a positive query the same over queries;
//    the two halves are averaged. Difference from MDETR: padded text positions are left out of the logsumexp (MDETR
//    includes the padding tokens of the batch, whose number depends on the batch's longest expression).
import { tf, type Tensor } from '../../engine/tf.js';
import type { Box } from './boxes.js';
import { cxcywhToXyxyTensor, pairGiouTensor } from './boxes.js';
import { hungarianMatch, MDETR_MATCHER_COSTS, type MatcherCosts } from './matcher.js';

export interface GroundingTarget {
  /** Boxes of the phrases to find, normalised (cx, cy, w, h). */
  boxes: Box[];
  /** Soft positive maps, row-major [boxes, C] (C = num_classes + 1; the last column, "no object", is 0). */
  positiveMap: Float32Array;
  /** 1 at the text positions (the encoder's token axis, Tt wide) of each box's phrase, row-major [boxes, Tt]. */
  tokenPositive: Uint8Array;
}

export interface LayerPrediction {
  /** [B, Q, C] class logits (token positions + no object). */
  logits: Tensor;
  /** [B, Q, 4] sigmoid boxes (cx, cy, w, h). */
  boxes: Tensor;
  /** [B, Q, h] L2-normalised query projections (contrastive align), or null. */
  projQueries: Tensor | null;
}

export interface CriterionWeights {
  ce: number; bbox: number; giou: number; contrastiveAlign: number;
  /** Weight of the no-object class for unmatched queries. */
  eosCoef: number;
  /** Contrastive-align temperature. */
  temperature: number;
  matcher: MatcherCosts;
}

/** MDETR's defaults: ce 1, bbox 5, giou 2, contrastive_align 1, eos_coef 0.1, temperature_NCE 0.07. */
export const MDETR_LOSS_WEIGHTS: CriterionWeights = { ce: 1, bbox: 5, giou: 2, contrastiveAlign: 1, eosCoef: 0.1, temperature: 0.07, matcher: MDETR_MATCHER_COSTS };

export interface CriterionInput {
  /** Auxiliary decoder outputs first, the final output last. */
  layers: LayerPrediction[];
  /** [B, Tt, h] L2-normalised token projections (contrastive align), or null. */
  projTokens: Tensor | null;
  /** [B, Tt] 1 = real token, 0 = padding (needed with projTokens). */
  textMask: Tensor | null;
  targets: GroundingTarget[];
}

export interface Matching { queries: number[]; targets: number[] }

function softmaxRows(logits: ArrayLike<number>, rows: number, C: number): Float32Array {
  const out = new Float32Array(rows * C);
  for (let r = 0; r < rows; r++) {
    let mx = -Infinity;
    for (let c = 0; c < C; c++) mx = Math.max(mx, logits[r * C + c]);
    let s = 0;
    for (let c = 0; c < C; c++) { const e = Math.exp(logits[r * C + c] - mx); out[r * C + c] = e; s += e; }
    for (let c = 0; c < C; c++) out[r * C + c] /= s;
  }
  return out;
}

/** The optimal matching of one decoder output to the targets, per example (reads the values; nothing is taped). */
export function matchLayer(layer: LayerPrediction, targets: GroundingTarget[], costs: MatcherCosts = MDETR_MATCHER_COSTS): Matching[] {
  const [B, Q, C] = layer.logits.shape as number[];
  if (targets.length !== B) throw new Error(`criterion: ${targets.length} targets for a batch of ${B}`);
  const probs = softmaxRows(layer.logits.dataSync(), B * Q, C);
  const boxes = layer.boxes.dataSync();
  return targets.map((t, b) => hungarianMatch({
    probs: probs.subarray(b * Q * C, (b + 1) * Q * C), boxes: boxes.subarray(b * Q * 4, (b + 1) * Q * 4),
    numQueries: Q, numClasses: C, targetBoxes: t.boxes, positiveMap: t.positiveMap,
  }, costs));
}

export interface LossParts { ce: Tensor; bbox: Tensor; giou: Tensor; contrastiveAlign: Tensor | null }

/** The unweighted loss terms of one decoder output under a given matching (each divided by numBoxes). */
export function layerLosses(layer: LayerPrediction, projTokens: Tensor | null, textMask: Tensor | null, targets: GroundingTarget[], matching: Matching[], numBoxes: number, w: CriterionWeights = MDETR_LOSS_WEIGHTS): LossParts {
  const [B, Q, C] = layer.logits.shape as number[];
  // soft-token targets and per-query weights
  const targetSim = new Float32Array(B * Q * C);
  const weight = new Float32Array(B * Q).fill(w.eosCoef);
  for (let i = 0; i < B * Q; i++) targetSim[i * C + C - 1] = 1;
  const flatIdx: number[] = [];
  const tgtBoxes: number[] = [];
  matching.forEach((m, b) => {
    m.queries.forEach((q, k) => {
      const t = m.targets[k], row = (b * Q + q) * C;
      targetSim.set(targets[b].positiveMap.subarray(t * C, (t + 1) * C), row);
      weight[b * Q + q] = 1;
      flatIdx.push(b * Q + q);
      tgtBoxes.push(...targets[b].boxes[t]);
    });
  });
  const ce = tf.tidy(() => {
    const logp = tf.logSoftmax(layer.logits);
    const perQuery = tf.neg(tf.sum(tf.mul(logp, tf.tensor3d(targetSim, [B, Q, C])), -1));
    return tf.div(tf.sum(tf.mul(perQuery, tf.tensor2d(weight, [B, Q]))), numBoxes);
  });
  let bbox: Tensor, giou: Tensor;
  if (flatIdx.length) {
    [bbox, giou] = tf.tidy(() => {
      const pred = tf.gather(tf.reshape(layer.boxes, [B * Q, 4]), tf.tensor1d(flatIdx, 'int32'));
      const tgt = tf.tensor2d(tgtBoxes, [flatIdx.length, 4]);
      const l1 = tf.div(tf.sum(tf.abs(tf.sub(pred, tgt))), numBoxes);
      const g = tf.div(tf.sum(tf.sub(1, pairGiouTensor(cxcywhToXyxyTensor(pred), cxcywhToXyxyTensor(tgt)))), numBoxes);
      return [l1, g];
    });
  } else {
    bbox = tf.scalar(0); giou = tf.scalar(0);
  }
  let contrastiveAlign: Tensor | null = null;
  if (layer.projQueries && projTokens) {
    if (!textMask) throw new Error('criterion: contrastive align needs the text mask');
    const Tt = (projTokens.shape as number[])[1];
    const pos = new Float32Array(B * Q * Tt);
    matching.forEach((m, b) => m.queries.forEach((q, k) => {
      const t = m.targets[k];
      const src = targets[b].tokenPositive;
      if (src.length % Tt !== 0) throw new Error(`criterion: tokenPositive of example ${b} has ${src.length} entries, not a multiple of the ${Tt} text positions`);
      for (let j = 0; j < Tt; j++) if (src[t * Tt + j]) pos[(b * Q + q) * Tt + j] = 1;
    }));
    contrastiveAlign = tf.tidy(() => {
      const logits = tf.div(tf.matMul(layer.projQueries!, tf.transpose(projTokens, [0, 2, 1])), w.temperature);   // [B, Q, Tt]
      const P = tf.tensor3d(pos, [B, Q, Tt]);
      const padAdd = tf.reshape(tf.mul(tf.sub(1, tf.cast(textMask, 'float32')), -1e9), [B, 1, Tt]);
      const masked = tf.add(logits, padAdd);
      const posLogits = tf.neg(tf.mul(logits, P));
      // boxes -> tokens
      const nbQ = tf.sum(P, 2), hasQ = tf.cast(tf.greater(nbQ, 0), 'float32');
      const b2t = tf.sum(tf.mul(tf.add(tf.div(tf.sum(posLogits, 2), tf.add(nbQ, 1e-6)), tf.logSumExp(masked, 2)), hasQ));
      // tokens -> boxes
      const nbT = tf.sum(P, 1), hasT = tf.cast(tf.greater(nbT, 0), 'float32');
      const t2b = tf.sum(tf.mul(tf.add(tf.div(tf.sum(posLogits, 1), tf.add(nbT, 1e-6)), tf.logSumExp(logits, 1)), hasT));
      return tf.div(tf.div(tf.add(b2t, t2b), 2), numBoxes);
    });
  }
  return { ce, bbox, giou, contrastiveAlign };
}

/** Weighted sum of the loss terms over every decoder output (each matched on its own). */
export function groundingLoss(inp: CriterionInput, w: CriterionWeights = MDETR_LOSS_WEIGHTS): Tensor {
  const numBoxes = Math.max(1, inp.targets.reduce((a, t) => a + t.boxes.length, 0));
  const terms: Tensor[] = [];
  for (const layer of inp.layers) {
    const matching = matchLayer(layer, inp.targets, w.matcher);
    const p = layerLosses(layer, inp.projTokens, inp.textMask, inp.targets, matching, numBoxes, w);
    terms.push(tf.mul(p.ce, w.ce), tf.mul(p.bbox, w.bbox), tf.mul(p.giou, w.giou));
    if (p.contrastiveAlign) terms.push(tf.mul(p.contrastiveAlign, w.contrastiveAlign));
  }
  return tf.addN(terms);
}
