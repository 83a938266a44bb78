// Normalisation layers. Each saves what PyTorch's fused kernels save: the normalised input's source, the per-row
// statistics and the scale; the normalised values are recomputed in the backward pass.
import { tf, type Tensor } from '../tf.js';
import { tracedSave, customGrad } from './trace.js';
import { sumLeading } from './reduce.js';

export const LAYER_NORM_SAVES = ['x', 'mean', 'rstd', 'gamma'] as const;
export const ADD_LAYER_NORM_SAVES = ['x_plus_r', 'mean', 'rstd', 'gamma'] as const;
export const RMS_NORM_SAVES = ['x', 'rstd', 'gamma'] as const;
/** Frozen variants keep no parameter of their own (gamma is a persistent frozen tensor, captured). */
export const FROZEN_LAYER_NORM_SAVES = ['x', 'mean', 'rstd'] as const;
export const FROZEN_ADD_LAYER_NORM_SAVES = ['x_plus_r', 'mean', 'rstd'] as const;
export const FROZEN_RMS_NORM_SAVES = ['x', 'rstd'] as const;

function reduceAxes(t: Tensor): number[] { return t.shape.slice(0, -1).map((_, i) => i); }

/** d/dx of LayerNorm given dxhat = dy * gamma. */
function layerNormBackward(dy: Tensor, x: Tensor, mean: Tensor, rstd: Tensor, gamma: Tensor): Tensor[] {
  const xhat = tf.mul(tf.sub(x, mean), rstd);
  const dxhat = tf.mul(dy, gamma);
  const dx = tf.mul(tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), -1, true))), rstd);
  const axes = reduceAxes(dy);
  return [dx, sumLeading(tf.mul(dy, xhat)), sumLeading(dy)];
}

function stats(x: Tensor, eps: number): [Tensor, Tensor] {
  const { mean, variance } = tf.moments(x, -1, true);
  return [mean, tf.rsqrt(tf.add(variance, eps))];
}

/** LayerNorm over the last axis with trainable gamma and beta. */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-12): Tensor {
  const f = customGrad((xx: Tensor, g: Tensor, b: Tensor, save: tf.GradSaveFunc) => {
    const [mean, rstd] = tf.tidy(() => stats(xx, eps));
    tracedSave('layerNorm', LAYER_NORM_SAVES, save, [xx, mean, rstd, g]);
    return {
      value: tf.tidy(() => tf.add(tf.mul(tf.mul(tf.sub(xx, mean), rstd), g), b)),
      gradFunc: (dy: Tensor, [sx, sm, sr, sg]: Tensor[]) => tf.tidy(() => layerNormBackward(dy, sx, sm, sr, sg)),
    };
  }) as (a: Tensor, g: Tensor, b: Tensor) => Tensor;
  return f(x, gamma, beta);
}

/** LayerNorm(x + r): the residual sum is the only activation kept (as PyTorch keeps the LayerNorm input). */
export function addLayerNorm(x: Tensor, r: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-12): Tensor {
  const f = customGrad((xx: Tensor, rr: Tensor, g: Tensor, b: Tensor, save: tf.GradSaveFunc) => {
    const s = tf.add(xx, rr);
    const [mean, rstd] = tf.tidy(() => stats(s, eps));
    tracedSave('addLayerNorm', ADD_LAYER_NORM_SAVES, save, [s, mean, rstd, g]);
    return {
      value: tf.tidy(() => tf.add(tf.mul(tf.mul(tf.sub(s, mean), rstd), g), b)),
      gradFunc: (dy: Tensor, [ss, sm, sr, sg]: Tensor[]) => tf.tidy(() => {
        const [dx, dg, db] = layerNormBackward(dy, ss, sm, sr, sg);
        return [dx, dx.clone(), dg, db];
      }),
    };
  }) as (a: Tensor, r: Tensor, g: Tensor, b: Tensor) => Tensor;
  return f(x, r, gamma, beta);
}

