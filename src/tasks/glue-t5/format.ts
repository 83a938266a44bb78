// GLUE as text-to-text, exactly as LST's seq2seq/data/tasks.py writes it (add_prefix = true):
//   source = "<task> <field>: <text> [<field>: <text>]", target = str(label), i.e. the class id as a digit string:
//   cola   "cola sentence: S"                           -> "0" | "1"
//   sst2   "sst2 sentence: S"                           -> "0" | "1"
//   mrpc   "mrpc sentence1: A sentence2: B"             -> "0" | "1"
//   qqp    "qqp question1: A question2: B"              -> "0" | "1"
//   stsb   "stsb sentence1: A sentence2: B"             -> e.g. "3.4" (round_stsb_target, below)
//   mnli   "mnli premise: P hypothesis H"               -> "0" | "1" | "2"   (LST writes "hypothesis" without a colon)
//   qnli   "qnli question: Q sentence: S"               -> "0" | "1"
//   rte    "rte sentence1: A sentence2: B"              -> "0" | "1"
// Label ids follow the HF glue ClassLabel order (e.g. cola 0 = unacceptable, mnli 0 = entailment), so "1" on CoLA
// means acceptable. LST does not emit label words; it emits these digit strings.
// STS-B: LST's round_stsb_target is np.round((label * 5) / 5, decimals=1), which rounds to one decimal (the "* 5 / 5"
// is a no-op; T5's paper rounds to 0.2). We reproduce the code: one decimal, half to even on label * 10 as NumPy.
// Predictions are compared as decoded strings (LST strips them): a string that is not one of the task's label strings
// is invalid and counts as wrong, never as an error:
//   accuracy: simply wrong;
//   MRPC/QQP F1: set to the opposite of the gold label (LST's f1_score_with_invalid), so it is a FP or a FN;
//   CoLA Matthews: its own extra class (LST passes the raw strings to sklearn, which does the same);
//   STS-B: an unparsable string scores -1 (LST's string_to_float default), a fixed value below every target.
import type { GlueExample, GlueTaskId } from '../glue/data/schema.js';
import { computeGlueMetrics } from '../glue/metrics.js';

export const T5_GLUE_FORMAT_VERSION = 'lst-text-to-text-1';

interface Format { prefix: string; fields: [string, string][] }

const FORMATS: Record<GlueTaskId, Format> = {
  'glue-cola': { prefix: 'cola', fields: [['sentence:', 'sentence']] },
  'glue-sst2': { prefix: 'sst2', fields: [['sentence:', 'sentence']] },
  'glue-mrpc': { prefix: 'mrpc', fields: [['sentence1:', 'sentence1'], ['sentence2:', 'sentence2']] },
  'glue-qqp': { prefix: 'qqp', fields: [['question1:', 'question1'], ['question2:', 'question2']] },
  'glue-stsb': { prefix: 'stsb', fields: [['sentence1:', 'sentence1'], ['sentence2:', 'sentence2']] },
  'glue-mnli': { prefix: 'mnli', fields: [['premise:', 'premise'], ['hypothesis', 'hypothesis']] },
  'glue-qnli': { prefix: 'qnli', fields: [['question:', 'question'], ['sentence:', 'sentence']] },
  'glue-rte': { prefix: 'rte', fields: [['sentence1:', 'sentence1'], ['sentence2:', 'sentence2']] },
};

const NUM_CLASSES: Record<GlueTaskId, number> = {
  'glue-cola': 2, 'glue-sst2': 2, 'glue-mrpc': 2, 'glue-qqp': 2, 'glue-stsb': 0, 'glue-mnli': 3, 'glue-qnli': 2, 'glue-rte': 2,
};

/** The value an unparsable STS-B prediction scores (LST's string_to_float default). */
export const STSB_INVALID_SCORE = -1;
/** The class id an invalid classification string counts as (never a real class). */
export const INVALID_CLASS = -1;

