// What a task family hands the generic trainer: a model with its trainable parameters and a two-phase step
// (frozen-only work outside the gradient tape, then the loss inside it), batches, and an evaluator.
import type { Tensor } from '../engine/tf.js';
import type { Rng } from '../engine/rng.js';
import type { ForwardCtx } from '../nn/module.js';
import type { Param } from '../nn/param.js';
import type { ParamGroup } from '../train/optim.js';
import type { MetricDef, ParamAccounting } from '../train/spec.js';

/** One mini-batch; families define their own fields. `size` is the number of examples. */
export interface Batch { size: number }

export type Split = 'train' | 'validation' | 'test';

export interface TrainableModel<B extends Batch = Batch> {
  /** Trainable parameters in optimizer groups (e.g. a side network at one lr and heads at another). */
  paramGroups(): ParamGroup[];
  /** Every parameter (frozen included), for memory accounting. */
  allParams(): Param[];
  accounting(): ParamAccounting;
  /**
   * Frozen-only computation, run by the trainer outside the gradient tape inside a tf.tidy (side methods: the
   * backbone's hidden states). The returned tensors are kept for `loss` and disposed after the step.
   * In-tape methods return an empty list.
   */
  prepare(batch: B, ctx: ForwardCtx): Tensor[];
  /** The scalar training loss, run inside the gradient tape. */
  loss(batch: B, prepared: Tensor[], ctx: ForwardCtx): Tensor;
  dispose(): void;
}

export interface TaskRun<B extends Batch = Batch> {
  model: TrainableModel<B>;
  metricDefs: MetricDef[];
  /** Number of training examples and optimizer steps per epoch. */
  trainSize: number;
  stepsPerEpoch: number;
  /** The epoch's training batches, shuffled with `rng`; tensors in a batch are disposed by the caller. */
  trainBatches(epoch: number, rng: Rng): Iterable<B>;
  disposeBatch(batch: B): void;
  /** Metrics on a split with the current weights (no dropout, outside the tape). */
  evaluate(split: Exclude<Split, 'train'>): Promise<Record<string, number>>;
  /** Versions that change a number: e.g. { task: 'glue-sst2@1', data: '<fingerprint>', checkpoint: '<hash>' }. */
  versions: Record<string, string>;
  dispose(): void;
}
