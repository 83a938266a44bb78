// Small tensor helpers shared by the engine tests: seeded random inputs and element-wise comparisons.
import { tf, type Tensor } from '../../../src/engine/tf.js';
import type { Rng } from '../../../src/engine/rng.js';

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
