// Hungarian assignment (hand cases and brute force), box geometry (hand-computed IoU / GIoU), MDETR's matching cost,
// and Precision@k (hand-computed cases).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearSumAssignment } from '../../src/tasks/grounding/hungarian.js';
import { iou, generalizedIou, cxcywhToXyxy, xywhToXyxy, type Box } from '../../src/tasks/grounding/boxes.js';
import { matchingCost, hungarianMatch } from '../../src/tasks/grounding/matcher.js';
import { precisionAtK, hitAtK, rankByScore } from '../../src/tasks/grounding/metrics.js';
import { Rng } from '../../src/engine/rng.js';

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

/** Minimum over all injective row -> column maps (rows <= cols), by enumeration. */
function bruteForce(c: number[][]): number {
  const n = c.length, m = c[0].length;
  let best = Infinity;
  const rec = (i: number, used: boolean[], s: number) => {
    if (i === n) { best = Math.min(best, s); return; }
    for (let j = 0; j < m; j++) if (!used[j]) { used[j] = true; rec(i + 1, used, s + c[i][j]); used[j] = false; }
  };
  rec(0, new Array(m).fill(false), 0);
  return best;
}

test('assignment: hand cases', () => {
  // the greedy choice (row 0 -> col 0, cost 1) forces row 1 onto cost 100; the optimum crosses over: 2 + 3 = 5
  let a = linearSumAssignment([[1, 2], [3, 100]]);
  assert.deepEqual(a.rows, [0, 1]);
  assert.deepEqual(a.cols, [1, 0]);
  assert.equal(a.cost, 5);
  // classic 3x3 (optimum 5 + 3 + 1... by hand: rows -> cols (0->1, 1->0, 2->2) = 1 + 2 + 2 = 5)
  a = linearSumAssignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]]);
  assert.deepEqual(a.cols, [1, 0, 2]);
  assert.equal(a.cost, 5);
  // more columns than rows (queries > targets transposed): each row takes its cheapest free column
  a = linearSumAssignment([[9, 1, 9, 9], [9, 2, 3, 9]]);
  assert.deepEqual(a.cols, [1, 2]);
  assert.equal(a.cost, 4);
  // more rows than columns: only the best rows are assigned (as scipy), sorted by row
  a = linearSumAssignment([[5, 9], [1, 9], [9, 0], [3, 3]]);
  assert.deepEqual(a.rows, [1, 2]);
  assert.deepEqual(a.cols, [0, 1]);
  assert.equal(a.cost, 1);
  // negative costs (MDETR's costs are mostly negative) and a flat input with its shape
  a = linearSumAssignment(Float64Array.from([-1, -5, -2, -3]), [2, 2]);
  assert.deepEqual(a.cols, [1, 0]);
  assert.equal(a.cost, -7);
  assert.deepEqual(linearSumAssignment([]), { rows: [], cols: [], cost: 0 });
  assert.throws(() => linearSumAssignment([[1, NaN]]), /cost\[0\]\[1\] is NaN/);
  assert.throws(() => linearSumAssignment([[1, 2], [3]]), /row 1 has 1 entries/);
});

test('assignment: optimal on random matrices (brute force), distinct columns', () => {
  const rng = new Rng(3);
  for (let trial = 0; trial < 60; trial++) {
    const n = 1 + rng.int(5), m = n + rng.int(3);
    const c = Array.from({ length: n }, () => Array.from({ length: m }, () => Math.round((rng.next() * 20 - 10) * 4) / 4));
    const a = linearSumAssignment(c);
    assert.equal(a.rows.length, n);
    assert.equal(new Set(a.cols).size, n, 'columns are used once');
    assert.ok(Math.abs(a.cost - bruteForce(c)) < 1e-9, `trial ${trial}: ${a.cost} vs ${bruteForce(c)}`);
    // transposed problem has the same optimum
    const t = c[0].map((_, j) => c.map((r) => r[j]));
    assert.ok(Math.abs(linearSumAssignment(t).cost - a.cost) < 1e-9);
  }
  assert.equal(permutations(3).length, 6);
});

test('boxes: IoU and GIoU by hand', () => {
  const a: Box = [0, 0, 2, 2], b: Box = [1, 1, 3, 3];
  // intersection 1, union 4 + 4 - 1 = 7, enclosing 9: GIoU = 1/7 - (9 - 7)/9
  assert.ok(Math.abs(iou(a, b) - 1 / 7) < 1e-12);
  assert.ok(Math.abs(generalizedIou(a, b) - (1 / 7 - 2 / 9)) < 1e-12);
  // disjoint: IoU 0; [0,0,1,1] and [2,0,3,1]: union 2, enclosing 3 -> GIoU = -1/3
  assert.equal(iou([0, 0, 1, 1], [2, 0, 3, 1]), 0);
  assert.ok(Math.abs(generalizedIou([0, 0, 1, 1], [2, 0, 3, 1]) + 1 / 3) < 1e-12);
  assert.equal(generalizedIou(a, a), 1);
  assert.deepEqual(cxcywhToXyxy([0.5, 0.5, 0.2, 0.4]).map((v) => +v.toFixed(10)), [0.4, 0.3, 0.6, 0.7]);
  assert.deepEqual(xywhToXyxy([10, 20, 5, 6]), [10, 20, 15, 26]);
});

