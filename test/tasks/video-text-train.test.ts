// The video-text family end to end on a tiny CLIP saved in the Hugging Face layout: every method builds, trains two
// steps and evaluates; side methods keep CLIP out of the differentiated loss (it runs only in `prepare`) and train
// nothing of it; UniPT's adapters carry CLIP4Clip's names; meanP is the masked mean of unit frame embeddings; a
// short UniPT run lowers the loss; the real-format fixtures train and evaluate too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { installTracker } from '../../src/engine/memory/tracker.js';
import { MemoryProbe } from '../../src/engine/memory/probe.js';
import { ClipModel, ClipConfigSchema, saveClip, writeClipWordTokenizer } from '../../src/backbones/clip/index.js';
import { sceneTokenizerVocabulary } from '../../src/data/scenes/index.js';
import { buildVideoTextRun } from '../../src/tasks/video-text/run.js';
import { meanPool, type VideoTextModel } from '../../src/tasks/video-text/model.js';
import type { VideoTextBatch } from '../../src/tasks/video-text/batches.js';
import { train } from '../../src/train/trainer.js';
import { RunSpecSchema, type RunSpec } from '../../src/train/spec.js';

const FIX = fileURLToPath(new URL('../../../datasets/fixtures/video-text/', import.meta.url));
let dir = '';
let probe: MemoryProbe;

before(async () => {
  await initBackend('wasm');
  probe = new MemoryProbe(installTracker());
  dir = mkdtempSync(join(tmpdir(), 'vt-clip-'));
  const { vocabSize } = writeClipWordTokenizer(dir, sceneTokenizerVocabulary(), { modelMaxLength: 16 });
  const cfg = ClipConfigSchema.parse({
    model_type: 'clip', projection_dim: 8,
    text_config: { vocab_size: vocabSize, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2, max_position_embeddings: 16 },
    vision_config: { hidden_size: 12, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 2, image_size: 12, patch_size: 6 },
  });
  const m = new ClipModel(cfg, 0);
  saveClip(dir, m);
  m.dispose();
});
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

function spec(method: string, config: Record<string, unknown> = {}, extra: Partial<RunSpec['train']> = {}, data: RunSpec['data'] = { source: 'mini' }, task = 'vtr-msrvtt'): RunSpec {
  return RunSpecSchema.parse({
    task, backbone: dir, method: { id: method, config }, data, seed: 1,
    train: { epochs: 1, batchSize: 8, lr: 1e-3, maxSteps: 2, maxTrainExamples: 32, evalBatchSize: 64, ...extra },
  });
}

const METHODS: [string, Record<string, unknown>][] = [
  ['full', {}], ['bitfit', {}], ['adapter', { reduction_factor: 4 }], ['lora', { r: 2 }], ['prompt', { tokens: 2 }], ['lst', { r: 2 }], ['unipt', {}],
];

