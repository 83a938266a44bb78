// Every lean primitive's gradients against central finite differences on the pure-JS cpu backend (an independent
// reference: no wasm kernel and no hand-written backward pass is involved in the numeric side).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { linear, frozenLinear } from '../../src/engine/ops/linear.js';
import { layerNorm, addLayerNorm, rmsNorm, frozenLayerNorm, frozenAddLayerNorm, frozenRmsNorm } from '../../src/engine/ops/norm.js';
import { gelu, geluTanh, quickGelu, relu, softmax } from '../../src/engine/ops/activation.js';
import { dropout } from '../../src/engine/ops/dropout.js';
import { attention, splitHeads, mergeHeads } from '../../src/engine/ops/attention.js';
import { embedding } from '../../src/engine/ops/embedding.js';
import { conv2d, type Conv2dOptions } from '../../src/engine/ops/conv.js';
import { batchNormTrain, batchNormInference } from '../../src/engine/ops/batchnorm.js';
import { crossEntropy, mse, bceWithLogits } from '../../src/train/losses.js';
import { assertFd, fdCheck } from './support/fd.js';
import { customGrad } from '../../src/engine/ops/trace.js';
import { randn, randInt, values, maxAbsDiff } from './support/tensors.js';

const rng = new Rng(20240611);
const r = (shape: number[], std = 1, mean = 0) => randn(shape, rng, std, mean);

before(async () => { await initBackend('cpu'); });

test('the finite-difference check itself rejects a gradient that is 1% off', () => {
  const wrong = customGrad((x: Tensor, save: tf.GradSaveFunc) => {
    save([x]);
    return { value: tf.square(x), gradFunc: (dy: Tensor, [sx]: Tensor[]) => tf.mul(dy, tf.mul(sx, 2.02)) };
  }) as (x: Tensor) => Tensor;
  const [res] = fdCheck(wrong, [r([3, 4])], rng);
  assert.ok(res.relErr > 2e-3, `a 1% gradient error gave relative error ${res.relErr}`);
  const [ok] = fdCheck((x) => tf.square(x), [r([3, 4])], rng);
  assert.ok(ok.relErr < 1e-3, `tf.square's own gradient gave relative error ${ok.relErr}`);
});

test('linear: x, W and b (2-D and 3-D input), and without bias', () => {
  const W = r([4, 5]), b = r([5]);
  assertFd('linear', (x, w, bb) => linear(x, w, bb), [r([3, 4]), W, b], rng, { names: ['x', 'W', 'b'] });
  assertFd('linear 3-D', (x, w, bb) => linear(x, w, bb), [r([2, 3, 4]), W, b], rng, { names: ['x', 'W', 'b'] });
  assertFd('linear no bias', (x, w) => linear(x, w), [r([3, 4]), W], rng, { names: ['x', 'W'] });
});

test('frozenLinear: input gradient, with and without a trainable bias', () => {
  const W = r([4, 3]), b = r([3]);
  assertFd('frozenLinear', (x) => frozenLinear(x, W, b), [r([2, 3, 4])], rng, { names: ['x'] });
  assertFd('frozenLinear no bias', (x) => frozenLinear(x, W), [r([5, 4])], rng, { names: ['x'] });
  assertFd('frozenLinear trainable bias', (x, bb) => frozenLinear(x, W, bb, true), [r([5, 4]), b], rng, { names: ['x', 'b'] });
});

test('layerNorm, addLayerNorm, rmsNorm: input and affine gradients', () => {
  const g = r([6], 0.5, 1), b = r([6], 0.5);
  assertFd('layerNorm', (x, gg, bb) => layerNorm(x, gg, bb), [r([2, 3, 6]), g, b], rng, { names: ['x', 'gamma', 'beta'] });
  assertFd('addLayerNorm', (x, res, gg, bb) => addLayerNorm(x, res, gg, bb, 1e-5), [r([4, 6]), r([4, 6]), g, b], rng, { names: ['x', 'r', 'gamma', 'beta'] });
  assertFd('rmsNorm', (x, gg) => rmsNorm(x, gg), [r([3, 6]), g], rng, { names: ['x', 'gamma'] });
});