/** T5-style RMS norm: x * rsqrt(mean(x²) + eps) * gamma (no centring, no bias). */
export function rmsNorm(x: Tensor, gamma: Tensor, eps = 1e-6): Tensor {
  const f = customGrad((xx: Tensor, g: Tensor, save: tf.GradSaveFunc) => {
    const rstd = tf.tidy(() => tf.rsqrt(tf.add(tf.mean(tf.square(xx), -1, true), eps)));
    tracedSave('rmsNorm', RMS_NORM_SAVES, save, [xx, rstd, g]);
    return {
      value: tf.tidy(() => tf.mul(tf.mul(xx, rstd), g)),
      gradFunc: (dy: Tensor, [sx, sr, sg]: Tensor[]) => tf.tidy(() => {
        const xhat = tf.mul(sx, sr);
        const dxhat = tf.mul(dy, sg);
        // d/dx [x r] = r (dxhat - xhat * mean(dxhat * xhat))
        const dx = tf.mul(tf.sub(dxhat, tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), -1, true))), sr);
        return [dx, sumLeading(tf.mul(dy, xhat))];
      }),
    };
  }) as (a: Tensor, g: Tensor) => Tensor;
  return f(x, gamma);
}

/** Frozen-parameter variants: only the input gradient is produced. */
export function frozenLayerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-12): Tensor {
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    const [mean, rstd] = tf.tidy(() => stats(xx, eps));
    tracedSave('frozenLayerNorm', FROZEN_LAYER_NORM_SAVES, save, [xx, mean, rstd]);
    return {
      value: tf.tidy(() => tf.add(tf.mul(tf.mul(tf.sub(xx, mean), rstd), gamma), beta)),
      gradFunc: (dy: Tensor, [sx, sm, sr]: Tensor[]) => tf.tidy(() => layerNormBackward(dy, sx, sm, sr, gamma)[0]),
    };
  }) as (a: Tensor) => Tensor;
  return f(x);
}

export function frozenAddLayerNorm(x: Tensor, r: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-12): Tensor {
  const f = customGrad((xx: Tensor, rr: Tensor, save: tf.GradSaveFunc) => {
    const s = tf.add(xx, rr);
    const [mean, rstd] = tf.tidy(() => stats(s, eps));
    tracedSave('frozenAddLayerNorm', FROZEN_ADD_LAYER_NORM_SAVES, save, [s, mean, rstd]);
    return {
      value: tf.tidy(() => tf.add(tf.mul(tf.mul(tf.sub(s, mean), rstd), gamma), beta)),
      gradFunc: (dy: Tensor, [ss, sm, sr]: Tensor[]) => tf.tidy(() => { const dx = layerNormBackward(dy, ss, sm, sr, gamma)[0]; return [dx, dx.clone()]; }),
    };
  }) as (a: Tensor, r: Tensor) => Tensor;
  return f(x, r);
}

export function frozenRmsNorm(x: Tensor, gamma: Tensor, eps = 1e-6): Tensor {
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    const rstd = tf.tidy(() => tf.rsqrt(tf.add(tf.mean(tf.square(xx), -1, true), eps)));
    tracedSave('frozenRmsNorm', FROZEN_RMS_NORM_SAVES, save, [xx, rstd]);
    return {
      value: tf.tidy(() => tf.mul(tf.mul(xx, rstd), gamma)),
      gradFunc: (dy: Tensor, [sx, sr]: Tensor[]) => tf.tidy(() => {
        const xhat = tf.mul(sx, sr);
        const dxhat = tf.mul(dy, gamma);
        return tf.mul(tf.sub(dxhat, tf.mul(xhat, tf.mean(tf.mul(dxhat, xhat), -1, true))), sr);
      }),
    };
  }) as (a: Tensor) => Tensor;
  return f(x);
}

// ---- plain tfjs autograd references ----
export function plainLayerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-12): Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}
export function plainRmsNorm(x: Tensor, gamma: Tensor, eps = 1e-6): Tensor {
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps))), gamma);
}
