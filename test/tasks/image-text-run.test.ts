// Image-text runs end to end on a tiny random VSE backbone (test/tasks/support/tiny-vse.ts): every method builds,
// trains only what it should, takes a training step and evaluates; the real-format fixtures run through the same
// path; itr-coco-1k reports the 5-fold 1K test plus `5k_` metrics.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { installTracker } from '../../src/engine/memory/tracker.js';
import { MemoryProbe } from '../../src/engine/memory/probe.js';
import { RunSpecSchema } from '../../src/train/spec.js';
import { train } from '../../src/train/trainer.js';
import { buildItrRun } from '../../src/tasks/image-text/run.js';
import { ITR_METRIC_NAMES } from '../../src/tasks/image-text/metrics.js';
import { writeTinyVse } from './support/tiny-vse.js';

const FIX = fileURLToPath(new URL('../../../datasets/fixtures/image-text/', import.meta.url));
let dir = '';
let tracker: ReturnType<typeof installTracker>;
before(async () => {
  await initBackend('wasm');
  tracker = installTracker();
  dir = mkdtempSync(join(tmpdir(), 'tiny-vse-'));
  writeTinyVse(dir);
});
process.on('exit', () => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const spec = (method: string, task = 'itr-flickr30k', data: object = { source: 'mini' }, config: object = {}) => RunSpecSchema.parse({
  task, backbone: 'vse-mini', method: { id: method, config }, data, seed: 0,
  train: { epochs: 1, batchSize: 4, lr: 1e-3, maxSteps: 2, maxTrainExamples: 8 },
});

/** Which parameter groups train: backbone text/image (any trainable), and the added modules. */
const EXPECT: Record<string, { text: RegExp | null; image: RegExp | null; added: string[] }> = {
  full: { text: /./, image: /./, added: [] },
  bitfit: { text: /\.bias$/, image: /\.bias$/, added: [] },
  adapter: { text: /LayerNorm/, image: null, added: ['adapter_text'] },
  lora: { text: /\.bias$/, image: null, added: ['lora_text'] },
  prompt: { text: null, image: null, added: ['prompt_text'] },
  unipt: { text: null, image: null, added: ['unipt_text', 'unipt_image'] },
  lst: { text: null, image: null, added: ['lst_text', 'lst_image'] },
};

for (const method of Object.keys(EXPECT)) {
  test(`${method}: trains what it should, steps and evaluates`, async () => {
    const s = spec(method, 'itr-flickr30k', { source: 'mini' }, method === 'prompt' ? { tokens: 4 } : method === 'adapter' ? { reduction_factor: 4 } : method === 'lora' ? { r: 2 } : method === 'lst' ? { r: 4 } : {});
    const run = await buildItrRun({ spec: s, backboneDir: dir, rng: new Rng(1) });
    const m = run.model as unknown as { towers: { namedParameters(): [string, { trainable: boolean; role: string }][] } };
    const e = EXPECT[method];
    const trainable = m.towers.namedParameters().filter(([, p]) => p.trainable && p.role !== 'buffer').map(([n]) => n);
    for (const [tower, re] of [['text', e.text], ['image', e.image]] as const) {
      const names = trainable.filter((n) => n.startsWith(`${tower}.`));
      if (re === null) assert.equal(names.length, 0, `${method}: ${tower} tower should be frozen, trains ${names.slice(0, 3)}`);
      else assert.ok(names.length > 0 && names.every((n) => re.test(n) || (method === 'adapter' && /LayerNorm/.test(n))), `${method}: ${tower} trains ${names.slice(0, 5)}`);
    }
    assert.ok(!trainable.some((n) => n.startsWith('text.pooler')), 'the BERT pooler never trains');
    const acc = run.model.accounting();
    for (const a of e.added) assert.ok(acc.byModule[a]?.trainable > 0, `${method}: module ${a} missing from ${Object.keys(acc.byModule)}`);
    assert.ok(acc.byModule.heads.trainable > 0);
    const out = await train({ spec: s, run, probe: new MemoryProbe(tracker), rng: new Rng(2) });
    assert.equal(out.steps, 2);
    assert.ok(out.stepLosses.every(Number.isFinite));
    const v = out.epochs[0].validation;
    for (const k of ITR_METRIC_NAMES) assert.ok(v[k] >= 0 && v[k] <= (k === 'rsum' ? 600 : 100), `${k} = ${v[k]}`);
    assert.ok(Math.abs(v.rsum - (v.i2t_r1 + v.i2t_r5 + v.i2t_r10 + v.t2i_r1 + v.t2i_r5 + v.t2i_r10)) < 1e-6);
    out.optimizer.dispose();
    run.dispose();
  });
}

test('real fixtures: Flickr30K trains with augmentation; MSCOCO 1K folds of the 5-image testall are trivially perfect', async () => {
  const f = await buildItrRun({ spec: spec('unipt', 'itr-flickr30k', { source: 'real', path: join(FIX, 'f30k') }), backboneDir: dir, rng: new Rng(1) });
  // real data iterates over every caption: 20 train captions / batch 4
  assert.equal(f.stepsPerEpoch, 5);
  const out = await train({ spec: spec('unipt', 'itr-flickr30k', { source: 'real', path: join(FIX, 'f30k') }), run: f, probe: new MemoryProbe(tracker), rng: new Rng(2) });
  assert.ok(out.stepLosses.every(Number.isFinite));
  out.optimizer.dispose(); f.dispose();
  const c = await buildItrRun({ spec: spec('lst', 'itr-coco-1k', { source: 'real', path: join(FIX, 'coco') }, { r: 4 }), backboneDir: dir, rng: new Rng(1) });
  const m = await c.evaluate('test');
  // 5 images in 5 folds: each fold is one image with its own 5 captions, so every recall is 100
  for (const k of ITR_METRIC_NAMES) assert.equal(m[k], k === 'rsum' ? 600 : 100, k);
  for (const k of ITR_METRIC_NAMES) assert.ok(`5k_${k}` in m && m[`5k_${k}`] <= m[k]);
  c.dispose();
});
