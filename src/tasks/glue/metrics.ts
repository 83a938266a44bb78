// GLUE metrics as LST's code computes them (seq2seq/metrics/metrics.py, third_party/trainers/trainer.py), all in
// percent like the papers report them:
//   CoLA  Matthews correlation (sklearn matthews_corrcoef)
//   SST-2, MNLI, QNLI, RTE  accuracy
//   MRPC, QQP  F1 of the positive class (sklearn f1_score, binary) and accuracy
//   STS-B  Pearson and Spearman correlation (scipy; Spearman with average ranks for ties)
// A task's headline is "average" = the mean of its metric list (LST's average_metrics); for single-metric tasks
// the headline is that metric itself. Degenerate inputs (a constant prediction, no positive predictions or labels)
// give 0 where sklearn/scipy warn and return 0 or NaN, so model selection and JSON stay well defined.
import type { MetricDef } from '../../train/spec.js';
import type { GlueTaskId } from './data/schema.js';

const pct = (x: number) => 100 * x;

export function accuracy(pred: ArrayLike<number>, gold: ArrayLike<number>): number {
  checkLengths(pred, gold);
  let ok = 0;
  for (let i = 0; i < gold.length; i++) if (pred[i] === gold[i]) ok++;
  return gold.length ? pct(ok / gold.length) : 0;
}

/** F1 of class 1: 2TP / (2TP + FP + FN). */
export function f1Positive(pred: ArrayLike<number>, gold: ArrayLike<number>): number {
  checkLengths(pred, gold);
  let tp = 0, fp = 0, fn = 0;
  for (let i = 0; i < gold.length; i++) {
    if (pred[i] === 1 && gold[i] === 1) tp++;
    else if (pred[i] === 1) fp++;
    else if (gold[i] === 1) fn++;
  }
  const d = 2 * tp + fp + fn;
  return d ? pct((2 * tp) / d) : 0;
}

/** Matthews correlation in its multiclass form (Gorodkin's R_K, as sklearn); equals the binary MCC for 2 classes. */
export function matthewsCorrelation(pred: ArrayLike<number>, gold: ArrayLike<number>): number {
  checkLengths(pred, gold);
  const n = gold.length;
  const classes = new Set<number>();
  for (let i = 0; i < n; i++) { classes.add(pred[i]); classes.add(gold[i]); }
  const idx = new Map([...classes].sort((a, b) => a - b).map((c, i) => [c, i]));
  const K = idx.size;
  const t = new Float64Array(K), p = new Float64Array(K);
  let c = 0;
  for (let i = 0; i < n; i++) {
    t[idx.get(gold[i])!]++; p[idx.get(pred[i])!]++;
    if (pred[i] === gold[i]) c++;
  }
  let tp = 0, tt = 0, pp = 0;
  for (let k = 0; k < K; k++) { tp += t[k] * p[k]; tt += t[k] * t[k]; pp += p[k] * p[k]; }
  const den = Math.sqrt((n * n - pp) * (n * n - tt));
  return den ? pct((c * n - tp) / den) : 0;
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLengths(x, y);
  const n = x.length;
  if (n < 2) return 0;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
  mx /= n; my /= n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) { const a = x[i] - mx, b = y[i] - my; sxy += a * b; sxx += a * a; syy += b * b; }
  const d = Math.sqrt(sxx * syy);
  return d ? pct(sxy / d) : 0;
}

/** 1-based ranks, ties get the average of the ranks they span (scipy.stats.rankdata 'average'). */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]] === x[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]] = avg;
    i = j + 1;
  }
  return r;
}

export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkLengths(x, y);
  return pearson(averageRanks(x), averageRanks(y));
}

function checkLengths(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new Error(`metric inputs differ in length: ${a.length} predictions, ${b.length} labels`);
}

const acc: MetricDef = { name: 'accuracy', direction: 'max', description: 'accuracy (%)' };
const f1: MetricDef = { name: 'f1', direction: 'max', description: 'F1 of the positive class (%)' };
const avg = (of: string): MetricDef => ({ name: 'average', direction: 'max', description: `mean of ${of} (%), LST's average_metrics` });

/** Metric definitions per task, headline first (matches the registry's GLUE task definitions). */
export const GLUE_METRIC_DEFS: Record<GlueTaskId, MetricDef[]> = {
  'glue-cola': [{ name: 'matthews_correlation', direction: 'max', description: 'Matthews correlation (%)' }],
  'glue-sst2': [acc],
  'glue-mrpc': [avg('F1 and accuracy'), f1, acc],
  'glue-qqp': [avg('F1 and accuracy'), f1, acc],
  'glue-stsb': [avg('Pearson and Spearman'), { name: 'pearson', direction: 'max', description: 'Pearson correlation (%)' }, { name: 'spearmanr', direction: 'max', description: 'Spearman correlation (%)' }],
  'glue-mnli': [acc],
  'glue-qnli': [acc],
  'glue-rte': [acc],
};

/**
 * All metrics of a task. Classification: `pred` are class ids (argmax of the logits); STS-B: predicted scores.
 * Every value is in percent.
 */
export function computeGlueMetrics(task: GlueTaskId, pred: ArrayLike<number>, gold: ArrayLike<number>): Record<string, number> {
  switch (task) {
    case 'glue-cola': return { matthews_correlation: matthewsCorrelation(pred, gold) };
    case 'glue-mrpc': case 'glue-qqp': {
      const f = f1Positive(pred, gold), a = accuracy(pred, gold);
      return { average: (f + a) / 2, f1: f, accuracy: a };
    }
    case 'glue-stsb': {
      const p = pearson(pred, gold), s = spearman(pred, gold);
      return { average: (p + s) / 2, pearson: p, spearmanr: s };
    }
    default: return { accuracy: accuracy(pred, gold) };
  }
}

/** The headline number of a task's metrics (the first definition). */
export function headlineMetric(task: GlueTaskId, metrics: Record<string, number>): number {
  return metrics[GLUE_METRIC_DEFS[task][0].name];
}
