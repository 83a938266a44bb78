// CLIP ViT-B/32 at paper size: builds (151,277,313 parameters, the CLIPModel count the registry cites) and runs a
// forward pass of one 224 x 224 image and one 77-token caption, returning 13 hidden states per tower.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { countParams } from '../../src/nn/module.js';
import { ClipModel, clipConfigFromPreset, eotPositions } from '../../src/backbones/clip/index.js';

before(async () => { await initBackend('wasm'); });

test('ViT-B/32 CLIP: parameter count and a forward pass at batch 1', () => {
  const cfg = clipConfigFromPreset('clip-vit-b32');
  const m = new ClipModel(cfg, 0);
  try {
    assert.equal(countParams(m).total, 151_277_313);
    const ctx = { training: false, rng: new Rng(0) };
    tf.tidy(() => {
      const img = m.encodeImage(tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 1), ctx);
      assert.equal(img.hiddenStates.length, 13);
      assert.deepEqual(img.hiddenStates[12].shape, [1, 50, 768]);
      assert.deepEqual(img.embedding.shape, [1, 512]);
      const ids = Array.from({ length: 77 }, (_, i) => (i === 0 ? 49406 : i === 20 ? 49407 : i < 20 ? 300 + i : 0));
      const t = tf.tensor2d(ids, [1, 77], 'int32');
      const txt = m.encodeText({ ids: t, mask: tf.notEqual(t, 0), eot: eotPositions(ids, 1, 77) }, ctx);
      assert.equal(txt.hiddenStates.length, 13);
      assert.deepEqual(txt.hiddenStates[0].shape, [1, 77, 512]);
      assert.deepEqual(txt.eot, [20]);
      const e = [...img.embedding.dataSync(), ...txt.embedding.dataSync()];
      assert.ok(e.every(Number.isFinite));
    });
  } finally { m.dispose(); }
});
