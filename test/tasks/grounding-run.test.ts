// A grounding run end to end through the family and the generic trainer, on a tiny random MDETR checkpoint: the
// real-format fixture data (CNN in each step's frozen phase) and the mini data (CNN features cached), metrics named
// as the registry's (p1_val headline; the test evaluation reports every evaluation split), accounting and memory.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { installTracker } from '../../src/engine/memory/tracker.js';
import { MemoryProbe } from '../../src/engine/memory/probe.js';
import { MdetrConfigSchema } from '../../src/backbones/mdetr/config.js';
import { MdetrModel } from '../../src/backbones/mdetr/model.js';
import { saveMdetr } from '../../src/backbones/mdetr/checkpoint.js';
import { writeSceneTokenizer } from '../../src/data/scenes/index.js';
import { loadTokenizer } from '../../src/data/tokenizer/index.js';
import { GROUNDING_FAMILY } from '../../src/tasks/grounding/family.js';
import { parseRunSpec } from '../../src/train/run-once.js';
import { train } from '../../src/train/trainer.js';
import { getTask } from '../../src/registry/index.js';
import { MINI_REFEXP } from '../../src/tasks/grounding/data/index.js';

let tracker: ReturnType<typeof installTracker>;
const dirs: string[] = [];
before(async () => { await initBackend('wasm'); tracker = installTracker(); });

async function checkpoint(imageSize: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'grounding-run-'));
  dirs.push(dir);
  writeSceneTokenizer(dir, { modelMaxLength: 16 });
  const tok = await loadTokenizer(dir);
  const cfg = MdetrConfigSchema.parse({
    model_type: 'mdetr', d_model: 16, nheads: 2, enc_layers: 2, dec_layers: 2, dim_feedforward: 32, num_queries: 4, num_classes: 15, image_size: imageSize, contrastive_hdim: 8,
    backbone_config: { model_type: 'resnet', layers: [1, 1, 1, 1], planes: [2, 2, 4, 4], stem: 'mini', stem_width: 4 },
    text_config: { model_type: 'bert', vocab_size: tok.vocabSize, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 16 },
  });
  const m = new MdetrModel(cfg, 1);
  saveMdetr(dir, m);
  m.dispose();
  return dir;
}

async function runOnFamily(specIn: Record<string, unknown>, backboneDir: string) {
  const spec = parseRunSpec({ backbone: backboneDir, ...specIn });
  const run = await GROUNDING_FAMILY.build({ spec, backboneDir, rng: new Rng(1).fork('build') });
  const probe = new MemoryProbe(tracker);
  const outcome = await train({ spec, run, probe, rng: new Rng(1).fork('train') });
  const testMetrics = await run.evaluate('test');
  const acc = run.model.accounting();
  const result = { run, outcome, testMetrics, acc, metricDefs: run.metricDefs, versions: run.versions };
  outcome.optimizer.dispose();
  run.dispose();
  return result;
}

test('real-format fixtures: trains with UniPT and full fine-tuning, metrics named as the registry\'s', async () => {
  const dir = await checkpoint(16);
  const data = { source: 'real', path: join(process.cwd(), 'datasets', 'fixtures', 'grounding', 'refcoco') };
  for (const method of ['unipt', 'full']) {
    const r = await runOnFamily({ task: 'vg-refcoco', method: { id: method, config: {} }, train: { epochs: 2, batchSize: 2, lr: 1e-3 }, data }, dir);
    assert.deepEqual(r.metricDefs.map((d) => d.name), getTask('vg-refcoco').metrics.map((d) => d.name));
    assert.equal(r.outcome.steps, 4);
    assert.ok(r.outcome.stepLosses.every(Number.isFinite));
    assert.deepEqual(Object.keys(r.outcome.bestValidation).sort(), ['p10_val', 'p1_val', 'p5_val']);
    for (const k of ['p1_val', 'p1_testA', 'p1_testB', 'p5_testA', 'p10_testB']) {
      const v = r.testMetrics[k];
      assert.ok(v >= 0 && v <= 100, `${k} = ${v}`);
    }
    // 4 queries: Precision@5 and @10 see every query
    assert.ok(r.testMetrics.p5_val >= r.testMetrics.p1_val && r.testMetrics.p10_val === r.testMetrics.p5_val);
    assert.match(r.versions.data, /^real:refcoco:[0-9a-f]{16}$/);
    if (method === 'unipt') assert.ok(r.acc.byModule.unipt.trainable > 0 && r.acc.byModule.backbone.trainable === 0);
    else assert.ok(r.acc.byModule.backbone.trainable > 0);
  }
});

test('mini data: CNN features cached, RefCOCOg splits, a training subset, LST', async () => {
  const dir = await checkpoint(MINI_REFEXP.imageSize);
  const r = await runOnFamily({ task: 'vg-refcocog', method: { id: 'lst', config: { r: 2 } }, train: { epochs: 1, batchSize: 16, lr: 1e-3, maxTrainExamples: 32 } }, dir);
  assert.equal(r.outcome.steps, 2);
  assert.deepEqual(r.metricDefs.map((d) => d.name), getTask('vg-refcocog').metrics.map((d) => d.name));
  assert.ok(['p1_val', 'p1_test', 'p5_test', 'p10_test'].every((k) => r.testMetrics[k] >= 0 && r.testMetrics[k] <= 100));
  assert.match(r.versions.data, /^mini-refexp-/);
  // a checkpoint at another resolution is refused for mini data, with the fix
  const other = await checkpoint(16);
  await assert.rejects(runOnFamily({ task: 'vg-refcoco', method: { id: 'full', config: {} }, train: { epochs: 1, batchSize: 8, lr: 1e-3 } }, other), /rendered at 48 px.*image_size 16/);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
