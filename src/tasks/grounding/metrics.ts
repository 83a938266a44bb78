// Referring-expression metrics as MDETR's RefExpEvaluator (datasets/refexp.py) computes them: for each expression,
// the predicted boxes sorted by score (1 - P(no object)), and Precision@k = share of expressions for which one of
// the top k boxes overlaps the ground-truth box by at least 0.5. MDETR measures that overlap with generalized_box_iou
// (GIoU <= IoU, so slightly stricter than the usual IoU >= 0.5); `overlap` selects either, default as MDETR.
import { generalizedIou, iou, cxcywhToXyxy, type Box } from './boxes.js';
import type { MetricDef } from '../../train/spec.js';

export type Overlap = 'giou' | 'iou';

export interface RefexpPrediction {
  /** One score per predicted box (higher = more confident). */
  scores: ArrayLike<number>;
  /** Corner boxes (x0, y0, x1, y1) in the same units as the target. */
  boxes: Box[];
}

/** Indices of `scores` sorted by descending score; ties keep index order. */
export function rankByScore(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] - scores[a]) || (a - b));
}

/** Whether one of the k best-scored boxes overlaps the target by >= thresh. */
export function hitAtK(pred: RefexpPrediction, target: Box, k: number, thresh = 0.5, overlap: Overlap = 'giou'): boolean {
  if (pred.boxes.length !== pred.scores.length) throw new Error(`refexp prediction has ${pred.boxes.length} boxes but ${pred.scores.length} scores`);
  const f = overlap === 'giou' ? generalizedIou : iou;
  for (const i of rankByScore(pred.scores).slice(0, k)) if (f(pred.boxes[i], target) >= thresh) return true;
  return false;
}

export const REFEXP_KS = [1, 5, 10] as const;

/** Precision@k in percent for each k over a set of expressions (one target box each). */
export function precisionAtK(preds: RefexpPrediction[], targets: Box[], ks: readonly number[] = REFEXP_KS, thresh = 0.5, overlap: Overlap = 'giou'): Record<number, number> {
  if (preds.length !== targets.length) throw new Error(`precisionAtK: ${preds.length} predictions for ${targets.length} targets`);
  const out: Record<number, number> = {};
  for (const k of ks) {
    let hits = 0;
    preds.forEach((p, i) => { if (hitAtK(p, targets[i], k, thresh, overlap)) hits++; });
    out[k] = preds.length ? (100 * hits) / preds.length : 0;
  }
  return out;
}

/**
 * Per-query scores of one example from the final decoder output's softmax probabilities `probs` (row-major [Q, C],
 * "no object" last): 'object' = 1 - P(no object) (MDETR's RefExpEvaluator / PostProcess), 'phrase' = the probability
 * mass on the phrase's token positions, the positions where `positiveMap` (length C) is > 0 (MDETR's phrase
 * grounding evaluation, which ranks boxes by the phrase's tokens).
 */
export function queryScores(probs: ArrayLike<number>, numQueries: number, scoring: 'object' | 'phrase', positiveMap: ArrayLike<number> | null = null): Float32Array {
  const Q = numQueries, C = probs.length / Q;
  if (!Number.isInteger(C) || C < 2) throw new Error(`queryScores: ${probs.length} probabilities for ${Q} queries`);
  if (scoring === 'phrase' && (!positiveMap || positiveMap.length !== C)) throw new Error(`queryScores: phrase scoring needs a positive map of ${C} entries`);
  const out = new Float32Array(Q);
  for (let q = 0; q < Q; q++) {
    if (scoring === 'object') out[q] = 1 - probs[q * C + C - 1];
    else for (let t = 0; t < C - 1; t++) if (positiveMap![t] > 0) out[q] += probs[q * C + t];
  }
  return out;
}

/**
 * Chance Precision@1 of a box prior, in percent: the expected P@1 when each expression's prediction is a box drawn
 * uniformly from `prior` (normalised cx, cy, w, h, e.g. the training split's targets), scaled to the expression's
 * image. Exact (the average over every prior box), so no random draw is involved.
 */
export function priorBoxChance(prior: readonly Box[], items: readonly { evalBox: Box; width: number; height: number }[], thresh = 0.5, overlap: Overlap = 'giou'): number {
  if (!prior.length || !items.length) return 0;
  const f = overlap === 'giou' ? generalizedIou : iou;
  const corners = prior.map(cxcywhToXyxy);
  let sum = 0;
  for (const it of items) {
    let hits = 0;
    for (const [x0, y0, x1, y1] of corners) if (f([x0 * it.width, y0 * it.height, x1 * it.width, y1 * it.height], it.evalBox) >= thresh) hits++;
    sum += hits / corners.length;
  }
  return (100 * sum) / items.length;
}

/** The metric definitions of a refexp task (names as the registry's: p1_<split>, p5_val, p10_val). */
export function refexpMetricDefs(testSplits: readonly string[]): MetricDef[] {
  const max = (name: string, description: string): MetricDef => ({ name, direction: 'max', description });
  return [
    max('p1_val', 'Precision@1 at IoU >= 0.5 on val (%)'),
    ...testSplits.map((s) => max(`p1_${s}`, `Precision@1 at IoU >= 0.5 on ${s} (%)`)),
    max('p5_val', 'Precision@5 at IoU >= 0.5 on val (%)'), max('p10_val', 'Precision@10 at IoU >= 0.5 on val (%)'),
  ];
}
