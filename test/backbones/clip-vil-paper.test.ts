// The paper-size CLIP-ViL (CLIP RN50x4 grid, 2560-d, x/y position tables of 25, 12-layer BERT-base) builds, has the
// published parameter counts, and runs a forward pass on a small batch at a reduced resolution (64 px -> a 2x2 grid
// instead of CLIP-ViL's 12x12 to 20x20) with a short question.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { countParams } from '../../src/nn/module.js';
import { ClipVilConfigSchema, CLIP_VIL_PAPER, ClipVilModel, VisionTower, AnswerHead } from '../../src/backbones/clip-vil/index.js';

before(async () => { await initBackend('wasm'); });

test('paper size: RN50x4 tower + BERT-base cross-modal encoder, forward pass on one question at 64 px', () => {
  const config = ClipVilConfigSchema.parse({ ...CLIP_VIL_PAPER, image_size: 64 });
  const tower = new VisionTower(config, 0);
  // OpenAI CLIP RN50x4's visual encoder has 87,137,080 parameters; skip_last_layer drops the attention pool
  // ((9*9 + 1) * 2560 + 3 * (2560^2 + 2560) + 2560 * 640 + 640 = 21,517,440), BatchNorm statistics are buffers
  assert.equal(countParams(tower).total, 87_137_080 - 21_517_440);
  const model = new ClipVilModel(config, 0);
  // BertModel (bert-base-uncased, with pooler) 109,482,240 + visn_fc (2560*768 + 768 + LayerNorm 2*768) + x/y tables
  assert.equal(countParams(model).total, 109_482_240 + 2560 * 768 + 768 + 2 * 768 + 2 * 25 * 2560);
  const head = new AnswerHead(768, 3129, new Rng(1));
  assert.equal(countParams(head).total, 768 * 1536 + 1536 + 2 * 1536 + 1536 * 3129 + 3129, 'logit_fc for VQA\'s 3,129 answers (about 5.99 M)');
  const ctx = { training: false, rng: new Rng(0) };
  const out = tf.tidy(() => {
    const pixels = tf.randomUniform([1, 64, 64, 3], 0, 1, 'float32', 7);
    const grid = tower.grid(pixels);
    assert.deepEqual(grid.shape, [1, 2, 2, 2560]);
    const o = model.forward({ ids: tf.tensor2d([[101, 2054, 3609, 2003, 1996, 4937, 1029, 102]], undefined, 'int32'), mask: tf.ones([1, 8]), grid }, ctx);
    assert.equal(o.hiddenStates.length, 13);
    assert.deepEqual(o.hiddenStates[12].shape, [1, 8 + 4, 768]);
    return head.forward(model.pool(o.hiddenStates[12], ctx), ctx);
  });
  assert.deepEqual(out.shape, [1, 3129]);
  assert.ok(out.dataSync().every(Number.isFinite));
  out.dispose(); head.dispose(); model.dispose(); tower.dispose();
});
