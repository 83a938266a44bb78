// extraCopies' two modes for frozen weights' transposes: 'cache' keeps Wᵀ once per weight, 'per-use' makes it at
// each backward use and frees it. Both must give the same input gradient; per-use must keep no copy and leak nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { extraCopies } from '../../src/engine/memory/extra-copies.js';
import { frozenLinear } from '../../src/engine/ops/linear.js';
import { randn } from './support/tensors.js';

await initBackend('wasm');
after(() => extraCopies.setMode('cache'));

function inputGrad(x: tf.Tensor, W: tf.Tensor, b: tf.Tensor): Float32Array {
  return tf.tidy(() => tf.grad((xx: tf.Tensor) => tf.sum(tf.square(frozenLinear(xx, W, b))))(x).dataSync() as Float32Array).slice();
}

test('per-use frozen transposes give the cached mode\'s gradient, keep no copy and leak no tensor', () => {
  const rng = new Rng(3);
  const x = randn([6, 5, 16], rng), W = randn([16, 24], rng), b = randn([24], rng);
  extraCopies.setMode('cache');
  const cached = inputGrad(x, W, b);
  assert.equal(extraCopies.count, 1, 'cache mode keeps one transposed copy of W');
  assert.ok(extraCopies.bytes >= 16 * 24 * 4);
  extraCopies.setMode('per-use');
  assert.equal(extraCopies.count, 0, 'leaving cache mode releases the cached copies');
  const before = tf.memory().numTensors;
  const perUse = inputGrad(x, W, b);
  assert.equal(tf.memory().numTensors, before, 'per-use transposes are freed by the caller\'s tidy');
  assert.equal(extraCopies.count, 0);
  assert.equal(extraCopies.bytes, 0);
  assert.deepEqual(Array.from(perUse), Array.from(cached));
  // a wrong transpose would not match: the gradient of a different weight differs
  const Wr = tf.reverse(W, 0);
  assert.notDeepEqual(Array.from(inputGrad(x, Wr, b)), Array.from(cached));
  tf.dispose([x, W, b, Wr]);
});
