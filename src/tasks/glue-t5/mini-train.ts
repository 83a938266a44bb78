// Training defaults of the eight GLUE tasks on the mini T5 (`--backbone t5-mini`), applied by resolveRunSpec on top of
// the task's mini defaults and the method's mini overrides (an experiment file or --set still wins). They differ from
// the encoder path's because the text-to-text path must first learn to emit the label strings ("0", "1", "2", "3.4")
// through the frozen LM head: those digit tokens never occur in the mini pretraining corpus, so every method starts
// far from the output format and needs a higher learning rate than on a classification head. The sizes keep one run
// (process start, load, train, evaluate) at about 10 s on one idle core.
// Learning rates were chosen by a sweep on mini SST-2 (1 epoch of 960 examples, batch 16): the lowest rate per method
// that reached the constant-prediction loss within the budget (lower ones were still emitting invalid strings).
import type { TrainConfig } from '../../train/spec.js';

/** Shared by every method: one pass over a seeded subset, batch 16, linear decay after a short warm-up. */
export const T5_MINI_TRAIN_BASE: Partial<TrainConfig> = { epochs: 1, batchSize: 16, maxTrainExamples: 960, schedule: 'linear', warmupRatio: 0.06 };

/** Per method: lr, and fewer examples for the costlier in-tape methods so that a run stays near 10 s. */
export const T5_MINI_TRAIN_BY_METHOD: Record<string, Partial<TrainConfig>> = {
  full: { lr: 1e-3, maxTrainExamples: 768 },
  bitfit: { lr: 1e-2, maxTrainExamples: 768 },
  adapter: { lr: 3e-3, maxTrainExamples: 768 },
  lora: { lr: 3e-3, maxTrainExamples: 768 },
  prompt: { lr: 3e-1, maxTrainExamples: 768 },
  lst: { lr: 1e-2 },
  unipt: { lr: 1e-2 },
};

/** The overlay for one GLUE task x method on the mini T5. */
export function t5GlueMiniTrain(_taskId: string, methodId: string): Partial<TrainConfig> {
  return { ...T5_MINI_TRAIN_BASE, ...(T5_MINI_TRAIN_BY_METHOD[methodId] ?? {}) };
}
