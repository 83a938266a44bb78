// Linear layers. The backward pass uses explicit transposes so both gradient matmuls stay on the fast,
// untransposed XNNPACK path of the wasm backend (transposeA/transposeB fall back to a naive loop, 10-40x slower).
import { tf, type Tensor } from '../tf.js';
import { tracedSave, customGrad } from './trace.js';
import { sumLeading } from './reduce.js';
import { extraCopies } from '../memory/extra-copies.js';

/** Documented saved sets (what PyTorch keeps for the same op). */
export const LINEAR_SAVES = ['x', 'W'] as const;
export const FROZEN_LINEAR_SAVES = [] as const;

// Inputs of rank > 2 are flattened to [rows, in] INSIDE each custom op: a reshape on the tape would save its input
// (tfjs's Reshape gradient keeps x for its shape), which kept every 3-D linear's output alive until backward.
function to2d(x: Tensor): Tensor {
  const shape = x.shape;
  return shape.length === 2 ? x : tf.reshape(x, [-1, shape[shape.length - 1]]);
}
function from2d(y: Tensor, inShape: number[], out: number): Tensor {
  return inShape.length === 2 ? y : tf.reshape(y, [...inShape.slice(0, -1), out]);
}

const linearBias = customGrad((x: Tensor, W: Tensor, b: Tensor, save: tf.GradSaveFunc) => {
  const x2 = to2d(x), out = (W.shape as number[])[1];
  tracedSave('linear', LINEAR_SAVES, save, [x2, W]);
  return {
    value: tf.tidy(() => from2d(tf.add(tf.matMul(x2 as tf.Tensor2D, W as tf.Tensor2D), b), x.shape, out)),
    gradFunc: (dy: Tensor, [sx, sW]: Tensor[]) => tf.tidy(() => {
      const dy2 = to2d(dy) as tf.Tensor2D;
      return [
        tf.reshape(tf.matMul(dy2, tf.transpose(sW as tf.Tensor2D)), x.shape),
        tf.matMul(tf.transpose(sx as tf.Tensor2D), dy2),
        sumLeading(dy2),
      ];
    }),
  };
}) as (x: Tensor, W: Tensor, b: Tensor) => Tensor;

const linearNoBias = customGrad((x: Tensor, W: Tensor, save: tf.GradSaveFunc) => {
  const x2 = to2d(x), out = (W.shape as number[])[1];
  tracedSave('linear', LINEAR_SAVES, save, [x2, W]);
  return {
    value: tf.tidy(() => from2d(tf.matMul(x2 as tf.Tensor2D, W as tf.Tensor2D), x.shape, out)),
    gradFunc: (dy: Tensor, [sx, sW]: Tensor[]) => tf.tidy(() => {
      const dy2 = to2d(dy) as tf.Tensor2D;
      return [tf.reshape(tf.matMul(dy2, tf.transpose(sW as tf.Tensor2D)), x.shape), tf.matMul(tf.transpose(sx as tf.Tensor2D), dy2)];
    }),
  };
}) as (x: Tensor, W: Tensor) => Tensor;

/** y = x W + b with a trainable W ([in, out]); x may have any rank, the last axis is `in`. */
export function linear(x: Tensor, W: Tensor, b?: Tensor | null): Tensor {
  return b ? linearBias(x, W, b) : linearNoBias(x, W);
}

/**
 * y = x W + b with a frozen W: no weight gradient is computed or kept, and the input gradient multiplies by a
 * pre-transposed copy of W (kept once per weight, accounted as an "extra copy" by the memory probe). Only the bias
 * may train (BitFit); pass `trainBias` to route its gradient.
 */
export function frozenLinear(x: Tensor, W: Tensor, b?: Tensor | null, trainBias = false): Tensor {
  const out = (W.shape as number[])[1];
  const forward = (xx: Tensor, bb: Tensor | null | undefined) =>
    tf.tidy(() => { const m = tf.matMul(to2d(xx) as tf.Tensor2D, W as tf.Tensor2D); return from2d(bb ? tf.add(m, bb) : m, xx.shape, out); });
  const dInput = (dy2: Tensor) => tf.reshape(tf.matMul(dy2 as tf.Tensor2D, extraCopies.transposed(W)), x.shape);
  if (b && trainBias) {
    const f = customGrad((xx: Tensor, bb: Tensor, save: tf.GradSaveFunc) => {
      tracedSave('frozenLinear', FROZEN_LINEAR_SAVES, save, []);
      return {
        value: forward(xx, bb),
        gradFunc: (dy: Tensor) => tf.tidy(() => { const dy2 = to2d(dy); return [dInput(dy2), sumLeading(dy2)]; }),
      };
    }) as (xx: Tensor, bb: Tensor) => Tensor;
    return f(x, b);
  }
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    tracedSave('frozenLinear', FROZEN_LINEAR_SAVES, save, []);
    return { value: forward(xx, b), gradFunc: (dy: Tensor) => tf.tidy(() => dInput(to2d(dy))) };
  }) as (xx: Tensor) => Tensor;
  return f(x);
}

/** Plain tfjs autograd reference (for tests and the lean-vs-plain bench). */
export function plainLinear(x: Tensor, W: Tensor, b?: Tensor | null): Tensor {
  let y = tf.matMul(to2d(x) as tf.Tensor2D, W as tf.Tensor2D) as Tensor;
  if (b) y = tf.add(y, b);
  return from2d(y, x.shape, (W.shape as number[])[1]);
}
