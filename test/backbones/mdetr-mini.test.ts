// The mdetr-mini recipe: the text encoder's word table grown from text-mini (its rows copied, the scene words drawn at
// the scale of the trained rows, from the seed), and the committed checkpoint in models/mdetr-mini matching the recipe
// (architecture, recipe in pretraining.json) with its held-out checks well above chance (zero-shot referring
// expressions above the random-object level, issue #6); the CNN stage (per-object
// attribute naming at the object's feature cell) labels the right cells and leaves the CNN frozen, and the committed
// checkpoint's CNN reads shapes there.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import { MdetrModel } from '../../src/backbones/mdetr/model.js';
import { loadTextEncoder } from '../../src/backbones/text/checkpoint.js';
import { sceneTokenizerVocabulary } from '../../src/data/scenes/index.js';
import { BatchNorm } from '../../src/backbones/cnn/index.js';
import { CNN_MINI_CONFIG } from '../../src/train/mini-backbones/cnn-mini.js';
import { mdetrMiniConfig, initTextFromTextMini, initCnnFrom, MDETR_MINI_RECIPE } from '../../src/train/mini-backbones/mdetr-mini.js';
import { objectCells, trainMdetrCnnOnObjects } from '../../src/train/mini-backbones/mdetr-mini-cnn.js';
import { makeScene } from '../../src/data/scenes/index.js';
import { Rng } from '../../src/engine/rng.js';
import { miniRefexpChance, GROUNDING_DATA_SEED } from '../../src/tasks/grounding/data/index.js';

const MODELS = join(process.cwd(), 'models');
before(async () => { await initBackend('wasm'); });

function std(xs: Float32Array): number {
  let m = 0, s = 0;
  for (const v of xs) m += v;
  m /= xs.length;
  for (const v of xs) s += (v - m) ** 2;
  return Math.sqrt(s / xs.length);
}

test('text encoder from text-mini: rows copied, scene-word rows at the trained rows\' scale, from the seed', () => {
  const { encoder: tm } = loadTextEncoder(join(MODELS, 'text-mini'), { seed: 0, mlmHead: false });
  const src = tm.getParam('embeddings.word_embeddings.weight').value.dataSync() as Float32Array;
  const [V, H] = tm.getParam('embeddings.word_embeddings.weight').shape;
  const cfg = mdetrMiniConfig({ ...tm.config, vocab_size: sceneTokenizerVocabulary().length + 5 }, { ...CNN_MINI_CONFIG });
  tm.dispose();
  const rows = (seed: number) => {
    const m = new MdetrModel(cfg, 1);
    initTextFromTextMini(m, join(MODELS, 'text-mini'), seed);
    const w = m.textEncoder.getParam('embeddings.word_embeddings.weight').value.dataSync() as Float32Array;
    const out = Float32Array.from(w);
    m.dispose();
    return out;
  };
  const a = rows(0);
  assert.ok(a.length > V * H, 'the scene vocabulary is larger than text-mini\'s');
  assert.deepEqual(a.subarray(0, V * H), src, 'text-mini\'s rows are copied');
  const fresh = a.subarray(V * H);
  const ratio = std(fresh) / std(src);
  assert.ok(ratio > 0.8 && ratio < 1.25, `scene-word rows at ${ratio.toFixed(2)}x the trained rows' spread`);
  assert.deepEqual(rows(0), a, 'deterministic');
  assert.notDeepEqual(rows(1).subarray(V * H), fresh, 'another seed draws other rows');
});

test('the committed mdetr-mini is the current recipe\'s, and its held-out checks are well above chance', () => {
  const dir = join(MODELS, 'mdetr-mini');
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  const want = mdetrMiniConfig(config.text_config, config.backbone_config);
  for (const k of ['d_model', 'nheads', 'enc_layers', 'dec_layers', 'dim_feedforward', 'num_queries', 'num_classes', 'image_size', 'contrastive_hdim'] as const) {
    assert.equal(config[k], want[k], `config.json ${k}: rebuild with \`unipt pretrain mdetr-mini --force\``);
  }
  const summary = JSON.parse(readFileSync(join(dir, 'pretraining.json'), 'utf8'));
  assert.deepEqual(summary.recipe, JSON.parse(JSON.stringify(MDETR_MINI_RECIPE)), 'pretraining.json holds the current recipe');
  const chance = miniRefexpChance('refcoco', GROUNDING_DATA_SEED).val;
  const { phrase, refexp } = summary.heldout;
  assert.ok(phrase.after > phrase.before + 20, `phrase grounding ${phrase.before} -> ${phrase.after}`);
  assert.ok(refexp.after > 5 * chance.priorBox, `refexp ${refexp.after} vs box-prior chance ${chance.priorBox}`);
  // issue #6: zero-shot, the expression has to pick its object among the scene's, well above a random object of it
  assert.ok(refexp.after > chance.randomObject + 20, `refexp ${refexp.after} vs random-object chance ${chance.randomObject}`);
  // the CNN stage: shapes readable at the object's cell (six shapes: chance 16.7%), far above cnn-mini's probe
  const { before: cb, after: ca } = summary.cnnStage;
  assert.ok(ca.shape > 80 && ca.shape > cb.shape + 40, `CNN stage shape accuracy ${cb.shape} -> ${ca.shape}`);
  assert.ok(ca.color > 90 && ca.size > 90, `CNN stage colour ${ca.color}, size ${ca.size}`);
});

