// Methods on MDETR: which parameters each method trains (the CNN never, the heads always), the optimizer groups
// (heads at 0.1x), UniPT's scaled layer subset and four decoder outputs, and a few steps of every method lowering the
// loss on a fixed batch of the fixture data (the frozen CNN and, for side methods, the frozen transformer run in
// `prepare`, outside the tape).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { MdetrConfigSchema, type MdetrConfig } from '../../src/backbones/mdetr/config.js';
import { MdetrModel } from '../../src/backbones/mdetr/model.js';
import { applyGroundingMethod, scaledSelectLayers } from '../../src/tasks/grounding/methods.js';
import { GroundingTaskModel } from '../../src/tasks/grounding/model.js';
import { makeBatch, disposeBatch, type BatchContext } from '../../src/tasks/grounding/batches.js';
import { loadRealRefexp, refexpDataset, type GroundingSplit } from '../../src/tasks/grounding/data/index.js';
import { writeSceneTokenizer } from '../../src/data/scenes/index.js';
import { loadTokenizer, type TextTokenizer } from '../../src/data/tokenizer/index.js';
import { AdamW } from '../../src/train/optim.js';

const tmp = mkdtempSync(join(tmpdir(), 'grounding-methods-'));
let tok: TextTokenizer;
let split: GroundingSplit;
before(async () => {
  await initBackend('wasm');
  writeSceneTokenizer(tmp);
  tok = await loadTokenizer(tmp);
  split = (await loadRealRefexp(join(process.cwd(), 'datasets', 'fixtures', 'grounding', 'refcoco'), refexpDataset('vg-refcoco'), 16)).train;
});

function config(): MdetrConfig {
  return MdetrConfigSchema.parse({
    model_type: 'mdetr', d_model: 16, nheads: 2, enc_layers: 4, dec_layers: 4, dim_feedforward: 32, num_queries: 4, num_classes: 15, image_size: 16, contrastive_hdim: 8, dropout: 0,
    backbone_config: { model_type: 'resnet', layers: [1, 1, 1, 1], planes: [2, 2, 4, 4], stem: 'mini', stem_width: 4 },
    text_config: { model_type: 'bert', vocab_size: tok.vocabSize, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 16, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 },
  });
}

const CONFIGS: Record<string, Record<string, unknown>> = {
  full: {}, bitfit: {}, adapter: { reduction_factor: 4 }, lora: { r: 2, dropout: 0 }, prompt: { tokens: 2 }, unipt: {}, lst: { r: 2 },
};

test('UniPT\'s select_layers [1, 3, 5] scaled to other depths', () => {
  assert.deepEqual(scaledSelectLayers(6), [1, 3, 5]);
  assert.deepEqual(scaledSelectLayers(4), [1, 2, 3]);
  assert.deepEqual(scaledSelectLayers(3), [1, 2]);
  assert.deepEqual(scaledSelectLayers(12), [2, 6, 10]);
});

test('trainable parameters per method: CNN never, heads always, side methods nothing of MDETR', () => {
  for (const id of Object.keys(CONFIGS)) {
    const m = new MdetrModel(config(), 1);
    const runtime = applyGroundingMethod(id, CONFIGS[id], m, new Rng(2));
    const tm = new GroundingTaskModel(m, runtime);
    const named = m.namedParameters().filter(([, p]) => p.role !== 'buffer');
    const tr = (pre: string) => named.filter(([n, p]) => n.startsWith(pre) && p.trainable).map(([n]) => n);
    assert.deepEqual(tr('backbone.'), [], `${id}: the CNN is frozen`);
    assert.ok(named.filter(([n]) => n.startsWith('heads.')).every(([, p]) => p.trainable), `${id}: the heads train`);
    assert.deepEqual(tr('transformer.text_encoder.pooler.'), [], `${id}: the unused pooler is frozen`);
    const body = named.filter(([n]) => !n.startsWith('heads.') && !n.startsWith('backbone.') && !n.includes('pooler'));
    const trainBody = body.filter(([, p]) => p.trainable);
    if (id === 'full') assert.equal(trainBody.length, body.length);
    if (id === 'bitfit') assert.ok(trainBody.length > 0 && trainBody.every(([, p]) => p.role === 'bias'));
    if (id === 'adapter') assert.ok(trainBody.length > 0 && trainBody.every(([n]) => /(norm\d?|LayerNorm|layer_norm)\./.test(n)), 'adapters: layer norms only');
    if (id === 'lora') assert.ok(trainBody.every(([, p]) => p.role === 'bias'));
    if (id === 'prompt' || id === 'unipt' || id === 'lst') assert.equal(trainBody.length, 0, `${id}: MDETR itself is frozen`);
    const groups = tm.paramGroups();
    const heads = groups[groups.length - 1];
    assert.equal(heads.lrScale, 0.1);
    assert.equal(heads.params.length, m.heads.parameters().length);
    const acc = tm.accounting();
    assert.equal(acc.byModule.heads.trainable, m.heads.parameters().reduce((a, p) => a + p.size, 0));
    if (id !== 'full' && id !== 'bitfit') assert.ok(acc.added > acc.byModule.heads.total, `${id} adds modules`);
    tm.dispose();
  }
});

test('every method lowers the loss on a fixed batch; side methods read states prepared outside the tape', () => {
  const c: BatchContext = { tok, maxLength: 16, numClasses: 15 };
  for (const id of Object.keys(CONFIGS)) {
    const m = new MdetrModel(config(), 3);
    const tm = new GroundingTaskModel(m, applyGroundingMethod(id, CONFIGS[id], m, new Rng(4)));
    const b = makeBatch(split, [0, 1, 2, 3], c, null);
    const ctx = { training: true, rng: new Rng(5) };
    const groups = tm.paramGroups();
    const opt = new AdamW(groups, { lr: id === 'prompt' ? 3e-2 : 3e-3 });
    const losses: number[] = [];
    for (let s = 0; s < 8; s++) {
      const prepared: Tensor[] = tf.tidy(() => tm.prepare(b, ctx));
      if (id === 'unipt' || id === 'lst') assert.equal(prepared.length, 5 + 2 + 5 + 1, '5 encoder states, mask, pos, 5 decoder states, text memory (the features are consumed inside prepare)');
      else assert.equal(prepared.length, 1, 'the CNN features');
      const { value, grads } = tf.variableGrads(() => tm.loss(b, prepared, ctx) as tf.Scalar, groups.flatMap((g) => g.params.map((p) => p.variable)));
      losses.push(value.dataSync()[0]);
      opt.apply(grads);
      tf.dispose([value, ...Object.values(grads), ...prepared]);
    }
    assert.ok(losses[7] < losses[0], `${id}: loss ${losses[0].toFixed(3)} -> ${losses[7].toFixed(3)}`);
    const p = tm.predict(b, ctx);
    assert.equal(p.scores.length, 4 * 4);
    assert.ok(Array.from(p.scores).every((v) => v >= 0 && v <= 1));
    disposeBatch(b); opt.dispose(); tm.dispose();
  }
  rmSync(tmp, { recursive: true, force: true });
});
