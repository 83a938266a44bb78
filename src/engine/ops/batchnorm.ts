// Batch normalisation over N, H, W of NHWC maps (or N of [N, C]). Training mode normalises with batch statistics
// (saves x, mean, rstd and gamma, like PyTorch); inference mode uses running statistics (an affine map).
import { tf, type Tensor } from '../tf.js';
import { tracedSave, customGrad } from './trace.js';

export const BATCH_NORM_SAVES = ['x', 'mean', 'rstd', 'gamma'] as const;

function axesOf(x: Tensor): number[] { return x.shape.slice(0, -1).map((_, i) => i); }

export interface BatchStats { mean: Tensor; variance: Tensor }

/**
 * Batch-statistics normalisation. Returns the output and the (biased) batch statistics, which the caller uses to
 * update running averages. Gradients flow to x, gamma and beta.
 */
export function batchNormTrain(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): { y: Tensor; stats: BatchStats } {
  const axes = axesOf(x);
  const n = axes.reduce((a, i) => a * x.shape[i], 1);
  const stats = tf.tidy(() => { const m = tf.moments(x, axes); return { mean: m.mean, variance: m.variance }; });
  const f = customGrad((xx: Tensor, g: Tensor, b: Tensor, save: tf.GradSaveFunc) => {
    const rstd = tf.tidy(() => tf.rsqrt(tf.add(stats.variance, eps)));
    tracedSave('batchNorm', BATCH_NORM_SAVES, save, [xx, stats.mean, rstd, g]);
    return {
      value: tf.tidy(() => tf.add(tf.mul(tf.mul(tf.sub(xx, stats.mean), rstd), g), b)),
      gradFunc: (dy: Tensor, [sx, sm, sr, sg]: Tensor[]) => tf.tidy(() => {
        const xhat = tf.mul(tf.sub(sx, sm), sr);
        const dxhat = tf.mul(dy, sg);
        const sumD = tf.sum(dxhat, axes), sumDX = tf.sum(tf.mul(dxhat, xhat), axes);
        const dx = tf.mul(tf.sub(tf.sub(tf.mul(dxhat, n), sumD), tf.mul(xhat, sumDX)), tf.div(sr, n));
        return [dx, tf.sum(tf.mul(dy, xhat), axes), tf.sum(dy, axes)];
      }),
    };
  }) as (a: Tensor, g: Tensor, b: Tensor) => Tensor;
  return { y: f(x, gamma, beta), stats };
}

/** Running-statistics normalisation (inference, or a frozen CNN backbone); gamma/beta may still train. */
export function batchNormInference(x: Tensor, gamma: Tensor, beta: Tensor, runningMean: Tensor, runningVar: Tensor, eps = 1e-5, trainAffine = true): Tensor {
  const scale = (g: Tensor) => tf.mul(g, tf.rsqrt(tf.add(runningVar, eps)));
  if (!trainAffine) return tf.tidy(() => tf.add(tf.mul(tf.sub(x, runningMean), scale(gamma)), beta));
  const axes = axesOf(x);
  const f = customGrad((xx: Tensor, g: Tensor, b: Tensor, save: tf.GradSaveFunc) => {
    tracedSave('batchNormInference', ['x'], save, [xx]);
    return {
      value: tf.tidy(() => tf.add(tf.mul(tf.sub(xx, runningMean), scale(g)), b)),
      gradFunc: (dy: Tensor, [sx]: Tensor[]) => tf.tidy(() => {
        const rstd = tf.rsqrt(tf.add(runningVar, eps));
        const xhat = tf.mul(tf.sub(sx, runningMean), rstd);
        return [tf.mul(dy, tf.mul(g, rstd)), tf.sum(tf.mul(dy, xhat), axes), tf.sum(dy, axes)];
      }),
    };
  }) as (a: Tensor, g: Tensor, b: Tensor) => Tensor;
  return f(x, gamma, beta);
}

export function plainBatchNormTrain(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const { mean, variance } = tf.moments(x, axesOf(x));
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}