test('frozen norm variants: input gradients', () => {
  const g = r([5], 0.5, 1), b = r([5], 0.5);
  assertFd('frozenLayerNorm', (x) => frozenLayerNorm(x, g, b), [r([3, 5])], rng);
  assertFd('frozenAddLayerNorm', (x, res) => frozenAddLayerNorm(x, res, g, b), [r([3, 5]), r([3, 5])], rng, { names: ['x', 'r'] });
  assertFd('frozenRmsNorm', (x) => frozenRmsNorm(x, g), [r([2, 2, 5])], rng);
});

test('activations: gelu (erf), geluTanh, quickGelu, softmax, relu away from its kink', () => {
  assertFd('gelu', gelu, [r([3, 5], 1.5)], rng);
  assertFd('geluTanh', geluTanh, [r([3, 5], 1.5)], rng);
  assertFd('quickGelu', quickGelu, [r([3, 5], 1.5)], rng);
  assertFd('softmax', softmax, [r([2, 3, 4], 1.5)], rng);
  // keep every element at least 0.1 from 0 so x±h never crosses the kink
  const x = tf.tidy(() => { const u = r([4, 5]); return tf.add(u, tf.mul(tf.sign(u), 0.1)); });
  assertFd('relu', relu, [x], rng);
});

test('dropout: fixed mask from a fixed Rng; gradient is the masked, rescaled projection', () => {
  const rate = 0.3, x = r([6, 7], 1, 3);   // mean 3: no element is 0, so a zero output means "dropped"
  const f = (xx: Tensor) => dropout(xx, rate, new Rng(11));
  assertFd('dropout', f, [x], rng);
  const y = values(tf.tidy(() => f(x)));
  const xv = values(x);
  const keep = Array.from(y, (v): number => (v !== 0 ? 1 : 0));
  const kept = keep.reduce((a, b) => a + b, 0);
  assert.ok(kept > 0 && kept < keep.length, 'the mask should drop some and keep some elements');
  // forward: y = x * keep / (1 - rate); backward: dx = dy * keep / (1 - rate)
  assert.ok(maxAbsDiff(y, xv.map((v, i) => (v * keep[i]) / (1 - rate))) < 1e-5);
  const dy = r([6, 7]);
  const [dx] = tf.grads((...a: Tensor[]) => f(a[0]))([x], dy);
  assert.ok(maxAbsDiff(values(dx), values(dy).map((v, i) => (v * keep[i]) / (1 - rate))) < 1e-6);
});

test('attention: with an additive mask, a trainable bias, and dropout', () => {
  const [B, H, T, d] = [2, 2, 3, 4];
  // batch 1 cannot see key 2 (padding)
  const mask = tf.tensor([0, 0, 0, 0, 0, -1e9], [B, 1, 1, T]);
  const q = r([B, H, T, d]), k = r([B, H, T, d]), v = r([B, H, T, d]), bias = r([1, H, T, T]);
  const names = ['q', 'k', 'v', 'bias'];
  assertFd('attention+mask', (a, bb, c) => attention(a, bb, c, { mask }), [q, k, v], rng, { names });
  assertFd('attention+bias (T5, scale 1)', (a, bb, c, e) => attention(a, bb, c, { mask, scale: 1 }, e), [q, k, v, bias], rng, { names });
  const drop = { mask, dropoutRate: 0.25 };
  assertFd('attention+dropout', (a, bb, c) => attention(a, bb, c, { ...drop, rng: new Rng(5) }), [q, k, v], rng, { names });
  assertFd('attention+bias+dropout', (a, bb, c, e) => attention(a, bb, c, { ...drop, rng: new Rng(6) }, e), [q, k, v, bias], rng, { names });
});

test('splitHeads / mergeHeads: gradients are the inverse layout changes', () => {
  assertFd('splitHeads', (x) => splitHeads(x, 2, 3, 2), [r([6, 4])], rng);
  assertFd('mergeHeads', (x) => mergeHeads(x), [r([2, 2, 3, 2])], rng);
});

