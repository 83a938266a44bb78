// The VQA family end to end on a tiny random CLIP-ViL: every method builds, trains (the loss falls on a fixed batch)
// and evaluates; side methods never change the backbone and get its hidden states from the frozen-only phase; each
// method trains exactly the parameters it should; the feature cache and the per-step tower give the same logits.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { AdamW } from '../../src/train/optim.js';
import { parseRunSpec } from '../../src/train/run-once.js';
import type { TaskRun } from '../../src/tasks/types.js';
import { buildVqaRun, type VqaBuildOptions } from '../../src/tasks/vqa/run.js';
import type { VqaBatch, VqaTaskModel } from '../../src/tasks/vqa/model.js';
import { writeTinyClipVil } from './vqa-support/tiny-checkpoint.js';

const FIX = fileURLToPath(new URL('../../../datasets/fixtures/vqa/', import.meta.url));
let vit = '', rn = '';
before(async () => { await initBackend('wasm'); vit = writeTinyClipVil('vit'); rn = writeTinyClipVil('rn'); });
process.on('exit', () => { for (const d of [vit, rn]) if (d) rmSync(d, { recursive: true, force: true }); });

function spec(task: string, method: string, config: Record<string, unknown> = {}, data: unknown = { source: 'mini' }) {
  return parseRunSpec({ task, backbone: 'x', method: { id: method, config }, train: { epochs: 1, batchSize: 8, lr: 1e-3 }, data, seed: 1 });
}

async function build(task: string, method: string, config: Record<string, unknown> = {}, dir = vit, data: unknown = { source: 'mini' }, o: VqaBuildOptions = {}): Promise<TaskRun<VqaBatch>> {
  return buildVqaRun({ spec: spec(task, method, config, data), backboneDir: dir, rng: new Rng(1).fork('build') }, o);
}

function firstBatch(run: TaskRun<VqaBatch>): VqaBatch {
  const it = run.trainBatches(0, new Rng(5))[Symbol.iterator]();
  return it.next().value as VqaBatch;
}

/** A few optimizer steps on one batch through the trainer's two phases; returns the losses. */
function steps(run: TaskRun<VqaBatch>, b: VqaBatch, n: number): number[] {
  const groups = run.model.paramGroups();
  const trainable = groups.flatMap((g) => g.params);
  const opt = new AdamW(groups, { lr: 3e-3 });
  const ctx = { training: true, rng: new Rng(9) };
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const prepared = tf.tidy(() => run.model.prepare(b, ctx));
    const { value, grads } = tf.variableGrads(() => run.model.loss(b, prepared, ctx) as tf.Scalar, trainable.map((p) => p.variable));
    out.push(value.dataSync()[0]);
    opt.apply(grads);
    tf.dispose([value, ...Object.values(grads), ...prepared]);
  }
  opt.dispose();
  return out;
}

function trainableNames(run: TaskRun<VqaBatch>): string[] {
  const m = run.model as VqaTaskModel;
  const names = [...m.model.namedParameters().filter(([, p]) => p.trainable).map(([n]) => `model.${n}`)];
  const mods = m.method.mode === 'side' ? { [m.method.name]: m.method.side.module } : m.method.modules;
  for (const [k, mod] of Object.entries(mods)) names.push(...mod.namedParameters().filter(([, p]) => p.trainable).map(([n]) => `${k}.${n}`));
  names.push(...m.head.namedParameters().filter(([, p]) => p.trainable).map(([n]) => `head.${n}`));
  return names;
}

const METHODS: [string, Record<string, unknown>][] = [
  ['full', {}], ['bitfit', {}], ['adapter', { reduction_factor: 4 }], ['lora', { r: 4 }], ['prompt', { tokens: 3 }],
  ['unipt', {}], ['lst', { r: 4, layers: 'all', add_bias_sampling: false, final_layer_norm: false, init: 'random' }],
];

for (const [method, config] of METHODS) {
  test(`mini vqa-vqav2 with ${method}: builds, the loss falls on a fixed batch, evaluation gives vqa_accuracy`, async () => {
    const run = await build('vqa-vqav2', method, config);
    const m = run.model as VqaTaskModel;
    assert.equal(run.trainSize, 600);
    assert.deepEqual(run.metricDefs.map((d) => d.name), ['vqa_accuracy']);
    const b = firstBatch(run);
    assert.equal(b.visualKind, 'features', 'mini data caches the frozen tower\'s features');
    assert.deepEqual(b.visual.shape, [8, 5, 8], 'ViT tokens: 4 patches + the class token, width 8');
    assert.equal(b.targets.shape[1], 27, "yes/no, 7 colours, 6 shapes, 2 sizes, 10 counts");
    const frozenBefore = m.model.namedParameters().filter(([, p]) => !p.trainable).map(([n, p]) => [n, p.value.dataSync().slice()] as const);
    const towerBefore = m.tower.towerParameters()[0][1].value.dataSync().slice();
    const losses = steps(run, b, 6);
    assert.ok(losses[5] < losses[0], `${method}: loss ${losses[0]} -> ${losses[5]}`);
    for (const [n, v] of frozenBefore) assert.deepEqual(m.model.getParam(n).value.dataSync(), v, `${method} changed frozen ${n}`);
    assert.deepEqual(m.tower.towerParameters()[0][1].value.dataSync(), towerBefore, 'the CLIP tower never trains');
    if (m.method.mode === 'side') {
      const prepared = tf.tidy(() => m.prepare(b, { training: false, rng: new Rng(0) }));
      assert.equal(prepared.length, 2 + 2, 'X_0..X_2 and the joint mask');
      assert.deepEqual(prepared[0].shape.slice(1), [b.ids.shape[1]! + 5, 16]);
      tf.dispose(prepared);
    }
    const acc = await run.evaluate('validation');
    assert.ok(acc.vqa_accuracy >= 0 && acc.vqa_accuracy <= 100);
    run.disposeBatch(b);
    run.dispose();
  });
}

