// Parameter initialisers drawing from the run's Rng (deterministic per seed), following PyTorch's conventions.
import { tf, type Tensor } from '../engine/tf.js';
import type { Rng } from '../engine/rng.js';

function fill(shape: number[], draw: () => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = draw();
  return tf.tensor(v, shape, 'float32');
}

export const zeros = (shape: number[]): Tensor => tf.zeros(shape);
export const ones = (shape: number[]): Tensor => tf.ones(shape);
export const constant = (shape: number[], c: number): Tensor => tf.fill(shape, c);
export const normal = (shape: number[], std: number, rng: Rng, mean = 0): Tensor => fill(shape, () => mean + std * rng.normal());
export const uniform = (shape: number[], lo: number, hi: number, rng: Rng): Tensor => fill(shape, () => lo + (hi - lo) * rng.next());

/** Truncated normal in [-2 std, 2 std] (BERT/ViT style). */
export const truncatedNormal = (shape: number[], std: number, rng: Rng): Tensor =>
  fill(shape, () => { for (;;) { const z = rng.normal(); if (Math.abs(z) <= 2) return z * std; } });

/** PyTorch nn.Linear / nn.Conv default: kaiming_uniform(a=√5) on the weight = U(±1/√fan_in). */
export const torchDefaultWeight = (shape: number[], fanIn: number, rng: Rng): Tensor => {
  const b = 1 / Math.sqrt(fanIn);
  return uniform(shape, -b, b, rng);
};
/** PyTorch default bias: U(±1/√fan_in). */
export const torchDefaultBias = torchDefaultWeight;

export const xavierUniform = (shape: number[], fanIn: number, fanOut: number, rng: Rng): Tensor => {
  const b = Math.sqrt(6 / (fanIn + fanOut));
  return uniform(shape, -b, b, rng);
};

export type InitScheme =
  | { kind: 'torch-default' }
  | { kind: 'normal'; std: number }
  | { kind: 'xavier-uniform' }
  | { kind: 'zeros' };