test('CNN stage: each object maps to the cell holding its centre, with its attribute labels', () => {
  const obj = (shape: 'circle' | 'star', color: 'red' | 'blue', size: 'small' | 'large', x: number, y: number) => ({ shape, color, size, pattern: 'solid' as const, x, y, r: 0.1, shade: 1 });
  const a = makeScene([obj('circle', 'red', 'small', 0.1, 0.1), obj('star', 'blue', 'large', 0.9, 0.5)]);
  const b = makeScene([obj('star', 'red', 'large', 0.5, 0.99)]);
  const { cells, labels } = objectCells([a, b], 3);
  assert.deepEqual(cells, [0, 3 + 2, 9 + 6 + 1]);
  assert.deepEqual(labels.shape, [0, 5, 5]);
  assert.deepEqual(labels.color, [0, 1, 0]);
  assert.deepEqual(labels.size, [0, 1, 1]);
});

test('CNN stage: trains the CNN (BatchNorm statistics follow the scenes), leaves it frozen with running statistics, deterministic', () => {
  const { encoder: tm } = loadTextEncoder(join(MODELS, 'text-mini'), { seed: 0, mlmHead: false });
  const cfg = mdetrMiniConfig({ ...tm.config, vocab_size: sceneTokenizerVocabulary().length + 5 }, { ...CNN_MINI_CONFIG });
  tm.dispose();
  const r = { probeSteps: 2, steps: 2, batchSize: 4, lr: 1e-3, weightDecay: 1e-4, clipNorm: 1, heldout: 4 };
  const run = () => {
    const m = new MdetrModel(cfg, 1);
    initCnnFrom(m, join(MODELS, 'cnn-mini'));
    const w0 = Float32Array.from(m.backbone.getParam('conv1.weight').value.dataSync() as Float32Array);
    const rm0 = Float32Array.from(m.backbone.getParam('bn1.running_mean').value.dataSync() as Float32Array);
    const res = trainMdetrCnnOnObjects(m, r, MDETR_MINI_RECIPE.scenes, new Rng(3));
    const w = Float32Array.from(m.backbone.getParam('conv1.weight').value.dataSync() as Float32Array);
    const rm = Float32Array.from(m.backbone.getParam('bn1.running_mean').value.dataSync() as Float32Array);
    assert.ok(m.backbone.parameters().every((p) => !p.trainable), 'frozen afterwards');
    assert.ok([...m.backbone.namedModules()].every(([, x]) => !(x instanceof BatchNorm) || x.mode === 'running'), 'BatchNorm back to running statistics');
    assert.notDeepEqual(w, w0, 'the CNN trained');
    assert.notDeepEqual(rm, rm0, 'BatchNorm running statistics updated from the scenes');
    m.dispose();
    return { res, w, rm };
  };
  const a = run(), b = run();
  assert.deepEqual(a.w, b.w);
  assert.deepEqual(a.rm, b.rm);
  assert.deepEqual(a.res.after, b.res.after);
  for (const k of ['shape', 'color', 'size'] as const) assert.ok(a.res.after[k] >= 0 && a.res.after[k] <= 100);
});

test('feature_stage: the mini MDETR reads cnn-mini\'s last stage by default (3 x 3 at 48 px), stage 2 on request (6 x 6)', async () => {
  const { tf } = await import('../../src/engine/tf.js');
  const { Rng } = await import('../../src/engine/rng.js');
  const { encoder: tm } = loadTextEncoder(join(MODELS, 'text-mini'), { seed: 0, mlmHead: false });
  const cfg = mdetrMiniConfig({ ...tm.config, vocab_size: sceneTokenizerVocabulary().length + 5 }, { ...CNN_MINI_CONFIG });
  tm.dispose();
  assert.equal(cfg.feature_stage, 3);
  for (const [stage, stride, grid] of [[3, 16, 3], [2, 8, 6]] as const) {
    const m = new MdetrModel({ ...cfg, feature_stage: stage }, 1);
    assert.equal(m.featureStride, stride);
    const f = m.features(tf.zeros([1, cfg.image_size, cfg.image_size, 3]), { training: false, rng: new Rng(0) });
    assert.deepEqual(f.shape, [1, grid, grid, m.backbone.channels[stage]]);
    assert.equal(m.input_proj.inChannels, m.backbone.channels[stage]);
    f.dispose();
    m.dispose();
  }
});

test('the registry\'s mdetr-mini entry describes the committed architecture', async () => {
  const { BACKBONES } = await import('../../src/registry/backbones.js');
  const entry = BACKBONES.find((b) => b.id === 'mdetr-mini')!;
  const cfg = JSON.parse(readFileSync(join(MODELS, 'mdetr-mini', 'config.json'), 'utf8')) as Record<string, number>;
  const shown = entry.config as Record<string, unknown>;
  assert.deepEqual(
    [shown.d_model, shown.encoder_layers, shown.decoder_layers, shown.num_heads, shown.dim_feedforward, shown.num_queries],
    [cfg.d_model, cfg.enc_layers, cfg.dec_layers, cfg.nheads, cfg.dim_feedforward, cfg.num_queries],
  );
});
