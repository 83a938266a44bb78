import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BACKBONES, BACKBONE_FAMILIES, TASKS, capabilityMatrix, capabilityOf, designApplicability, findBackbone, getTask, taskCapability,
  paperTarget, isKnownTarget, withinTarget, PAPER_TARGETS, allTargetCells, type CapabilityContext,
} from '../../src/registry/index.js';
import { LST_GLUE_LR } from '../../src/registry/glue-tasks.js';

test('the 18 dataset tasks of the paper, with unique ids and the five families', () => {
  assert.equal(TASKS.length, 18);
  assert.equal(new Set(TASKS.map((t) => t.id)).size, 18);
  const byFamily = (f: string) => TASKS.filter((t) => t.family === f).map((t) => t.id).sort();
  assert.deepEqual(byFamily('glue'), ['glue-cola', 'glue-mnli', 'glue-mrpc', 'glue-qnli', 'glue-qqp', 'glue-rte', 'glue-sst2', 'glue-stsb']);
  assert.deepEqual(byFamily('image-text'), ['itr-coco-1k', 'itr-coco-5k', 'itr-flickr30k']);
  assert.deepEqual(byFamily('video-text'), ['vtr-msrvtt', 'vtr-msvd']);
  assert.deepEqual(byFamily('vqa'), ['vqa-gqa', 'vqa-vqav2']);
  assert.deepEqual(byFamily('grounding'), ['vg-refcoco', 'vg-refcocog', 'vg-refcocoplus']);
});

