// Embedding lookup. A trainable table's gradient is a segment sum over the looked-up ids (the kernel is registered
// for wasm and cpu by the backend module); only the ids are kept for the backward pass.
import { tf, type Tensor } from '../tf.js';
import { tracedSave, customGrad } from './trace.js';

export const EMBEDDING_SAVES = ['ids'] as const;

/** table [V, D], ids int32 of any shape -> [...ids.shape, D]; gradient flows to the table. */
export function embedding(table: Tensor, ids: Tensor): Tensor {
  const [V, D] = table.shape as number[];
  const f = customGrad((tbl: Tensor, save: tf.GradSaveFunc) => {
    const flat = tf.reshape(ids, [-1]);
    tracedSave('embedding', EMBEDDING_SAVES, save, [flat]);
    return {
      value: tf.tidy(() => tf.reshape(tf.gather(tbl, flat), [...ids.shape, D])),
      gradFunc: (dy: Tensor, [sids]: Tensor[]) => tf.tidy(() => tf.unsortedSegmentSum(tf.reshape(dy, [-1, D]), sids as tf.Tensor1D, V)),
    };
  }) as (t: Tensor) => Tensor;
  return f(table);
}

/** Lookup in a frozen table (no gradient to the table). */
export function frozenEmbedding(table: Tensor, ids: Tensor): Tensor {
  const D = (table.shape as number[])[1];
  return tf.tidy(() => tf.reshape(tf.gather(table, tf.reshape(ids, [-1])), [...ids.shape, D]));
}

export function plainEmbedding(table: Tensor, ids: Tensor): Tensor {
  return tf.reshape(tf.gather(table, tf.reshape(ids, [-1])), [...ids.shape, (table.shape as number[])[1]]);
}
