// T5's output projection. v1 ties it to the shared embeddings (logits = x E^T after rescaling x by d_model^-0.5);
// v1.1 has its own lm_head.weight. The tied product is a custom op: a frozen table multiplies by a pre-transposed
// copy kept once (as every frozen linear does) and its input gradient by the table itself; a trainable table keeps
// only x for the backward pass (dE = dy^T x), never a transposed copy of the vocabulary matrix.
import { tf, type Tensor } from '../../engine/tf.js';
import { customGrad, tracedSave } from '../../engine/ops/trace.js';
import { extraCopies } from '../../engine/memory/extra-copies.js';
import { ops } from '../../engine/ops/index.js';
import { Module } from '../../nn/module.js';
import type { Param } from '../../nn/param.js';
import * as init from '../../nn/init.js';

export const TIED_LOGITS_SAVES = ['x'] as const;

/** x [N, D] times E^T for an embedding table E [V, D] -> [N, V]. */
export function tiedLogits(x: Tensor, E: Tensor, trainE: boolean): Tensor {
  if (ops().mode === 'plain') return tf.matMul(x as tf.Tensor2D, tf.transpose(E as tf.Tensor2D));
  if (!trainE) {
    const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
      tracedSave('tiedLogits(frozen)', [], save, []);
      return {
        value: tf.tidy(() => tf.matMul(xx as tf.Tensor2D, extraCopies.transposed(E))),
        gradFunc: (dy: Tensor) => tf.matMul(dy as tf.Tensor2D, E as tf.Tensor2D),
      };
    }) as (a: Tensor) => Tensor;
    return f(x);
  }
  const f = customGrad((xx: Tensor, ee: Tensor, save: tf.GradSaveFunc) => {
    tracedSave('tiedLogits', TIED_LOGITS_SAVES, save, [xx]);
    return {
      value: tf.tidy(() => tf.matMul(xx as tf.Tensor2D, tf.transpose(ee as tf.Tensor2D))),
      gradFunc: (dy: Tensor, [sx]: Tensor[]) => tf.tidy(() => [
        tf.matMul(dy as tf.Tensor2D, E as tf.Tensor2D),
        tf.matMul(tf.transpose(dy as tf.Tensor2D), sx as tf.Tensor2D),
      ]),
    };
  }) as (a: Tensor, b: Tensor) => Tensor;
  return f(x, E);
}

/** The bias LST's BitFit adds to a tied LM head (`lm_head.bias`, zero-initialised). */
export class LmHeadBias extends Module {
  readonly bias: Param;
  constructor(vocab: number) {
    super();
    this.bias = this.addParam('bias', init.zeros([vocab]), 'bias');
  }
}
