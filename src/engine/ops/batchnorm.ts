// Batch normalisation over N, H, W of NHWC maps (or N of [N, C]). Training mode normalises with batch statistics
// (saves x, mean, rstd and gamma, like PyTorch); inference mode uses running statistics (an affine map).
import { tf, type Tensor } from '../tf.js';
import { tracedSave, customGrad } from './trace.js';
import { sumLeading } from './reduce.js';

export const BATCH_NORM_SAVES = ['x', 'mean', 'rstd', 'gamma'] as const;
/** Running-statistics mode with a trainable affine: x for gamma's gradient, gamma for x's. */
export const BATCH_NORM_INFERENCE_SAVES = ['x', 'gamma'] as const;
/** Running statistics and a frozen affine: dx = dy * gamma * rstd needs no activation. */
export const FROZEN_BATCH_NORM_SAVES = [] as const;

function axesOf(x: Tensor): number[] { return x.shape.slice(0, -1).map((_, i) => i); }

/** Mean and biased variance over every axis but the last, via sumLeading (tf.moments over leading axes is slow on wasm). */
function leadingMoments(x: Tensor): { mean: Tensor; variance: Tensor } {
  return tf.tidy(() => {
    const n = x.size / (x.shape[x.shape.length - 1] as number);
    const mean = tf.div(sumLeading(x), n);
    const variance = tf.div(sumLeading(tf.square(tf.sub(x, mean))), n);
    return { mean, variance };
  });
}

export interface BatchStats { mean: Tensor; variance: Tensor }

/**
 * Batch-statistics normalisation. Returns the output and the (biased) batch statistics, which the caller uses to
 * update running averages. Gradients flow to x, gamma and beta.
 */
export function batchNormTrain(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): { y: Tensor; stats: BatchStats } {
  const axes = axesOf(x);
  const n = axes.reduce((a, i) => a * x.shape[i], 1);
  // The statistics are computed inside the custom op, off the tape: tf.moments on the tape would save x - mean and
  // its square (two activations the size of x). They leave the op kept, and are handed to the caller's scope below.
  let kept: BatchStats | null = null;
  const f = customGrad((xx: Tensor, g: Tensor, b: Tensor, save: tf.GradSaveFunc) => {
    const m = leadingMoments(xx);
    kept = { mean: tf.keep(m.mean), variance: tf.keep(m.variance) };
    const rstd = tf.rsqrt(tf.add(m.variance, eps));
    tracedSave('batchNorm', BATCH_NORM_SAVES, save, [xx, m.mean, rstd, g]);
    return {
      value: tf.tidy(() => tf.add(tf.mul(tf.mul(tf.sub(xx, m.mean), rstd), g), b)),
      gradFunc: (dy: Tensor, [sx, sm, sr, sg]: Tensor[]) => tf.tidy(() => {
        const xhat = tf.mul(tf.sub(sx, sm), sr);
        const dxhat = tf.mul(dy, sg);
        const sumD = sumLeading(dxhat), sumDX = sumLeading(tf.mul(dxhat, xhat));
        const dx = tf.mul(tf.sub(tf.sub(tf.mul(dxhat, n), sumD), tf.mul(xhat, sumDX)), tf.div(sr, n));
        return [dx, sumLeading(tf.mul(dy, xhat)), sumLeading(dy)];
      }),
    };
  }) as (a: Tensor, g: Tensor, b: Tensor) => Tensor;
  const y = f(x, gamma, beta);
  const k = kept as BatchStats | null;
  if (!k) throw new Error('batchNormTrain: the forward pass did not run');
  // clones share the buffers and belong to the caller's tidy scope (Identity saves nothing on the tape)
  const stats = { mean: tf.clone(k.mean), variance: tf.clone(k.variance) };
  k.mean.dispose(); k.variance.dispose();
  return { y, stats };
}

/** Running-statistics normalisation (inference, or a frozen CNN backbone); gamma/beta may still train. */
export function batchNormInference(x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, eps = 1e-5, trainAffine = true): Tensor {
  const scale = (g: Tensor) => tf.mul(g, tf.rsqrt(tf.add(runningVar, eps)));
  if (!trainAffine) {
    // a custom op so that the affine map's Sub/Mul/Add do not save x-sized tensors on the tape
    const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
      tracedSave('frozenBatchNorm', FROZEN_BATCH_NORM_SAVES, save, []);
      return {
        value: tf.tidy(() => tf.add(tf.mul(tf.sub(xx, runningMean), scale(gamma)), beta)),
        gradFunc: (dy: Tensor) => tf.tidy(() => tf.mul(dy, scale(gamma))),
      };
    }) as (a: Tensor) => Tensor;
    return f(x);
  }
  const axes = axesOf(x);
  const f = customGrad((xx: Tensor, g: Tensor, b: Tensor, save: tf.GradSaveFunc) => {
    // gamma is saved, not captured: when it is computed in the forward pass it is disposed before backward runs
    tracedSave('batchNormInference', BATCH_NORM_INFERENCE_SAVES, save, [xx, g]);
    return {
      value: tf.tidy(() => tf.add(tf.mul(tf.sub(xx, runningMean), scale(g)), b)),
      gradFunc: (dy: Tensor, [sx, sg]: Tensor[]) => tf.tidy(() => {
        const rstd = tf.rsqrt(tf.add(runningVar, eps));
        const xhat = tf.mul(tf.sub(sx, runningMean), rstd);
        return [tf.mul(dy, tf.mul(sg, rstd)), sumLeading(tf.mul(dy, xhat)), sumLeading(dy)];
      }),
    };
  }) as (a: Tensor, g: Tensor, b: Tensor) => Tensor;
  return f(x, gamma, beta);
}

export function plainBatchNormTrain(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const { mean, variance } = tf.moments(x, axesOf(x));
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}