/** The source text of an example. */
export function t5Source(task: GlueTaskId, ex: GlueExample): string {
  const f = FORMATS[task];
  const r = ex as unknown as Record<string, string>;
  const parts = [f.prefix];
  for (const [name, key] of f.fields) {
    const v = r[key];
    if (typeof v !== 'string') throw new Error(`${task} example ${ex.idx}: field "${key}" is missing or not a string`);
    parts.push(name, v);
  }
  return parts.join(' ');
}

/** LST's np.round((label * 5) / 5, decimals=1): NumPy multiplies by 10, rounds half to even, divides by 10. */
export function roundStsbTarget(label: number): number {
  const y = ((label * 5) / 5) * 10;
  const f = Math.floor(y), d = y - f;
  const r = d > 0.5 ? f + 1 : d < 0.5 ? f : (f % 2 === 0 ? f : f + 1);
  return r / 10;
}

/** str() of a float rounded to one decimal, as Python prints it ("3.4", "5.0"). */
function pyStr1(x: number): string { return (Object.is(x, -0) ? 0 : x).toFixed(1); }

/** The target string of a label. */
export function t5Target(task: GlueTaskId, label: number): string {
  if (task === 'glue-stsb') return pyStr1(roundStsbTarget(label));
  const k = NUM_CLASSES[task];
  if (!Number.isInteger(label) || label < 0 || label >= k) throw new Error(`${task}: label ${label} is not a class id in 0..${k - 1}`);
  return String(label);
}

/** Every target string a task can have (LST's labels_list; STS-B: 0.0 .. 5.0 in steps of 0.1, as the code rounds). */
export function t5LabelStrings(task: GlueTaskId): string[] {
  if (task === 'glue-stsb') return Array.from({ length: 51 }, (_, i) => (i / 10).toFixed(1));
  return Array.from({ length: NUM_CLASSES[task] }, (_, i) => String(i));
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Whether a decoded string is one of the task's valid outputs (STS-B: any finite decimal number). */
export function isValidPrediction(task: GlueTaskId, s: string): boolean {
  const t = s.trim();
  if (task === 'glue-stsb') return DECIMAL.test(t) && Number.isFinite(Number(t));
  return t5LabelStrings(task).includes(t);
}

/** A decoded string as a number: class id or INVALID_CLASS; STS-B score or STSB_INVALID_SCORE. */
export function parsePrediction(task: GlueTaskId, s: string): number {
  const t = s.trim();
  if (!isValidPrediction(task, t)) return task === 'glue-stsb' ? STSB_INVALID_SCORE : INVALID_CLASS;
  return Number(t);
}

/**
 * GLUE metrics (percent) from decoded prediction strings and gold labels (class ids, or STS-B scores compared to
 * the rounded target as LST does), plus `invalid`: the share (%) of predictions that were not valid label strings.
 */
export function t5GlueMetrics(task: GlueTaskId, predictions: readonly string[], goldLabels: readonly number[]): Record<string, number> {
  if (predictions.length !== goldLabels.length) throw new Error(`${task}: ${predictions.length} predictions for ${goldLabels.length} labels`);
  const n = predictions.length;
  let invalid = 0;
  const pred = new Float64Array(n), gold = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ok = isValidPrediction(task, predictions[i]);
    if (!ok) invalid++;
    if (task === 'glue-stsb') {
      gold[i] = Number(t5Target(task, goldLabels[i]));
      pred[i] = parsePrediction(task, predictions[i]);
    } else {
      gold[i] = goldLabels[i];
      const p = parsePrediction(task, predictions[i]);
      // LST's f1_score_with_invalid: an invalid prediction becomes the opposite of its target
      pred[i] = !ok && (task === 'glue-mrpc' || task === 'glue-qqp') ? 1 - goldLabels[i] : p;
    }
  }
  return { ...computeGlueMetrics(task, pred, gold), invalid: n ? (100 * invalid) / n : 0 };
}
