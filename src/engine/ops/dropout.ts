// Inverted dropout whose mask comes from the run's Rng (deterministic per seed) and is kept as a 1-byte boolean
// tensor, as PyTorch keeps its mask.
import { tf, type Tensor } from '../tf.js';
import type { Rng } from '../rng.js';
import { tracedSave, customGrad } from './trace.js';

export const DROPOUT_SAVES = ['mask'] as const;

/**
 * A boolean keep-mask with P(keep) = 1 - rate (rate resolved to 1/65536). Seeded from `rng`, then drawn by an
 * inlined xorshift128 giving two 16-bit uniforms per step: this loop runs for every activation of every layer, and
 * a method call per element made it a fifth of a small model's training step.
 */
export function dropoutMask(shape: number[], rate: number, rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const m = new Uint8Array(n);
  const thr = Math.round(rate * 65536);
  let a = rng.nextU32() | 0, b = rng.nextU32() | 0, c = rng.nextU32() | 0, d = rng.nextU32() | 1;
  for (let i = 0; i < n; i += 2) {
    const t = a ^ (a << 11);
    a = b; b = c; c = d;
    d = (d ^ (d >>> 19)) ^ (t ^ (t >>> 8));
    m[i] = (d & 0xffff) >= thr ? 1 : 0;
    if (i + 1 < n) m[i + 1] = (d >>> 16) >= thr ? 1 : 0;
  }
  return tf.tensor(m, shape, 'bool');
}

export function dropout(x: Tensor, rate: number, rng: Rng): Tensor {
  if (rate <= 0) return x;
  const scale = 1 / (1 - rate);
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    const mask = dropoutMask(xx.shape, rate, rng);
    tracedSave('dropout', DROPOUT_SAVES, save, [mask]);
    return {
      value: tf.tidy(() => tf.where(mask, tf.mul(xx, scale), tf.zerosLike(xx))),
      gradFunc: (dy: Tensor, [m]: Tensor[]) => tf.tidy(() => tf.where(m, tf.mul(dy, scale), tf.zerosLike(dy))),
    };
  }) as (a: Tensor) => Tensor;
  return f(x);
}

/** Plain reference with the same mask stream (so lean and plain agree exactly). */
export function plainDropout(x: Tensor, rate: number, rng: Rng): Tensor {
  if (rate <= 0) return x;
  const mask = dropoutMask(x.shape, rate, rng);
  return tf.where(mask, tf.mul(x, 1 / (1 - rate)), tf.zerosLike(x));
}
