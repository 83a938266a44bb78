// GLUE metrics against hand-computed cases (values in percent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, averageRanks, computeGlueMetrics, f1Positive, GLUE_METRIC_DEFS, headlineMetric, matthewsCorrelation, pearson, spearman } from '../../src/tasks/glue/metrics.js';
import { GLUE_TASK_IDS } from '../../src/tasks/glue/data/schema.js';
import { GLUE_TASKS } from '../../src/registry/glue-tasks.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('binary confusion: TP=2 FP=1 TN=2 FN=1 gives MCC 1/3, F1 2/3, accuracy 2/3', () => {
  const pred = [1, 1, 0, 0, 1, 0], gold = [1, 0, 0, 0, 1, 1];
  // MCC = (TP*TN - FP*FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (4 - 1) / sqrt(3*3*3*3) = 1/3
  close(matthewsCorrelation(pred, gold), 100 / 3);
  close(f1Positive(pred, gold), 200 / 3); // 2TP / (2TP + FP + FN) = 4/6
  close(accuracy(pred, gold), 200 / 3);
  const m = computeGlueMetrics('glue-mrpc', pred, gold);
  close(m.average, 200 / 3);
  assert.deepEqual(Object.keys(m), ['average', 'f1', 'accuracy']);
});

test('MCC: perfect, inverted, constant predictions and the multiclass form', () => {
  close(matthewsCorrelation([0, 1, 1, 0], [0, 1, 1, 0]), 100);
  close(matthewsCorrelation([1, 0, 0, 1], [0, 1, 1, 0]), -100);
  assert.equal(matthewsCorrelation([1, 1, 1, 1], [0, 1, 1, 0]), 0, 'a constant prediction has no correlation (sklearn returns 0)');
  // 3 classes, 4 of 6 right, all marginals 2: (c*n - sum t_k p_k) / sqrt((n^2 - sum p^2)(n^2 - sum t^2)) = (24 - 12) / 24
  close(matthewsCorrelation([0, 2, 1, 0, 1, 2], [0, 1, 2, 0, 1, 2]), 50);
});

test('F1 with no positive predictions or labels is 0', () => {
  assert.equal(f1Positive([0, 0, 0], [0, 0, 0]), 0);
  assert.equal(f1Positive([0, 0, 0], [1, 0, 0]), 0);
  close(f1Positive([1, 1], [1, 1]), 100);
});

test('Pearson and Spearman (average ranks for ties)', () => {
  // x=[1,2,3,4], y=[2,4,5,9]: sxy=11, sxx=5, syy=26 -> r = 11/sqrt(130)
  close(pearson([1, 2, 3, 4], [2, 4, 5, 9]), 100 * 11 / Math.sqrt(130));
  assert.deepEqual(Array.from(averageRanks([10, 20, 20, 30, 20])), [1, 3, 3, 5, 3]);
  // ranks x = [1, 2.5, 2.5, 4], y = [1, 3, 2, 4]: sxy = 4.5, sxx = 4.5, syy = 5 -> 4.5/sqrt(22.5)
  close(spearman([1, 2, 2, 3], [1, 3, 2, 4]), 100 * 4.5 / Math.sqrt(22.5));
  close(spearman([1, 2, 3, 4], [1, 4, 9, 16]), 100, 1e-9); // monotone, not linear
  assert.equal(pearson([2, 2, 2], [1, 2, 3]), 0, 'a constant prediction gives 0 (scipy: nan)');
  const m = computeGlueMetrics('glue-stsb', [1, 2, 2, 3], [1, 3, 2, 4]);
  close(m.average, (m.pearson + m.spearmanr) / 2);
  assert.throws(() => pearson([1, 2], [1]), /length/);
});

test('every task: metric names match its definitions, headline first, in percent', () => {
  const pred = [0, 1, 1, 0, 1, 0, 0, 1], gold = [0, 1, 0, 0, 1, 1, 0, 1];
  for (const t of GLUE_TASK_IDS) {
    const defs = GLUE_METRIC_DEFS[t];
    const m = computeGlueMetrics(t, pred, gold);
    assert.deepEqual(Object.keys(m).sort(), defs.map((d) => d.name).sort(), t);
    assert.equal(headlineMetric(t, m), m[defs[0].name]);
    for (const d of defs) { assert.equal(d.direction, 'max'); assert.ok(m[d.name] >= -100 && m[d.name] <= 100); }
    if (defs.length > 1) close(m.average, defs.slice(1).reduce((s, d) => s + m[d.name], 0) / (defs.length - 1));
  }
  close(computeGlueMetrics('glue-rte', pred, gold).accuracy, 75);
});

test('the definitions agree with the registry task definitions (names, order, direction)', () => {
  for (const def of GLUE_TASKS) {
    const mine = GLUE_METRIC_DEFS[def.id as keyof typeof GLUE_METRIC_DEFS];
    assert.ok(mine, def.id);
    assert.deepEqual(mine.map((d) => [d.name, d.direction]), def.metrics.map((d) => [d.name, d.direction]), def.id);
  }
});
