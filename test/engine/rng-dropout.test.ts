// Determinism of the Rng and of dropout masks: same seed, same stream and mask; different fork labels, different
// streams; the keep fraction of a large mask is close to 1 - rate.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../../src/engine/tf.js';
import { initBackend } from '../../src/engine/backend.js';
import { Rng, hashSeed } from '../../src/engine/rng.js';
import { dropoutMask, dropout } from '../../src/engine/ops/dropout.js';
import { values } from './support/tensors.js';

before(async () => { await initBackend('wasm'); });

const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.nextU32());

test('same seed gives the same stream; another seed a different one', () => {
  assert.deepEqual(draw(new Rng(123), 64), draw(new Rng(123), 64));
  const a = draw(new Rng(123), 64), b = draw(new Rng(124), 64);
  assert.ok(a.filter((v, i) => v === b[i]).length <= 1, 'adjacent seeds should give unrelated streams');
  const u = new Rng(5);
  for (let i = 0; i < 1000; i++) { const v = u.next(); assert.ok(v >= 0 && v < 1, `next() out of [0,1): ${v}`); }
});

test('forks: deterministic per (seed, label), independent of how much the parent has drawn, distinct per label', () => {
  const p = new Rng(77);
  const early = draw(p.fork('dropout'), 32);
  draw(p, 1000);
  assert.deepEqual(draw(p.fork('dropout'), 32), early, 'a fork depends only on the seed and its label');
  const other = draw(new Rng(77).fork('init'), 32);
  assert.ok(other.filter((v, i) => v === early[i]).length <= 1, 'different labels should give different streams');
  assert.notEqual(hashSeed(77, 'init'), hashSeed(77, 'dropout'));
  assert.notEqual(hashSeed(77, 'a'), hashSeed(78, 'a'));
});

test('the same seed gives the same dropout mask; another seed a different mask', () => {
  const shape = [16, 32];
  const m1 = values(dropoutMask(shape, 0.3, new Rng(9)));
  const m2 = values(dropoutMask(shape, 0.3, new Rng(9)));
  const m3 = values(dropoutMask(shape, 0.3, new Rng(10)));
  assert.deepEqual(m1, m2);
  assert.ok(m1.some((v, i) => v !== m3[i]), 'a different seed should give a different mask');
  // consecutive masks from one stream differ (the stream advances)
  const rng = new Rng(9);
  const a = values(dropoutMask(shape, 0.3, rng)), b = values(dropoutMask(shape, 0.3, rng));
  assert.deepEqual(a, m1);
  assert.ok(a.some((v, i) => v !== b[i]));
});

test('keep probability is close to 1 - rate on a large mask, and dropout applies it with inverted scaling', () => {
  const n = 200_000;
  for (const rate of [0.1, 0.5]) {
    const m = dropoutMask([n], rate, new Rng(31));
    assert.equal(m.dtype, 'bool');
    const kept = tf.tidy(() => tf.sum(tf.cast(m, 'int32')).dataSync()[0]);
    m.dispose();
    // binomial standard deviation of the fraction: sqrt(rate(1-rate)/n) <= 1.2e-3; allow 5 sigma
    const sd = Math.sqrt((rate * (1 - rate)) / n);
    assert.ok(Math.abs(kept / n - (1 - rate)) < 5 * sd, `keep fraction ${kept / n} for rate ${rate}`);
  }
  const x = tf.fill([1000], 2);
  const y = values(dropout(x, 0.25, new Rng(4)));
  for (const v of y) assert.ok(v === 0 || Math.abs(v - 2 / 0.75) < 1e-6, `dropout output ${v} is neither 0 nor x/(1-rate)`);
  assert.equal(dropout(x, 0, new Rng(4)), x, 'rate 0 is the identity');
});
