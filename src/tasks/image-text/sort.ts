// Descending sort along the last axis with a gradient: the forward pass takes tf.topk's sorted values; the backward
// pass routes each gradient entry back to the position its value came from, via the inverse permutation (argsort of
// the indices, itself a topk), with one flat gather. Saves only the int32 indices.
import { tf, type Tensor } from '../../engine/tf.js';
import { customGrad, tracedSave } from '../../engine/ops/trace.js';

/** Gathers x[r, idx[r, j]] for a 2-D x [N, T] and int32 idx [N, T] with one 1-D gather. */
function gatherRows(x: Tensor, idx: Tensor): Tensor {
  const [N, T] = x.shape;
  const offs = tf.mul(tf.range(0, N, 1, 'int32').reshape([N, 1]), tf.scalar(T, 'int32'));
  return tf.reshape(tf.gather(tf.reshape(x, [N * T]), tf.reshape(tf.add(idx, offs), [N * T])), [N, T]);
}

/** Sorts each row of x ([..., T]) in descending order. */
export function sortDescending(x: Tensor): Tensor {
  const shape = x.shape, T = shape[shape.length - 1], N = x.size / T;
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    const { values, indices } = tf.topk(tf.reshape(xx, [N, T]), T, true);
    tracedSave('sortDescending', ['indices'], save, [indices]);
    return {
      value: tf.reshape(values, shape),
      gradFunc: (dy: Tensor, [idx]: Tensor[]) => tf.tidy(() => {
        const inverse = tf.topk(tf.neg(tf.cast(idx, 'float32')), T, true).indices;   // argsort ascending of idx
        return tf.reshape(gatherRows(tf.reshape(dy, [N, T]), inverse), shape);
      }),
    };
  }) as (a: Tensor) => Tensor;
  return f(x);
}