test('matching cost: MDETR\'s 5 L1 + 1 class + 2 (-GIoU), and the matching picks the right queries', () => {
  // 3 queries, 2 classes (one token + no-object), one target at (0.5, 0.5, 0.2, 0.2) with positive token 0
  const boxes = [0.5, 0.5, 0.2, 0.2, /* q1 */ 0.1, 0.1, 0.1, 0.1, /* q2 */ 0.55, 0.5, 0.2, 0.2];
  const probs = [0.9, 0.1, 0.5, 0.5, 0.2, 0.8];
  const m = { probs, boxes, numQueries: 3, numClasses: 2, targetBoxes: [[0.5, 0.5, 0.2, 0.2] as Box], positiveMap: [1, 0] };
  const c = matchingCost(m);
  // q0: L1 0, class -0.9, GIoU 1 -> -0.9 - 2 = -2.9
  assert.ok(Math.abs(c[0] - (-2.9)) < 1e-9);
  // q2: L1 0.05 -> 0.25; class -0.2; boxes [0.45,0.4,0.65,0.6] vs [0.4,0.4,0.6,0.6]: inter 0.15*0.2 = 0.03,
  // union 0.08 - 0.03 = 0.05, enclosing 0.25*0.2 = 0.05 -> GIoU 0.6 -> 0.25 - 0.2 - 1.2 = -1.15
  assert.ok(Math.abs(c[2] - (0.25 - 0.2 - 1.2)) < 1e-9);
  assert.deepEqual(hungarianMatch(m), { queries: [0], targets: [0] });
  // two targets that both prefer query 0: the second must take its next best
  const two = { ...m, targetBoxes: [[0.5, 0.5, 0.2, 0.2] as Box, [0.52, 0.5, 0.2, 0.2] as Box], positiveMap: [1, 0, 1, 0] };
  const r = hungarianMatch(two);
  assert.equal(new Set(r.queries).size, 2);
  assert.deepEqual(r, { queries: [0, 2], targets: [0, 1] });
});

test('Precision@k: hand cases, ranking by score, GIoU vs IoU threshold', () => {
  const target: Box = [0, 0, 10, 10];
  const good: Box = [0, 0, 10, 8];     // IoU 0.8
  const bad: Box = [20, 20, 30, 30];   // IoU 0
  // best-scored box is bad, second is good: P@1 miss, P@5 hit
  const p1 = { scores: [0.9, 0.8], boxes: [bad, good] };
  // best-scored box is good
  const p2 = { scores: [0.1, 0.7, 0.2], boxes: [bad, good, bad] };
  assert.deepEqual(rankByScore([0.1, 0.7, 0.2]), [1, 2, 0]);
  assert.equal(hitAtK(p1, target, 1), false);
  assert.equal(hitAtK(p1, target, 5), true);
  assert.equal(hitAtK(p2, target, 1), true);
  const r = precisionAtK([p1, p2], [target, target]);
  assert.equal(r[1], 50);
  assert.equal(r[5], 100);
  assert.equal(r[10], 100);
  // MDETR thresholds GIoU, not IoU. [0.22,0.22,1.1,1.1] vs [0,0,1,1]: intersection .78² = .6084, union
  // 1 + .88² - .6084 = 1.166 -> IoU .5218; enclosing box 1.1² = 1.21 -> GIoU = .5218 - (1.21 - 1.166) / 1.21 = .4854
  const unit: Box = [0, 0, 1, 1], off: Box = [0.22, 0.22, 1.1, 1.1];
  assert.ok(Math.abs(iou(unit, off) - 0.6084 / 1.166) < 1e-9);
  assert.ok(Math.abs(generalizedIou(unit, off) - (0.6084 / 1.166 - 0.044 / 1.21)) < 1e-9);
  assert.equal(hitAtK({ scores: [1], boxes: [off] }, unit, 1, 0.5, 'iou'), true);
  assert.equal(hitAtK({ scores: [1], boxes: [off] }, unit, 1, 0.5, 'giou'), false);
  // a box inside the target: GIoU = IoU = its area share
  assert.equal(iou(unit, [0, 0, 1, 0.5]), 0.5);
  assert.equal(hitAtK({ scores: [1], boxes: [[0, 0, 1, 0.5]] }, unit, 1), true);
  assert.throws(() => precisionAtK([p1], []), /1 predictions for 0 targets/);
});