test('embedding: table gradient (ids repeat, some rows unused)', () => {
  const ids = tf.tensor([[0, 2, 2], [5, 0, 3]], [2, 3], 'int32');
  assertFd('embedding', (t) => embedding(t, ids), [r([7, 3])], rng);
});

test('conv2d: strides, paddings, groups, trainable and frozen filters', () => {
  const cases: [number[], number[], Conv2dOptions][] = [
    [[1, 5, 5, 2], [3, 3, 2, 3], { stride: 1, pad: 'same' }],
    [[1, 6, 6, 2], [3, 3, 2, 2], { stride: 2, pad: 'same' }],      // even input: asymmetric 'same' padding
    [[2, 5, 4, 2], [2, 3, 2, 2], { stride: 1, pad: 'valid' }],
    [[1, 5, 5, 2], [3, 3, 2, 2], { stride: 2, pad: 1 }],
    [[1, 4, 4, 4], [3, 3, 2, 4], { stride: 1, pad: 'same', groups: 2 }],
    [[1, 5, 5, 4], [1, 1, 2, 2], { stride: 2, pad: 'valid', groups: 2 }],
  ];
  for (const [xs, ws, opts] of cases) {
    const x = r(xs), W = r(ws, 0.5);
    const label = `conv2d ${JSON.stringify(opts)}`;
    assertFd(`${label} trainW`, (a, w) => conv2d(a, w, opts, true), [x, W], rng, { names: ['x', 'W'] });
    assertFd(`${label} frozen W`, (a) => conv2d(a, W, opts, false), [x], rng, { names: ['x'] });
  }
});

test('batchNormTrain (NHWC and [N, C]) and batchNormInference (trainable and frozen affine)', () => {
  const g = r([3], 0.5, 1), b = r([3], 0.5);
  const bnY = (x: Tensor, gg: Tensor, bb: Tensor) => batchNormTrain(x, gg, bb).y;
  assertFd('batchNormTrain NHWC', bnY, [r([2, 3, 2, 3], 1, 0.5), g, b], rng, { names: ['x', 'gamma', 'beta'] });
  assertFd('batchNormTrain [N,C]', bnY, [r([6, 3]), g, b], rng, { names: ['x', 'gamma', 'beta'] });
  const rm = r([3], 0.3), rv = tf.tidy(() => tf.add(tf.abs(r([3])), 0.5));
  assertFd('batchNormInference', (x, gg, bb) => batchNormInference(x, gg, bb, rm, rv), [r([2, 2, 2, 3]), g, b], rng, { names: ['x', 'gamma', 'beta'] });
  assertFd('batchNormInference frozen affine', (x) => batchNormInference(x, g, b, rm, rv, 1e-5, false), [r([2, 2, 2, 3])], rng);
});

test('batchNormTrain returns the biased batch statistics', () => {
  const x = tf.tensor([1, 10, 3, 20, 5, 60], [3, 2]);
  const { y, stats } = batchNormTrain(x, tf.ones([2]), tf.zeros([2]));
  // hand-computed: column 0 = 1,3,5 (mean 3, var 8/3); column 1 = 10,20,60 (mean 30, var 1400/3)
  assert.ok(maxAbsDiff(values(stats.mean), [3, 30]) < 1e-4);
  assert.ok(maxAbsDiff(values(stats.variance), [8 / 3, 1400 / 3]) < 1e-3);
  assert.ok(maxAbsDiff(values(y).filter((_, i) => i % 2 === 0), [-2, 0, 2].map((v) => v / Math.sqrt(8 / 3 + 1e-5))) < 1e-5);
});

test('losses (src/train/losses.ts): crossEntropy, mse, bceWithLogits', () => {
  const labels = randInt([5], 4, rng);
  assertFd('crossEntropy', (lg) => crossEntropy(lg, labels), [r([5, 4], 2)], rng);
  assertFd('mse', (p) => mse(p, tf.tensor([0.5, -1, 2, 0])), [r([4, 1])], rng);
  assertFd('bceWithLogits', (lg) => bceWithLogits(lg, tf.tensor([[0, 0.3, 1], [1, 0.6, 0]])), [r([2, 3], 2)], rng);
});
