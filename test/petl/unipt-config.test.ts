// The `unipt` method config: strict schema, per-variant defaults from the official scripts, 'auto' per backbone
// family, and the method definition the registry lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { tf } from '../../src/engine/tf.js';
import {
  UNIPT_METHOD, UniptConfigSchema, resolveUniptConfig, createTextUnipt, T5_INFERRED_CHOICES, UNIPT_VARIANTS, paramCount,
} from '../../src/petl/unipt/index.js';

await initBackend('wasm');

test('the method definition: id unipt, version 1, side mode', () => {
  assert.equal(UNIPT_METHOD.id, 'unipt');
  assert.equal(UNIPT_METHOD.version, '1');
  assert.equal(UNIPT_METHOD.mode, 'side');
});

test('defaults: variant auto, layers null, relu-l1 interaction, gate aggregation, no guideOnly', () => {
  assert.deepEqual(UniptConfigSchema.parse({}), { variant: 'auto', layers: null, interaction: 'relu-l1', aggregation: 'gate', guideOnly: false });
});

test('unknown keys and bad values are errors that name the key', () => {
  assert.equal(UniptConfigSchema.safeParse({ downsample: 2 }).success, false);
  assert.throws(() => resolveUniptConfig({ downsample: 2 }, 'text-encoder'), /unipt method config: .*downsample/);
  assert.throws(() => resolveUniptConfig({ interaction: 'dot' }, 'text-encoder'), /interaction/);
  assert.throws(() => resolveUniptConfig({ downsampleFactor: 0 }, 'text-encoder'), /downsampleFactor/);
  assert.throws(() => resolveUniptConfig({ layers: [1.5] }, 'text-encoder'), /layers/);
  assert.throws(() => resolveUniptConfig({ variant: 'clip4clip', identity: true }, 'clip'), /identity/);
  assert.throws(() => resolveUniptConfig({ identity: true }, 'clip'), /identity/);
  assert.throws(() => resolveUniptConfig({ guideOnly: true, layers: [0] }, 'text-encoder'), /layers/);
});

test('per-variant defaults follow the official scripts (T5 [INFERRED])', () => {
  const d = (family: Parameters<typeof resolveUniptConfig>[1], tower?: 'text' | 'image') => resolveUniptConfig({}, family, tower);
  assert.deepEqual([d('text-encoder').variant, d('text-encoder').downsampleFactor, d('text-encoder').identity], ['vse-text', 2, true]);
  assert.deepEqual([d('vse', 'image').variant, d('vse', 'image').downsampleFactor], ['vse-cnn', 2]);
  assert.deepEqual([d('clip').variant, d('clip').downsampleFactor, d('clip').identity], ['clip4clip', 1, false]);
  assert.deepEqual([d('clip-vil').variant, d('clip-vil').downsampleFactor], ['clip-vil', 2]);
  assert.deepEqual([d('mdetr').variant, d('mdetr').downsampleFactor], ['mdetr', 2]);
  assert.deepEqual([d('t5').variant, d('t5').downsampleFactor], ['encoder-decoder', 8]);
  // an explicit variant wins over the family, and explicit values over defaults
  const c = resolveUniptConfig({ variant: 'clip-vil', downsampleFactor: 4, identity: false, aggregation: 'uniform' }, 'text-encoder');
  assert.deepEqual([c.variant, c.downsampleFactor, c.identity, c.aggregation], ['clip-vil', 4, false, 'uniform']);
  assert.equal(UNIPT_VARIANTS.length, 6);
});

test('createTextUnipt builds the vse-text variant at the encoder width with the config\'s switches', () => {
  const t = createTextUnipt({ downsampleFactor: 4, aggregation: 'uniform' }, { numHiddenStates: 3, hiddenSize: 8 }, new Rng(0));
  assert.equal(t.module.mapping, 2);
  assert.equal(t.module.gate_layer, null);
  // 3 x (8*2 + 2 + 2*2) + Proj (2*2 + 2 + 2*2) + Up (2*8 + 8)
  assert.equal(paramCount(t.module), 3 * 22 + 10 + 24);
  const y = tf.tidy(() => t.forward([tf.ones([1, 4, 8]), tf.ones([1, 4, 8]), tf.ones([1, 4, 8])], tf.ones([1, 4]), { training: true, rng: new Rng(0) }));
  assert.deepEqual(y.shape, [1, 4, 8]);
  y.dispose();
  t.module.dispose();
  assert.throws(() => createTextUnipt({ variant: 'mdetr' }, { numHiddenStates: 3, hiddenSize: 8 }, new Rng(0)), /vse-text/);
});

test('T5_INFERRED_CHOICES lists the decisions the encoder-decoder variant makes without a source', () => {
  assert.ok(T5_INFERRED_CHOICES.length >= 5);
  for (const topic of ['Downsample factor', 'Layers', 'causal', 'crosser', 'Output', 'Init']) {
    assert.ok(T5_INFERRED_CHOICES.some((c) => c.toLowerCase().includes(topic.toLowerCase())), `mentions ${topic}`);
  }
});
