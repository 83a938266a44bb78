// Training defaults of the eight GLUE tasks on the mini T5 (`--backbone t5-mini`): the registry's METHOD_MINI_TRAIN.t5,
// applied by resolveRunSpec on top of the task's mini defaults, then the small tasks' longer schedule (the GLUE tasks'
// miniTrainByFamily.t5); an experiment file or --set still wins.
// - Rates: full fine-tuning at LST's 3e-4; the through-backbone PETL methods at the mini text encoder's rates (BitFit
//   1e-2, Adapters and LoRA 3e-3): at LST's 3e-4 the 64-wide model hardly moved (mini CoLA, 10 epochs: BitFit's loss
//   0.303 -> 0.296, MCC -4.6; at 1e-2: 0.307 -> 0.248, MCC 17.4); prompt tuning at LST's 0.3. t5-mini, like t5-base,
//   was pretrained on a mixture holding the (mini) GLUE training sets, so these methods start from a model that
//   already emits the label strings. LST and UniPT replace the decoder output the LM head reads with their own, which
//   starts untrained (early loss 0.8-4.6 against 0.25-0.5 for the others): five epochs at 1e-2 on the large tasks.
// - Epochs: LST trains its small GLUE tasks (CoLA, MRPC, STS-B, RTE) for 20 epochs and the others for 10. Here the
//   large tasks get one pass (side networks five); the small ones ten (side networks and prompt tuning twenty over the
//   whole training set). Mini CoLA needs it: at the large tasks' budget no method but full fine-tuning beat the constant
//   answer (measured in src/tasks/glue-t5/INFERRED.md).
// A run stays within ~5-70 s on one core; the T5 path is not part of the mini sweep.
import type { TrainConfig } from '../../train/spec.js';
import { GLUE_SCHEMAS } from '../glue/data/schema.js';

/** Shared by every method: one pass over a seeded subset, batch 16, linear decay after a short warm-up. */
export const T5_MINI_TRAIN_BASE: Partial<TrainConfig> = { epochs: 1, batchSize: 16, maxTrainExamples: 960, schedule: 'linear', warmupRatio: 0.06 };

/** Per method: lr, fewer examples for the costlier in-tape methods, more epochs for the side networks. */
export const T5_MINI_TRAIN_BY_METHOD: Record<string, Partial<TrainConfig>> = {
  full: { lr: 3e-4, maxTrainExamples: 768 },
  bitfit: { lr: 1e-2, maxTrainExamples: 768 },
  adapter: { lr: 3e-3, maxTrainExamples: 768 },
  lora: { lr: 3e-3, maxTrainExamples: 768 },
  prompt: { lr: 3e-1, maxTrainExamples: 768 },
  lst: { lr: 1e-2, epochs: 5 },
  unipt: { lr: 1e-2, epochs: 5 },
};

/** Per method, complete: the registry's METHOD_MINI_TRAIN entry for the t5 family. */
export const T5_GLUE_MINI_TRAIN: Record<string, Partial<TrainConfig>> = Object.fromEntries(
  Object.entries(T5_MINI_TRAIN_BY_METHOD).map(([m, o]) => [m, { ...T5_MINI_TRAIN_BASE, ...o }]),
);

/**
 * LST's small GLUE tasks (20 epochs at paper scale against 10; 1,000-1,200 mini training examples each): the tasks
 * whose split rule halves the dev set.
 */
export const T5_MINI_SMALL_TASKS: readonly string[] = Object.values(GLUE_SCHEMAS).filter((g) => g.splitRule === 'small').map((g) => g.id);

/** The small tasks' schedule, per method (over T5_GLUE_MINI_TRAIN): ten passes; twenty over the whole set for the slow learners. */
export const T5_MINI_SMALL_TASK_TRAIN: Record<string, Partial<TrainConfig>> = {
  full: { epochs: 10 },
  bitfit: { epochs: 10 },
  adapter: { epochs: 10 },
  lora: { epochs: 10 },
  prompt: { epochs: 20, maxTrainExamples: null },
  lst: { epochs: 20, maxTrainExamples: null },
  unipt: { epochs: 20, maxTrainExamples: null },
};

/** A GLUE task's own t5 overrides (its miniTrainByFamily.t5), or none for the large tasks. */
export function t5GlueMiniTrainFor(taskId: string): Record<string, Partial<TrainConfig>> | undefined {
  return T5_MINI_SMALL_TASKS.includes(taskId) ? T5_MINI_SMALL_TASK_TRAIN : undefined;
}
