// Small tensor helpers shared by the engine tests: seeded random inputs and element-wise comparisons.
import { tf, type Tensor } from '../../../src/engine/tf.js';
import { Rng } from '../../../src/engine/rng.js';

/** Normal(mean, std) float32 tensor drawn from `rng` (deterministic per seed). */
export function randn(shape: number[], rng: Rng, std = 1, mean = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => mean + std * rng.normal()), shape, 'float32');
}

/** Uniform integers in [0, n) as an int32 tensor. */
export function randInt(shape: number[], n: number, rng: Rng): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Int32Array.from({ length: size }, () => rng.int(n)), shape, 'int32');
}

export function values(t: Tensor): Float64Array { return Float64Array.from(t.dataSync() as Float32Array); }

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

export const sameShape = (a: Tensor, b: Tensor): boolean => a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

/** Normal(0, scale) float32 tensor from a fresh Rng(seed): the same values for the same seed in every test file. */
export function randnSeeded(shape: number[], seed: number, scale = 1): Tensor {
  return randn(shape, new Rng(seed), scale);
}

/** max |a - b| over two tensors of the same shape. */
export function tensorMaxDiff(a: Tensor, b: Tensor): number {
  if (!sameShape(a, b)) throw new Error(`shape mismatch: [${a.shape}] vs [${b.shape}]`);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** max |a| over a tensor. */
export function tensorMaxAbs(a: Tensor): number { return tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0]); }
