// Plans built in-process from the shipped experiment files: the grid, the registry's defaults per task (mini or
// paper), capability of each cell, de-duplication of identical cells, filters and command-line overrides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadExperiment } from '../../src/sweep/experiment.js';
import { buildPlan } from '../../src/sweep/plan.js';
import { experimentsDir } from '../../src/sweep/paths.js';
import { GLUE_TASKS, TASKS, type CapabilityContext } from '../../src/registry/index.js';
import { resolveRunSpec } from '../../src/train/resolve-spec.js';
import { currentCapabilityContext } from '../../src/registry/implementation.js';
import { tempDir, writeYaml } from './harness.js';

const ctx: CapabilityContext = currentCapabilityContext();
const dir = tempDir('unipt-plan-');

test('mini.yaml: every task x every method; cells of families not implemented are listed, not dropped', () => {
  const plan = buildPlan(loadExperiment(join(experimentsDir(), 'mini.yaml')), { capability: ctx });
  assert.equal(plan.cells.length, TASKS.length * ctx.methods.length);
  const runnable = plan.cells.filter((c) => c.capability === 'supported');
  const implemented = TASKS.filter((t) => ctx.taskFamilies.includes(t.family));
  assert.equal(runnable.length, implemented.length * ctx.methods.length);
  // a task evaluated from another's training (MSCOCO 5K from the 1K training) shares that task's runs
  const trained = implemented.filter((t) => !t.evaluatedFrom);
  assert.equal(plan.runs.length, trained.length * ctx.methods.length);
  for (const c of runnable.filter((x) => x.task === 'itr-coco-5k')) {
    const run = plan.runs[c.run!];
    assert.equal(run.spec.task, 'itr-coco-1k');
    assert.deepEqual(run.cells.map((x) => x.task).sort(), ['itr-coco-1k', 'itr-coco-5k']);
  }
  for (const c of plan.cells.filter((x) => x.capability !== 'supported')) {
    assert.equal(c.capability, 'not-yet-implemented');
    assert.match(c.reason!, /not implemented yet/);
    assert.equal(c.run, null);
  }
  // mini defaults: the task's mini setup with the method's mini lr
  const lst = plan.runs.find((r) => r.spec.task === 'glue-rte' && r.spec.method.id === 'lst')!;
  assert.deepEqual([lst.spec.backbone, lst.spec.data.source], ['text-mini', 'mini']);
  assert.deepEqual(lst.spec.train, resolveRunSpec({ task: 'glue-rte', method: 'lst' }).train, 'what `unipt run --task glue-rte --method lst` uses');
  assert.equal(plan.timeLimitSeconds, 900);
});

test('ablation-unipt.yaml: one run per task x variant x seed, each variant\'s config in its spec', () => {
  const exp = loadExperiment(join(experimentsDir(), 'ablation-unipt.yaml'));
  const plan = buildPlan(exp, { capability: ctx });
  assert.equal(plan.cells.length, 3 * exp.variants!.length * 3);
  assert.equal(plan.runs.length, plan.cells.length, 'no two variants resolve to the same spec');
  const of = (variant: string) => plan.runs.find((r) => r.cells.some((c) => c.variant === variant))!.spec.method.config;
  assert.equal(of('D=4').downsampleFactor, 4);
  assert.deepEqual(of('layers=alternate').layers, [1, 3]);
  assert.equal(of('interaction=off').interaction, 'off');
  assert.equal(of('aggregation=uniform').aggregation, 'uniform');
  assert.equal(of('identity=off').identity, false);
  assert.equal(of('guide-only').guideOnly, true);
  assert.equal(of('default').interaction, 'relu-l1', 'defaults are filled into the spec');
});

test('paper-glue.yaml: paper setups per task and method from the registry, real data per task, on BERT-base and T5-base', () => {
  const glue = join(dir, 'glue');
  for (const t of GLUE_TASKS) mkdirSync(join(glue, t.dataset), { recursive: true });
  const t5 = join(dir, 't5'), bert = join(dir, 'bert');
  for (const [d, type] of [[t5, 't5'], [bert, 'bert']]) { mkdirSync(d, { recursive: true }); writeFileSync(join(d, 'config.json'), JSON.stringify({ model_type: type })); }
  const exp = loadExperiment(join(experimentsDir(), 'paper-glue.yaml'), { UNIPT_GLUE_DIR: glue, UNIPT_T5_BASE: t5, UNIPT_BERT_BASE: bert });
  const plan = buildPlan(exp, { capability: ctx });
  assert.equal(plan.cells.length, 8 * 2 * ctx.methods.length * 3);
  assert.ok(plan.cells.every((c) => c.capability === 'supported'), 'GLUE runs every method on both backbone families');
  const runs = plan.runs;
  assert.equal(runs.length, 8 * 2 * ctx.methods.length * 3);
  assert.equal(runs.filter((r) => r.spec.backbone === t5).length, 8 * ctx.methods.length * 3);
  const spec = (task: string, method: string) => runs.find((r) => r.spec.task === task && r.spec.method.id === method && r.spec.seed === 2 && r.spec.backbone === bert)!.spec;
  const rte = spec('glue-rte', 'lst');
  assert.deepEqual([rte.train.epochs, rte.train.batchSize, rte.train.lr, rte.train.warmupRatio, rte.train.schedule, rte.train.weightDecay], [20, 100, 3e-3, 1, 'linear', 0]);
  assert.deepEqual(rte.data, { source: 'real', path: join(glue, 'RTE') });
  assert.equal(rte.backbone, bert);
  assert.equal(spec('glue-sst2', 'prompt').train.lr, 0.3);
  assert.equal(spec('glue-qnli', 'full').train.epochs, 10);
  assert.equal(spec('glue-cola', 'full').train.lr, 3e-4);
});

test('filters and command-line overrides narrow the grid and win over the file', () => {
  const file = writeYaml(dir, 'small', 'tasks: [glue-rte, glue-sst2]\nmethods: [lora, unipt]\nseeds: [0, 1]\ntrain: { epochs: 2 }\nmethodConfig:\n  unipt: { downsampleFactor: 4 }\n');
  const exp = loadExperiment(file);
  const plan = buildPlan(exp, { capability: ctx, filters: { tasks: ['glue-rte'], seeds: [1] }, train: { maxSteps: 3 }, methodConfig: { unipt: { interaction: 'softmax' } } });
  assert.deepEqual(plan.runs.map((r) => `${r.spec.task}/${r.spec.method.id}/${r.spec.seed}`), ['glue-rte/lora/1', 'glue-rte/unipt/1']);
  for (const r of plan.runs) assert.deepEqual([r.spec.train.epochs, r.spec.train.maxSteps], [2, 3]);
  assert.deepEqual([plan.runs[1].spec.method.config.downsampleFactor, plan.runs[1].spec.method.config.interaction], [4, 'softmax']);
  assert.throws(() => buildPlan(exp, { capability: ctx, filters: { methods: ['bitfit'] } }), /--methods: "bitfit" is not in small/);
});
