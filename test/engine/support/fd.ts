// Central finite differences against a random projection loss L = sum(f(xs) * w). The projection is summed in
// float64 on the JS side, so the only float32 rounding left is in f itself; the perturbed inputs are rounded to
// float32 first and the actual step (x+h) - (x-h) is used as the denominator.
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../../src/engine/tf.js';
import type { Rng } from '../../../src/engine/rng.js';
import { randn, maxAbs, maxAbsDiff } from './tensors.js';

export interface FdOptions {
  /** Step (default 1e-2). */
  h?: number;
  /** Largest allowed max|analytic - numeric| / max(max|numeric|, floor) per input (default 2e-3). */
  tol?: number;
  floor?: number;
  names?: string[];
}

export interface FdResult { name: string; relErr: number; scale: number }

function projected(f: (...xs: Tensor[]) => Tensor, xs: Tensor[], w: Float64Array): number {
  const y = tf.tidy(() => f(...xs));
  const v = y.dataSync();
  y.dispose();
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * w[i];
  return s;
}

/** Compares tf.grads(f) with central differences for every element of every input. */
export function fdCheck(f: (...xs: Tensor[]) => Tensor, xs: Tensor[], rng: Rng, opts: FdOptions = {}): FdResult[] {
  const h = opts.h ?? 1e-2, floor = opts.floor ?? 1e-2;
  const y0 = tf.tidy(() => f(...xs));
  const w = randn(y0.shape as number[], rng);
  y0.dispose();
  const wv = Float64Array.from(w.dataSync() as Float32Array);
  const grads = tf.grads((...a: Tensor[]) => f(...a))(xs, w);
  const analytic = grads.map((g) => Float64Array.from(g.dataSync() as Float32Array));
  tf.dispose([...grads, w]);
  return xs.map((x, i) => {
    const base = Float32Array.from(x.dataSync() as Float32Array);
    const num = new Float64Array(base.length);
    for (let j = 0; j < base.length; j++) {
      const plus = base.slice(), minus = base.slice();
      plus[j] = Math.fround(base[j] + h); minus[j] = Math.fround(base[j] - h);
      const xp = tf.tensor(plus, x.shape, 'float32'), xm = tf.tensor(minus, x.shape, 'float32');
      const swap = (t: Tensor) => xs.map((o, k) => (k === i ? t : o));
      num[j] = (projected(f, swap(xp), wv) - projected(f, swap(xm), wv)) / (plus[j] - minus[j]);
      tf.dispose([xp, xm]);
    }
    const scale = maxAbs(num);
    return { name: opts.names?.[i] ?? `input ${i}`, relErr: maxAbsDiff(analytic[i], num) / Math.max(scale, floor), scale };
  });
}

/** Asserts every input's gradient matches finite differences, and that each numeric gradient is non-trivial. */
export function assertFd(label: string, f: (...xs: Tensor[]) => Tensor, xs: Tensor[], rng: Rng, opts: FdOptions = {}): void {
  const tol = opts.tol ?? 2e-3;
  for (const r of fdCheck(f, xs, rng, opts)) {
    if (process.env.FD_VERBOSE) console.log(`${label} ${r.name}: rel ${r.relErr.toExponential(2)} scale ${r.scale.toFixed(3)}`);
    assert.ok(r.scale > 1e-3, `${label}: numeric gradient of ${r.name} is ~0 (max ${r.scale}); the check would be vacuous`);
    assert.ok(r.relErr <= tol, `${label}: gradient of ${r.name} differs from finite differences: relative error ${r.relErr.toExponential(2)} > ${tol}`);
  }
}
