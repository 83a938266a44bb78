// Linear layers. The backward pass uses explicit transposes so both gradient matmuls stay on the fast,
// untransposed XNNPACK path of the wasm backend (transposeA/transposeB fall back to a naive loop, 10-40x slower).
import { tf, type Tensor } from '../tf.js';
import { tracedSave, customGrad } from './trace.js';
import { extraCopies } from '../memory/extra-copies.js';

/** Documented saved sets (what PyTorch keeps for the same op). */
export const LINEAR_SAVES = ['x', 'W'] as const;
export const FROZEN_LINEAR_SAVES = [] as const;

function to2d(x: Tensor): [Tensor, number[]] {
  const shape = x.shape;
  return [shape.length === 2 ? x : x.reshape([-1, shape[shape.length - 1]]), shape];
}
function from2d(y: Tensor, inShape: number[], out: number): Tensor {
  return inShape.length === 2 ? y : y.reshape([...inShape.slice(0, -1), out]);
}

const linearBias = customGrad((x: Tensor, W: Tensor, b: Tensor, save: tf.GradSaveFunc) => {
  tracedSave('linear', LINEAR_SAVES, save, [x, W]);
  return {
    value: tf.tidy(() => tf.add(tf.matMul(x as tf.Tensor2D, W as tf.Tensor2D), b)),
    gradFunc: (dy: Tensor, [sx, sW]: Tensor[]) => tf.tidy(() => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(sW as tf.Tensor2D)),
      tf.matMul(tf.transpose(sx as tf.Tensor2D), dy as tf.Tensor2D),
      tf.sum(dy, 0),
    ]),
  };
}) as (x: Tensor, W: Tensor, b: Tensor) => Tensor;

const linearNoBias = customGrad((x: Tensor, W: Tensor, save: tf.GradSaveFunc) => {
  tracedSave('linear', LINEAR_SAVES, save, [x, W]);
  return {
    value: tf.matMul(x as tf.Tensor2D, W as tf.Tensor2D),
    gradFunc: (dy: Tensor, [sx, sW]: Tensor[]) => tf.tidy(() => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(sW as tf.Tensor2D)),
      tf.matMul(tf.transpose(sx as tf.Tensor2D), dy as tf.Tensor2D),
    ]),
  };
}) as (x: Tensor, W: Tensor) => Tensor;

/** y = x W + b with a trainable W ([in, out]); x may have any rank, the last axis is `in`. */
export function linear(x: Tensor, W: Tensor, b?: Tensor | null): Tensor {
  const [x2, shape] = to2d(x);
  const y = b ? linearBias(x2, W, b) : linearNoBias(x2, W);
  return from2d(y, shape, (W.shape as number[])[1]);
}

/**
 * y = x W + b with a frozen W: no weight gradient is computed or kept, and the input gradient multiplies by a
 * pre-transposed copy of W (kept once per weight, accounted as an "extra copy" by the memory probe). Only the bias
 * may train (BitFit); pass `trainBias` to route its gradient.
 */
export function frozenLinear(x: Tensor, W: Tensor, b?: Tensor | null, trainBias = false): Tensor {
  const [x2, shape] = to2d(x);
  let y: Tensor;
  if (b && trainBias) {
    const f = customGrad((xx: Tensor, bb: Tensor, save: tf.GradSaveFunc) => {
      tracedSave('frozenLinear', FROZEN_LINEAR_SAVES, save, []);
      return {
        value: tf.tidy(() => tf.add(tf.matMul(xx as tf.Tensor2D, W as tf.Tensor2D), bb)),
        gradFunc: (dy: Tensor) => tf.tidy(() => [tf.matMul(dy as tf.Tensor2D, extraCopies.transposed(W)), tf.sum(dy, 0)]),
      };
    }) as (xx: Tensor, bb: Tensor) => Tensor;
    y = f(x2, b);
  } else {
    const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
      tracedSave('frozenLinear', FROZEN_LINEAR_SAVES, save, []);
      return {
        value: tf.tidy(() => { const m = tf.matMul(xx as tf.Tensor2D, W as tf.Tensor2D); return b ? tf.add(m, b) : m; }),
        gradFunc: (dy: Tensor) => tf.matMul(dy as tf.Tensor2D, extraCopies.transposed(W)),
      };
    }) as (xx: Tensor) => Tensor;
    y = f(x2);
  }
  return from2d(y, shape, (W.shape as number[])[1]);
}

/** Plain tfjs autograd reference (for tests and the lean-vs-plain bench). */
export function plainLinear(x: Tensor, W: Tensor, b?: Tensor | null): Tensor {
  const [x2, shape] = to2d(x);
  let y = tf.matMul(x2 as tf.Tensor2D, W as tf.Tensor2D) as Tensor;
  if (b) y = tf.add(y, b);
  return from2d(y, shape, (W.shape as number[])[1]);
}
