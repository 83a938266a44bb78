// VQA metrics as LXMERT's / CLIP-ViL's evaluators compute them (VQAEvaluator.evaluate, GQAEvaluator.evaluate: for
// each question `if ans in label: score += label[ans]`, divided by the number of questions), in percent:
//   vqa_accuracy  the soft score of the predicted answer in the question's label dict (VQA: min(1, #annotators who
//                 gave it / 3), averaged over questions); an answer absent from the dict scores 0;
//   accuracy      GQA: exact match with the question's answer (its label dict holds that one answer with score 1).
// The official VQA metric averages min(1, matches / 3) over the 10 leave-one-annotator-out subsets; the label scores
// precomputed in the LXMERT files (and in the mini data) stand in for it, as in LXMERT and CLIP-ViL.
import type { MetricDef } from '../../train/spec.js';

export type VqaTaskId = 'vqa-vqav2' | 'vqa-gqa';
export const VQA_TASK_IDS: readonly VqaTaskId[] = ['vqa-vqav2', 'vqa-gqa'];

export const VQA_METRIC_DEFS: Record<VqaTaskId, MetricDef[]> = {
  'vqa-vqav2': [{ name: 'vqa_accuracy', direction: 'max', description: 'VQA soft accuracy min(#humans that gave the answer / 3, 1) (%)' }],
  'vqa-gqa': [{ name: 'accuracy', direction: 'max', description: 'exact-match accuracy on testdev (%)' }],
};

function check(predicted: readonly string[], labels: readonly (Readonly<Record<string, number>> | null)[]): void {
  if (predicted.length !== labels.length) throw new Error(`${predicted.length} predictions for ${labels.length} questions`);
  if (!predicted.length) throw new Error('no questions to evaluate');
  labels.forEach((l, i) => { if (!l) throw new Error(`question ${i} has no label: an unlabelled split (test.json) cannot be scored here`); });
}

/** Mean soft score of the predicted answers, in percent. */
export function vqaAccuracy(predicted: readonly string[], labels: readonly (Readonly<Record<string, number>> | null)[]): number {
  check(predicted, labels);
  let s = 0;
  predicted.forEach((p, i) => { s += labels[i]![p] ?? 0; });
  return (100 * s) / predicted.length;
}

/** The question's answer: the label key with the highest score (GQA labels hold exactly one). */
export function goldAnswer(label: Readonly<Record<string, number>>): string | null {
  let best: string | null = null, bs = -Infinity;
  for (const [a, s] of Object.entries(label)) if (s > bs) { best = a; bs = s; }
  return best;
}

/** Exact-match accuracy against each question's answer, in percent. */
export function gqaAccuracy(predicted: readonly string[], labels: readonly (Readonly<Record<string, number>> | null)[]): number {
  check(predicted, labels);
  let c = 0;
  predicted.forEach((p, i) => { if (p === goldAnswer(labels[i]!)) c++; });
  return (100 * c) / predicted.length;
}

export function computeVqaMetrics(task: VqaTaskId, predicted: readonly string[], labels: readonly (Readonly<Record<string, number>> | null)[]): Record<string, number> {
  return task === 'vqa-vqav2' ? { vqa_accuracy: vqaAccuracy(predicted, labels) } : { accuracy: gqaAccuracy(predicted, labels) };
}