test('every task: headline metric first with a direction, unique metric names, real-data layout and source, paper setup with provenance', () => {
  for (const t of TASKS) {
    assert.ok(t.metrics.length > 0, t.id);
    assert.equal(new Set(t.metrics.map((m) => m.name)).size, t.metrics.length, `${t.id} metric names`);
    for (const m of t.metrics) assert.ok(m.direction === 'max' || m.direction === 'min', `${t.id}.${m.name}`);
    assert.ok(t.realData.layout.length > 10 && t.realData.source.length > 10 && t.realData.folder.length > 0, t.id);
    assert.ok(/\[(CODE|INFERRED)/.test(t.paperTrain.provenance), `${t.id} provenance`);
    assert.ok(t.backboneFamilies.length > 0 && t.version.length > 0 && t.mini.description.length > 0);
  }
  // the reference's headline choices
  assert.equal(getTask('itr-flickr30k').metrics[0].name, 'rsum');
  const vtr = getTask('vtr-msrvtt').metrics;
  assert.equal(vtr[0].name, 't2v_r1');
  assert.equal(vtr.find((m) => m.name === 't2v_mdr')!.direction, 'min');
  assert.equal(vtr.find((m) => m.name === 'v2t_mnr')!.direction, 'min');
  assert.equal(getTask('vqa-vqav2').metrics[0].name, 'vqa_accuracy');
  assert.deepEqual(getTask('vg-refcoco').metrics.slice(0, 3).map((m) => m.name), ['p1_val', 'p1_testA', 'p1_testB']);
  assert.deepEqual(getTask('vg-refcocog').metrics.slice(0, 2).map((m) => m.name), ['p1_val', 'p1_test']);
});

test('MSCOCO 5K is an evaluation of the MSCOCO 1K training, and every evaluatedFrom points at a task of the same family', () => {
  assert.deepEqual(getTask('itr-coco-5k').evaluatedFrom, { task: 'itr-coco-1k', metricPrefix: '5k_' });
  for (const t of TASKS.filter((x) => x.evaluatedFrom)) assert.equal(getTask(t.evaluatedFrom!.task).family, t.family);
});

test('paper training setups follow the reference scripts (section 5)', () => {
  // LST: epochs per task, batch 100, lrs per method; 500 warm-up steps as a ratio of the run's steps
  assert.equal(getTask('glue-rte').paperTrain.train.epochs, 20);
  assert.equal(getTask('glue-sst2').paperTrain.train.epochs, 10);
  assert.equal(getTask('glue-rte').paperTrain.train.warmupRatio, 1);              // 25 steps x 20 epochs = 500 steps
  assert.equal(getTask('glue-sst2').paperTrain.train.warmupRatio, Number((500 / (664 * 10)).toFixed(4)));  // 66,349 examples / 100 -> 664 steps
  assert.deepEqual([LST_GLUE_LR.full, LST_GLUE_LR.lst, LST_GLUE_LR.prompt], [3e-4, 3e-3, 0.3]);
  for (const t of TASKS.filter((x) => x.family === 'glue')) assert.equal(t.paperTrain.train.batchSize, 100);
  const vse = getTask('itr-flickr30k').paperTrain.train;
  assert.deepEqual([vse.epochs, vse.batchSize, vse.lr, vse.lrDropEpoch, vse.weightDecay, vse.clipNorm], [25, 112, 5e-4, 15, 1e-4, 2]);
  const c4c = getTask('vtr-msvd').paperTrain.train;
  assert.deepEqual([c4c.epochs, c4c.batchSize, c4c.lr, c4c.warmupRatio], [5, 128, 1e-4, 0.1]);
  assert.deepEqual([getTask('vqa-vqav2').paperTrain.train.lr, getTask('vqa-gqa').paperTrain.train.lr], [5e-4, 1e-4]);
  const mdetr = getTask('vg-refcocog').paperTrain.train;
  assert.deepEqual([mdetr.epochs, mdetr.batchSize, mdetr.lr, mdetr.lrDropEpoch, mdetr.clipNorm], [10, 8, 5e-4, 5, 0.1]);
});

test('backbones: unique ids; mini and paper-scale entries; each task\'s default backbone family is one it runs on', () => {
  assert.equal(new Set(BACKBONES.map((b) => b.id)).size, BACKBONES.length);
  for (const id of ['text-mini', 'bert-base', 'roberta-base', 't5-base', 'clip-vit-b32', 'resnext101-32x8d-wsl', 'resnet101', 'clip-rn50x4']) assert.ok(findBackbone(id), id);
  assert.equal(findBackbone('t5-base')!.paramCount!.value, 222_903_552);
  for (const t of TASKS) {
    const def = findBackbone(t.defaultBackbone);
    if (def) assert.ok(t.backboneFamilies.includes(def.family), `${t.id}: ${t.defaultBackbone}`);
  }
});

const glueOnly: CapabilityContext = { taskFamilies: ['glue'], methods: ['full', 'bitfit', 'adapter', 'lora', 'prompt', 'lst', 'unipt'] };

test('capability matrix: derived from what is implemented, never silently skipping a family', () => {
  const cells = capabilityMatrix(glueOnly);
  assert.equal(cells.length, 7 * BACKBONE_FAMILIES.length);
  for (const m of glueOnly.methods) {
    // GLUE runs on text encoders and, in text-to-text form, on T5
    for (const f of ['text-encoder', 't5'] as const) assert.equal(capabilityOf(m, f, glueOnly).capability, 'supported', `${m} x ${f}`);
    for (const f of ['vse', 'clip', 'clip-vil', 'mdetr'] as const) {
      const c = capabilityOf(m, f, glueOnly);
      assert.equal(c.capability, 'not-yet-implemented', `${m} x ${f}`);
      assert.match(c.reason, /not implemented yet: a task family running on it/);
    }
  }
  // no task family at all: even the text encoder is not yet usable
  assert.equal(capabilityOf('lora', 'text-encoder', { taskFamilies: [], methods: ['lora'] }).capability, 'not-yet-implemented');
  // a registered mini backbone without a pretraining recipe does not count
  assert.equal(capabilityOf('lora', 'text-encoder', { ...glueOnly, miniRecipes: [] }).capability, 'not-yet-implemented');
  assert.equal(capabilityOf('lora', 'text-encoder', { ...glueOnly, miniRecipes: ['text-mini'] }).capability, 'supported');
  // a method that is not implemented
  assert.match(capabilityOf('ia3', 'text-encoder', glueOnly).reason, /the method "ia3"/);
  // a task of a family that is not implemented, on a backbone family that is
  assert.equal(taskCapability('glue-sst2', 'lora', 'text-encoder', glueOnly).capability, 'supported');
  assert.equal(taskCapability('glue-sst2', 'lora', 'text-encoder', { ...glueOnly, taskFamilies: ['vqa'] }).capability, 'not-yet-implemented');
});

test('capability matrix: a method a task family does not run (its supportsMethod) is not shown as supported', () => {
  // the GLUE family running prompt tuning on text encoders but not on T5
  const ctx: CapabilityContext = { ...glueOnly, familySupports: (tf, m, bf) => (tf === 'glue' ? !(m === 'prompt' && bf === 't5') : undefined) };
  assert.equal(capabilityOf('prompt', 'text-encoder', ctx).capability, 'supported');
  const t5 = capabilityOf('prompt', 't5', ctx);
  assert.equal(t5.capability, 'not-yet-implemented');
  assert.match(t5.reason, /not implemented yet: "prompt" in the glue task family on t5/);
  assert.equal(capabilityOf('lora', 't5', ctx).capability, 'supported');
  assert.equal(taskCapability('glue-rte', 'prompt', 't5', ctx).capability, 'not-yet-implemented');
  assert.equal(taskCapability('glue-rte', 'prompt', 'text-encoder', ctx).capability, 'supported');
  // a family that does not say keeps every method that applies by design
  assert.equal(capabilityOf('prompt', 't5', { ...glueOnly, familySupports: () => undefined }).capability, 'supported');
});

test('design applicability: prompt, adapters and LoRA need transformer blocks; a CNN tower is named where they cannot go', () => {
  const vse = designApplicability('prompt', 'vse');
  assert.equal(vse.applicable, true);
  assert.match(vse.reason, /BERT text tower.*not to the ResNeXt image tower/);
  for (const f of BACKBONE_FAMILIES) for (const m of ['full', 'bitfit', 'lst', 'unipt']) assert.equal(designApplicability(m, f).applicable, true, `${m} x ${f}`);
});

test('paper targets: the known numbers of reference section 4 with provenance; everything else explicitly unknown', () => {
  // values copied from the reference (section 4), the independent source of these numbers
  const expect: [string, string, string, number, string][] = [
    ['glue-avg', 'full', 'metric', 85.2, 'PAPER-LST'], ['glue-avg', 'lst', 'metric', 84.1, 'PAPER-LST'], ['glue-avg', 'lora', 'metric', 85.3, 'TERTIARY'],
    ['glue-avg', 'bitfit', 'metric', 84.1, 'FIGURE'], ['glue-avg', 'prompt', 'metric', 72.3, 'FIGURE'],
    ['glue-avg', 'full', 'memory', 17.6, 'PAPER-LST'], ['glue-avg', 'lst', 'memory', 5.5, 'PAPER-LST'], ['glue-avg', 'adapter', 'memory', 13.0, 'TERTIARY'],
    ['glue-avg', 'adapter', 'trainable-params', 3_625_728, 'CODE'], ['glue-avg', 'lst', 'trainable-params', 3_878_712, 'CODE'], ['glue-avg', 'prompt', 'trainable-params', 76_800, 'CODE'],
    ['itr-flickr30k', 'unipt', 'metric', 537.4, 'TERTIARY'], ['itr-flickr30k', 'lst', 'metric', 529.5, 'TERTIARY'], ['itr-flickr30k', 'full', 'metric', 546.6, 'TERTIARY'],
  ];
  for (const [scope, method, q, value, prov] of expect) {
    const t = paperTarget(scope, method, q as 'metric');
    assert.ok(isKnownTarget(t), `${scope}/${method}/${q}`);
    assert.equal(t.value, value);
    assert.equal(t.provenance, prov);
    assert.ok(t.tolerance >= 0 && t.comparableWhen.length > 0);
  }
  assert.equal((paperTarget('glue-avg', 'lst', 'metric', 't5-3b') as { value: number }).value, 87.9);
  // unknown cells say so, with the reason, and carry no value
  for (const [scope, method, q] of [['glue-avg', 'unipt', 'metric'], ['glue-sst2', 'full', 'metric'], ['vqa-vqav2', 'unipt', 'metric'], ['itr-flickr30k', 'unipt', 'memory']] as const) {
    const t = paperTarget(scope, method, q);
    assert.ok(!isKnownTarget(t), `${scope}/${method}/${q}`);
    assert.equal(t.status, 'unknown');
    assert.ok(!('value' in t));
    assert.ok(t.reason.length > 20);
  }
  assert.match((paperTarget('itr-flickr30k', 'unipt', 'memory') as { reason: string }).reason, /unreliable/);
  const cells = allTargetCells(['full', 'lst', 'unipt']);
  assert.equal(cells.filter(isKnownTarget).length, PAPER_TARGETS.filter((t) => ['full', 'lst', 'unipt'].includes(t.method)).length);
  assert.equal(new Set(cells.map((c) => c.key)).size, cells.length);
});

test('withinTarget uses the tolerance in the target\'s unit', () => {
  const t = paperTarget('glue-avg', 'full', 'metric');
  assert.equal(withinTarget(t, 85.2 + 1.0), true);
  assert.equal(withinTarget(t, 85.2 - 1.01), false);
  assert.equal(withinTarget(paperTarget('glue-avg', 'unipt', 'metric'), 80), null);
  const fig = paperTarget('glue-avg', 'prompt', 'metric');
  assert.ok(isKnownTarget(fig) && fig.approximate && fig.tolerance > 1.0);
});

test('a task\'s per-method mini overrides apply on its default backbone family only (GLUE encoder rates never reach t5-mini)', async () => {
  const { resolveTrainConfig } = await import('../../src/train/resolve-spec.js');
  const { T5_GLUE_MINI_TRAIN } = await import('../../src/tasks/glue-t5/mini-train.js');
  const mrpc = getTask('glue-mrpc');
  assert.ok(mrpc.miniTrainByMethod?.bitfit, 'glue-mrpc has a per-method override for bitfit on the encoder');
  assert.equal(resolveTrainConfig('glue-mrpc', 'bitfit', {}, 'text-encoder').lr, mrpc.miniTrainByMethod.bitfit.lr);
  for (const method of ['bitfit', 'prompt']) {
    assert.equal(resolveTrainConfig('glue-mrpc', method, {}, 't5').lr, T5_GLUE_MINI_TRAIN[method].lr, `${method} on t5-mini`);
    assert.equal(resolveTrainConfig('glue-mrpc', method, {}, 't5').batchSize, T5_GLUE_MINI_TRAIN[method].batchSize);
  }
  assert.equal(resolveTrainConfig('glue-mrpc', 'bitfit', { lr: 0.5 }, 't5').lr, 0.5, '--set still wins');
});

test('the small GLUE tasks get their longer t5-mini schedule through miniTrainByFamily; the large ones and the encoder do not', async () => {
  const { resolveTrainConfig } = await import('../../src/train/resolve-spec.js');
  const { T5_GLUE_MINI_TRAIN, T5_MINI_SMALL_TASKS, T5_MINI_SMALL_TASK_TRAIN } = await import('../../src/tasks/glue-t5/mini-train.js');
  assert.deepEqual([...T5_MINI_SMALL_TASKS].sort(), ['glue-cola', 'glue-mrpc', 'glue-rte', 'glue-stsb']);
  for (const method of ['full', 'prompt', 'unipt']) {
    const small = resolveTrainConfig('glue-cola', method, {}, 't5');
    assert.equal(small.epochs, T5_MINI_SMALL_TASK_TRAIN[method].epochs, `${method}: small-task epochs`);
    assert.equal(small.lr, T5_GLUE_MINI_TRAIN[method].lr, `${method}: the family's rate stays`);
    const large = resolveTrainConfig('glue-qqp', method, {}, 't5');
    assert.equal(large.epochs, T5_GLUE_MINI_TRAIN[method].epochs, `${method}: large tasks keep the family's epochs`);
    assert.notEqual(small.epochs, large.epochs);
    assert.equal(resolveTrainConfig('glue-cola', method, {}, 'text-encoder').epochs, getTask('glue-cola').miniTrain.epochs, `${method}: the encoder path is untouched`);
  }
  assert.equal(resolveTrainConfig('glue-cola', 'unipt', {}, 't5').maxTrainExamples, null, 'side networks read the whole small training set');
  assert.equal(resolveTrainConfig('glue-cola', 'unipt', { epochs: 2 }, 't5').epochs, 2, '--set still wins');
});