test('each method trains exactly its parameters (LST\'s CLIP-ViL baselines: visn_fc trains with adapters and LoRA)', async () => {
  const names = async (method: string, config: Record<string, unknown> = {}) => { const r = await build('vqa-gqa', method, config); const n = trainableNames(r); r.dispose(); return n; };
  const head = (n: string) => n.startsWith('head.logit_fc.');
  const lora = await names('lora', { r: 4 });
  assert.ok(lora.every((n) => head(n) || n.startsWith('lora.') || n.endsWith('.bias') || n.startsWith('model.visn_fc.')), lora.join(', '));
  assert.equal(lora.filter((n) => n.startsWith('lora.')).length, 2 * 2 * 2, 'A and B on query and value of 2 layers');
  assert.ok(lora.includes('model.visn_fc.visn_fc.weight') && lora.includes('model.bert.pooler.dense.bias') && !lora.includes('model.bert.pooler.dense.weight'));
  const adapter = await names('adapter', { reduction_factor: 4 });
  assert.ok(adapter.every((n) => head(n) || n.startsWith('adapter.') || /LayerNorm|visn_layer_norm/.test(n) || n.startsWith('model.visn_fc.')), adapter.join(', '));
  assert.ok(adapter.includes('model.bert.embeddings.LayerNorm.weight') && adapter.includes('model.visn_fc.visn_fc.weight'));
  const bitfit = await names('bitfit');
  assert.ok(bitfit.every((n) => head(n) || n.endsWith('.bias')) && !bitfit.includes('model.visn_fc.visn_fc.weight'));
  const prompt = await names('prompt', { tokens: 3 });
  assert.deepEqual(prompt.filter((n) => !head(n)), ['prompt.prompt_embeddings']);
  const unipt = await names('unipt');
  assert.ok(unipt.every((n) => head(n) || n.startsWith('unipt.')));
  // UniPT (D) at H = 16, r = 2 (d' = 8), 2 layers: 3 x Down (16x8 + 8 + LN 16) + Up (8x16 + 16) + Proj (8x16 + 16 +
  // 16x8 + 8 + LN 16) + gate (8 + 1) = 456 + 144 + 296 + 9 = 905
  const r = await build('vqa-gqa', 'unipt');
  const acc = r.model.accounting();
  assert.equal(acc.byModule.unipt.trainable, 905);
  // logit_fc: 16x32 + 32, LN 2x32, 32x27 + 27
  assert.equal(acc.byModule.head.trainable, 16 * 32 + 32 + 64 + 32 * 27 + 27);
  assert.equal(acc.byModule.backbone.trainable, 0);
  r.dispose();
  const full = await names('full');
  assert.ok(!full.some((n) => n.includes('visual_model')) && full.includes('model.bert.encoder.layer.1.output.dense.weight'));
});

test('LST on CLIP-ViL: sampling layers drawn as init_bert_weights (N(0, 0.02), zero bias), output replaces the encoder output', async () => {
  const run = await build('vqa-vqav2', 'lst', { r: 4, layers: 'all', add_bias_sampling: true, final_layer_norm: false, init: 'random' });
  const m = run.model as VqaTaskModel;
  assert.equal(m.method.mode, 'side');
  const side = (m.method as { side: { module: { namedParameters(): [string, { value: tf.Tensor }][] } } }).side.module;
  const ps = new Map(side.namedParameters());
  const w = Array.from(ps.get("side_downsamples.0.weight")!.value.dataSync());
  const sd = Math.sqrt(w.reduce((a, x) => a + x * x, 0) / w.length);
  assert.ok(sd > 0.012 && sd < 0.028, `std ${sd}`);
  assert.ok(ps.get('side_final_upsample.bias')!.value.dataSync().every((x) => x === 0));
  assert.ok(!ps.has('side_final_layer_norm.weight'));
  run.dispose();
});

test('real LXMERT fixtures: cached features and the per-step tower give the same logits; GQA evaluates', async () => {
  const real = { source: 'real', path: join(FIX, 'vqa') };
  const a = await build('vqa-vqav2', 'unipt', {}, rn, real, { visual: 'features' });
  const b = await build('vqa-vqav2', 'unipt', {}, rn, real, { visual: 'pixels' });
  assert.equal(a.trainSize, 6);
  const ba = firstBatch(a), bb = firstBatch(b);
  assert.equal(bb.visualKind, 'pixels');
  assert.deepEqual(bb.visual.shape, [6, 64, 64, 3]);
  assert.deepEqual(ba.visual.shape, [6, 2, 2, 256], 'the RN grid of a 64-pixel image is 2x2');
  const ctx = { training: false, rng: new Rng(0) };
  const la = (a.model as VqaTaskModel).predict(ba, ctx), lb = (b.model as VqaTaskModel).predict(bb, ctx);
  const da = la.dataSync(), db = lb.dataSync();
  let diff = 0;
  for (let i = 0; i < da.length; i++) diff = Math.max(diff, Math.abs(da[i] - db[i]));
  assert.ok(diff < 1e-4, `logits differ by ${diff}`);
  const v = await b.evaluate('validation');
  assert.ok(v.vqa_accuracy >= 0 && v.vqa_accuracy <= 100);
  tf.dispose([la, lb]); a.disposeBatch(ba); b.disposeBatch(bb); a.dispose(); b.dispose();
  const g = await build('vqa-gqa', 'full', {}, rn, { source: 'real', path: join(FIX, 'gqa') });
  const r = await g.evaluate('test');
  assert.deepEqual(Object.keys(r), ['accuracy']);
  g.dispose();
});
