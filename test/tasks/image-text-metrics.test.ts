// VSE∞'s retrieval metrics (lib/evaluation.py i2t / t2i, evalrank fold5) on hand-computed cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retrievalMetrics, foldedRetrievalMetrics, prefixed, ITR_METRIC_NAMES } from '../../src/tasks/image-text/metrics.js';

/** Row-major [nImages, nCaptions] from rows. */
const sims = (rows: number[][]) => Float32Array.from(rows.flat());

test('R@K both ways on a 3-image, 6-caption case (2 captions per image), computed by hand', () => {
  // captions 0,1 -> image 0; 2,3 -> image 1; 4,5 -> image 2
  const link = [0, 0, 1, 1, 2, 2];
  const s = sims([
    //  c0   c1   c2   c3   c4   c5
    [0.9, 0.1, 0.8, 0.2, 0.3, 0.4],   // image 0: best own caption c0 at rank 0 -> i2t rank 0
    [0.7, 0.6, 0.5, 0.1, 0.2, 0.3],   // image 1: own c2 (0.5) has c0, c1 above -> rank 2; c3 rank 5 -> best 2
    [0.6, 0.5, 0.4, 0.3, 0.2, 0.1],   // image 2: own c4 (0.2) rank 4, c5 (0.1) rank 5 -> best 4
  ]);
  // t2i: caption j ranks the 3 images by column j
  //   c0 col (0.9, 0.7, 0.6) own image 0 -> rank 0      c1 col (0.1, 0.6, 0.5) own 0 -> rank 2
  //   c2 col (0.8, 0.5, 0.4) own image 1 -> rank 1      c3 col (0.2, 0.1, 0.3) own 1 -> rank 2
  //   c4 col (0.3, 0.2, 0.2) own image 2 -> rank 2 (tied with image 1: the earlier index ranks first)
  //   c5 col (0.4, 0.3, 0.1) own 2 -> rank 2
  const m = retrievalMetrics(s, 3, link);
  const pct = (k: number, n: number) => (100 * k) / n;
  assert.equal(m.i2t_r1, pct(1, 3));   // ranks 0, 2, 4
  assert.equal(m.i2t_r5, pct(3, 3));
  assert.equal(m.i2t_r10, 100);
  assert.equal(m.t2i_r1, pct(1, 6));   // ranks 0, 2, 1, 2, 2, 2
  assert.equal(m.t2i_r5, 100);
  assert.equal(m.t2i_r10, 100);
  assert.ok(Math.abs(m.rsum - (pct(1, 3) + 100 + 100 + pct(1, 6) + 100 + 100)) < 1e-9);
});

test('R@5 and R@10 cut-offs: rank 4 counts for R@5, rank 5 does not; rank 9 counts for R@10', () => {
  // one caption per image, 12 images; caption j's similarity column puts its image at a chosen rank
  const n = 12, wanted = [0, 4, 5, 9, 10, 11, 0, 0, 0, 0, 0, 0];
  const s = new Float32Array(n * n);
  for (let j = 0; j < n; j++) {
    // images other than j get descending scores; image j is slotted in at rank wanted[j]
    const others = Array.from({ length: n }, (_, i) => i).filter((i) => i !== j);
    const order = [...others.slice(0, wanted[j]), j, ...others.slice(wanted[j])];
    order.forEach((i, r) => { s[i * n + j] = 1 - r / 100; });
  }
  const m = retrievalMetrics(s, n, Array.from({ length: n }, (_, j) => j));
  const ranks = wanted;   // t2i ranks are exactly the slots
  const rec = (K: number) => (100 * ranks.filter((r) => r < K).length) / n;
  assert.equal(m.t2i_r1, rec(1));
  assert.equal(m.t2i_r5, rec(5));
  assert.equal(m.t2i_r10, rec(10));
  assert.equal(rec(5), (100 * 8) / 12);   // ranks 0 (seven of them) and 4
});

test('5-fold 1K: each fold is its images and their captions; metrics are the fold average; 5K uses all at once', () => {
  // 5 images, one caption each; fold f = image f alone, so every fold is perfect
  const link = [0, 1, 2, 3, 4];
  // a matrix where every caption prefers image 0 (so the 5K numbers are poor)
  const s = new Float32Array(25);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) s[i * 5 + j] = i === 0 ? 1 : i === j ? 0.5 : 0;
  const folded = foldedRetrievalMetrics(s, 5, link, 5);
  for (const k of ITR_METRIC_NAMES) assert.equal(folded[k], k === 'rsum' ? 600 : 100, k);
  const all = retrievalMetrics(s, 5, link);
  // t2i: caption 0 -> rank 0, captions 1..4 -> rank 1 (image 0 above)
  assert.equal(all.t2i_r1, 20);
  assert.equal(all.t2i_r5, 100);
  // i2t: image 0 scores 1 on every caption; its own caption 0 is first (tie broken by index) -> rank 0;
  // image i > 0 scores 0.5 on its own caption and 0 elsewhere -> rank 0
  assert.equal(all.i2t_r1, 100);
  // two folds with different results are averaged: 10 images, caption j of image j; fold 0 perfect, fold 1 reversed
  const n = 10, s2 = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    if (i < 5 && j < 5) s2[i * n + j] = i === j ? 1 : 0;
    else if (i >= 5 && j >= 5) s2[i * n + j] = i === j ? 0 : 1 - Math.abs(i - j) / 10;   // own image last in its fold
  }
  const f2 = foldedRetrievalMetrics(s2, n, Array.from({ length: n }, (_, j) => j), 2);
  assert.equal(f2.t2i_r1, (100 + 0) / 2);
  assert.equal(f2.i2t_r1, (100 + 0) / 2);
  assert.equal(f2.t2i_r5, (100 + 100) / 2);   // rank 4 of 5 is still inside R@5
  assert.throws(() => foldedRetrievalMetrics(s2, n, Array.from({ length: n }, (_, j) => j), 3), /cannot be split into 3 equal folds/);
  assert.deepEqual(Object.keys(prefixed(all, '5k_')).sort(), ITR_METRIC_NAMES.map((k) => `5k_${k}`).sort());
});

test('bad input is refused', () => {
  assert.throws(() => retrievalMetrics(new Float32Array(5), 2, [0, 1]), /5 similarities for 2 images x 2 captions/);
  assert.throws(() => retrievalMetrics(new Float32Array(4), 2, [0, 2]), /caption 1 points to image 2/);
});
