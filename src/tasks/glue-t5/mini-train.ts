// Training defaults of the eight GLUE tasks on the mini T5 (`--backbone t5-mini`): the registry's METHOD_MINI_TRAIN.t5,
// applied by resolveRunSpec on top of the task's mini defaults (an experiment file or --set still wins). The rates are
// LST's T5 rates (full, BitFit, Adapters, LoRA 3e-4; prompt tuning 0.3): t5-mini, like t5-base, was pretrained on a
// mixture holding the (mini) GLUE training sets, so the through-backbone methods start from a model that already
// emits the label strings. LST and UniPT replace the decoder output the LM head reads with their own, which starts
// untrained (first-step loss 3-7 against 0.3 for the others): they get five epochs at 1e-2 (one epoch left UniPT at
// the constant answer on mini SST-2, MRPC, MNLI and QNLI; five epochs: 54.7, 80.3, 61.8 and above the constant on
// every task but CoLA; both side networks cost about a third of a through-backbone step). A run stays within ~10-35 s
// on one core; the T5 path is not part of the mini sweep.
import type { TrainConfig } from '../../train/spec.js';

/** Shared by every method: one pass over a seeded subset, batch 16, linear decay after a short warm-up. */
export const T5_MINI_TRAIN_BASE: Partial<TrainConfig> = { epochs: 1, batchSize: 16, maxTrainExamples: 960, schedule: 'linear', warmupRatio: 0.06 };

/** Per method: lr, fewer examples for the costlier in-tape methods, more epochs for the side networks. */
export const T5_MINI_TRAIN_BY_METHOD: Record<string, Partial<TrainConfig>> = {
  full: { lr: 3e-4, maxTrainExamples: 768 },
  bitfit: { lr: 3e-4, maxTrainExamples: 768 },
  adapter: { lr: 3e-4, maxTrainExamples: 768 },
  lora: { lr: 3e-4, maxTrainExamples: 768 },
  prompt: { lr: 3e-1, maxTrainExamples: 768 },
  lst: { lr: 1e-2, epochs: 5 },
  unipt: { lr: 1e-2, epochs: 5 },
};

/** Per method, complete: the registry's METHOD_MINI_TRAIN entry for the t5 family. */
export const T5_GLUE_MINI_TRAIN: Record<string, Partial<TrainConfig>> = Object.fromEntries(
  Object.entries(T5_MINI_TRAIN_BY_METHOD).map(([m, o]) => [m, { ...T5_MINI_TRAIN_BASE, ...o }]),
);
