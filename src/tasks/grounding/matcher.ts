// MDETR's HungarianMatcher (models/matcher.py): per example, the cost of giving target t to query q is
//   cost_bbox * L1(box_q, box_t) + cost_class * -(softmax(logits_q) · positive_map_t) + cost_giou * -GIoU(box_q, box_t)
// with boxes as normalised (cx, cy, w, h), L1 on those four numbers and GIoU on the corner form; the minimum-cost
// one-to-one assignment (linearSumAssignment) picks the queries. Runs on plain numbers: the matching is not
// differentiated (MDETR's matcher runs under torch.no_grad).
import { linearSumAssignment } from './hungarian.js';
import { cxcywhToXyxy, generalizedIou, type Box } from './boxes.js';

export interface MatcherCosts { class: number; bbox: number; giou: number }
/** MDETR's defaults (--set_cost_class 1, --set_cost_bbox 5, --set_cost_giou 2). */
export const MDETR_MATCHER_COSTS: MatcherCosts = { class: 1, bbox: 5, giou: 2 };

export interface MatchInput {
  /** Softmax probabilities of one example's queries, row-major [Q, C]. */
  probs: ArrayLike<number>;
  /** Predicted boxes (cx, cy, w, h), row-major [Q, 4]. */
  boxes: ArrayLike<number>;
  numQueries: number;
  numClasses: number;
  /** Target boxes (cx, cy, w, h). */
  targetBoxes: Box[];
  /** Soft positive maps, row-major [targets, C] (each row sums to 1 over the target's tokens). */
  positiveMap: ArrayLike<number>;
}

/** The [Q, targets] matching cost of one example (row-major). */
export function matchingCost(m: MatchInput, w: MatcherCosts = MDETR_MATCHER_COSTS): Float64Array {
  const Q = m.numQueries, C = m.numClasses, N = m.targetBoxes.length;
  if (m.probs.length !== Q * C) throw new Error(`matcher: ${m.probs.length} probabilities for ${Q} queries x ${C} classes`);
  if (m.boxes.length !== Q * 4) throw new Error(`matcher: ${m.boxes.length} box numbers for ${Q} queries`);
  if (m.positiveMap.length !== N * C) throw new Error(`matcher: positive map has ${m.positiveMap.length} entries for ${N} targets x ${C} classes`);
  const cost = new Float64Array(Q * N);
  const tCorners = m.targetBoxes.map(cxcywhToXyxy);
  for (let q = 0; q < Q; q++) {
    const pb: Box = [m.boxes[q * 4], m.boxes[q * 4 + 1], m.boxes[q * 4 + 2], m.boxes[q * 4 + 3]];
    const pc = cxcywhToXyxy(pb);
    for (let t = 0; t < N; t++) {
      let cls = 0;
      for (let c = 0; c < C; c++) cls -= m.probs[q * C + c] * m.positiveMap[t * C + c];
      const tb = m.targetBoxes[t];
      const l1 = Math.abs(pb[0] - tb[0]) + Math.abs(pb[1] - tb[1]) + Math.abs(pb[2] - tb[2]) + Math.abs(pb[3] - tb[3]);
      cost[q * N + t] = w.bbox * l1 + w.class * cls - w.giou * generalizedIou(pc, tCorners[t]);
    }
  }
  return cost;
}

/** Pairs (query, target) of the optimal matching, sorted by query. */
export function hungarianMatch(m: MatchInput, w: MatcherCosts = MDETR_MATCHER_COSTS): { queries: number[]; targets: number[] } {
  const N = m.targetBoxes.length;
  if (N === 0) return { queries: [], targets: [] };
  const a = linearSumAssignment(matchingCost(m, w), [m.numQueries, N]);
  return { queries: a.rows, targets: a.cols };
}