test('every method builds, trains two steps and evaluates; side methods leave CLIP out of the loss', async () => {
  for (const [method, config] of METHODS) {
    const s = spec(method, config);
    const run = await buildVideoTextRun({ spec: s, backboneDir: dir, rng: new Rng(1) });
    const model = run.model as VideoTextModel;
    const acc = run.model.accounting();
    assert.ok(acc.trainable > 0, method);
    const side = method === 'lst' || method === 'unipt';
    if (side || method === 'prompt') assert.equal(acc.byModule.backbone.trainable, 0, `${method}: CLIP frozen`);
    if (method === 'full') assert.equal(acc.byModule.backbone.trainable, acc.byModule.backbone.total - 1, 'full: all but logit_scale');
    assert.equal(model.clip.logit_scale.trainable, false);
    if (method === 'unipt') {
      const names = model.method.mode === 'side' ? model.method.side.module.namedParameters().map(([n]) => n) : [];
      assert.ok(names.includes('image_adapter.gate_layer.weight') && names.includes('text_adapter.downsample_layers.2.1.weight'), names.slice(0, 6).join(', '));
    }
    if (side) {
      // the differentiated part must not run CLIP: make its towers throw, then compute the loss from `prepare`
      const batch = run.trainBatches(0, new Rng(2))[Symbol.iterator]().next().value as VideoTextBatch;
      const ctx = { training: true, rng: new Rng(3) };
      const prepared = tf.tidy(() => run.model.prepare(batch, ctx));
      assert.ok(prepared.length > 0);
      const [ei, et] = [model.clip.encodeImage, model.clip.encodeText];
      model.clip.encodeImage = () => { throw new Error('CLIP ran inside the loss'); };
      model.clip.encodeText = () => { throw new Error('CLIP ran inside the loss'); };
      try {
        const { value, grads } = tf.variableGrads(() => run.model.loss(batch, prepared, ctx) as tf.Scalar, run.model.paramGroups()[0].params.map((p) => p.variable));
        assert.ok(Number.isFinite(value.dataSync()[0]));
        tf.dispose([value, ...Object.values(grads)]);
      } finally { model.clip.encodeImage = ei; model.clip.encodeText = et; tf.dispose(prepared); run.disposeBatch(batch); }
    }
    const res = await train({ spec: s, run, probe, rng: new Rng(4), selectBest: false });
    assert.equal(res.steps, 2, method);
    assert.ok(res.stepLosses.every(Number.isFinite), `${method}: ${res.stepLosses}`);
    const m = await run.evaluate('validation');
    assert.deepEqual(Object.keys(m).sort(), ['t2v_mdr', 't2v_mnr', 't2v_r1', 't2v_r10', 't2v_r5', 'v2t_mdr', 'v2t_mnr', 'v2t_r1', 'v2t_r10', 'v2t_r5']);
    assert.ok(m.t2v_mdr >= 1 && m.t2v_mdr <= 64 && m.v2t_r10 >= m.v2t_r1, method);
    res.optimizer.dispose();
    run.dispose();
  }
});

test('meanP: masked mean of unit-length frame embeddings, renormalised', () => {
  const frames = tf.tensor2d([[3, 0], [0, 2], [5, 5], [1, 0], [0, 1], [7, 7]]);   // 2 videos x 3 frames
  const mask = tf.tensor2d([[1, 1, 0], [1, 1, 1]]);
  const v = meanPool(frames, mask).arraySync() as number[][];
  const s = Math.SQRT1_2;
  assert.ok(Math.abs(v[0][0] - s) < 1e-6 && Math.abs(v[0][1] - s) < 1e-6, 'third frame masked out');
  const a = (1 + 0 + s) / 3, b = (0 + 1 + s) / 3, n = Math.hypot(a, b);
  assert.ok(Math.abs(v[1][0] - a / n) < 1e-6 && Math.abs(v[1][1] - b / n) < 1e-6);
});

test('a short UniPT run lowers the training loss', async () => {
  const s = spec('unipt', {}, { lr: 1e-2, maxSteps: 16, epochs: 4, maxTrainExamples: 32 });
  const run = await buildVideoTextRun({ spec: s, backboneDir: dir, rng: new Rng(1) });
  const res = await train({ spec: s, run, probe, rng: new Rng(5), selectBest: false });
  const first = res.stepLosses.slice(0, 4).reduce((a, b) => a + b) / 4, last = res.stepLosses.slice(-4).reduce((a, b) => a + b) / 4;
  assert.ok(last < first - 0.1, `loss ${first.toFixed(3)} -> ${last.toFixed(3)}`);
  res.optimizer.dispose();
  run.dispose();
});

test('real-format fixtures: MSR-VTT (single-sentence test) and MSVD (multi-sentence) train and evaluate', async () => {
  for (const [task, folder] of [['vtr-msrvtt', 'msrvtt'], ['vtr-msvd', 'msvd']] as const) {
    const s = spec('unipt', {}, { batchSize: 2, maxSteps: 1, maxTrainExamples: null }, { source: 'real', path: join(FIX, folder) }, task);
    const run = await buildVideoTextRun({ spec: s, backboneDir: dir, rng: new Rng(1) });
    const res = await train({ spec: s, run, probe, rng: new Rng(6), selectBest: false });
    assert.equal(res.steps, 1);
    const m = await run.evaluate('test');
    const nVideos = folder === 'msrvtt' ? 3 : 2;
    assert.ok(m.t2v_mdr >= 1 && m.t2v_mdr <= nVideos && m.v2t_mnr <= nVideos, `${task}: ${JSON.stringify(m)}`);
    assert.match(run.versions.data, /^real:[0-9a-f]{16}$/);
    res.optimizer.dispose();
    run.dispose();
  }
});
