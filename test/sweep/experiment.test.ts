import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExperiment } from '../../src/sweep/experiment.js';
import { experimentsDir } from '../../src/sweep/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'unipt-exp-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string): string {
  const p = join(dir, `e${n++}.yaml`);
  writeFileSync(p, text);
  return p;
}
function errorOf(p: string, env: NodeJS.ProcessEnv = {}): string {
  try { loadExperiment(p, env); } catch (e) {
    assert.equal((e as Error).name, 'InputError', (e as Error).stack);
    return (e as Error).message;
  }
  assert.fail('expected an error');
}

test('the shipped experiment files are valid', () => {
  const mini = loadExperiment(join(experimentsDir(), 'mini.yaml'));
  assert.equal(mini.tasks, 'all');
  assert.equal(mini.methods, 'all');
  assert.deepEqual(mini.seeds, [0]);
  const abl = loadExperiment(join(experimentsDir(), 'ablation-unipt.yaml'));
  assert.deepEqual(abl.methods, ['unipt']);
  const names = abl.variants!.map((v) => v.name);
  for (const v of ['default', 'D=1', 'D=4', 'interaction=softmax', 'interaction=off', 'identity=off', 'aggregation=uniform', 'guide-only', 'layers=top-half']) assert.ok(names.includes(v), v);
  const env = { UNIPT_GLUE_DIR: '/data/glue', UNIPT_T5_BASE: '/m/t5', UNIPT_BERT_BASE: '/m/bert' };
  const paper = loadExperiment(join(experimentsDir(), 'paper-glue.yaml'), env);
  assert.equal(paper.defaults, 'paper');
  assert.deepEqual(paper.seeds, [0, 1, 2]);
  assert.deepEqual(paper.data, { path: '/data/glue/{dataset}' });
  assert.deepEqual(paper.backbones, [{ id: 't5-base', path: '/m/t5' }, { id: 'bert-base', path: '/m/bert' }]);
});

test('an unset environment variable is an error at its line, naming the variable; ${VAR:-default} falls back', () => {
  const msg = errorOf(join(experimentsDir(), 'paper-glue.yaml'), {});
  assert.match(msg, /paper-glue\.yaml:\d+:\d+: data\.path: the environment variable UNIPT_GLUE_DIR is not set/);
  const p = file('tasks: [glue-rte]\ndata: { path: "${NOPE_X:-/tmp/x}/{task}" }\n');
  assert.deepEqual(loadExperiment(p, {}).data, { path: '/tmp/x/{task}' });
});

test('an unknown key names the file, line and key, and lists the valid keys', () => {
  const msg = errorOf(file('tasks: [glue-rte]\nmethods: [lora]\nseedz: [0]\n'));
  assert.match(msg, /e\d+\.yaml:3:1: seedz: unknown key "seedz"; valid keys: description, tasks, methods, seeds/);
  const nested = errorOf(file('tasks: [glue-rte]\ntrain:\n  epochs: 1\n  learningRate: 0.1\n'));
  assert.match(nested, /:4:3: train\.learningRate: unknown key "learningRate"; valid training keys: epochs, batchSize/);
  const variant = errorOf(file('variants:\n  - name: a\n    confg: {}\n'));
  assert.match(variant, /:3:5: variants\[0\]\.confg: unknown key "confg"; valid variant keys: name/);
});

test('wrong types point at the value', () => {
  const msg = errorOf(file('tasks: [glue-rte]\nseeds:\n  - 0\n  - one\n'));
  assert.match(msg, /:4:5: seeds\[1\]: .*expected number/);
  const lr = errorOf(file('tasks: [glue-rte]\ntrain: { lr: -1 }\n'));
  assert.match(lr, /:2:14: train\.lr: /);
  const top = errorOf(file('- just a list\n'));
  assert.match(top, /:1:1: an experiment file is a YAML mapping/);
});

test('unknown task, method and backbone-free ids name the valid ones at their line', () => {
  const t = errorOf(file('tasks:\n  - glue-rte\n  - glue-sts\nmethods: [lora, loraa]\n'));
  assert.match(t, /:3:5: tasks\[1\]: unknown task "glue-sts"; valid tasks: glue-cola/);
  assert.match(t, /:4:17: methods\[1\]: unknown method "loraa"; valid methods: full, bitfit/);
  const tt = errorOf(file('taskTrain:\n  glue-xyz: { epochs: 1 }\n'));
  assert.match(tt, /:2:3: taskTrain\.glue-xyz: unknown task "glue-xyz"/);
});

test('method configs are checked against the method\'s schema, at the variant or methodConfig key', () => {
  const unknownKey = errorOf(file('methods: [unipt]\nvariants:\n  - name: a\n    config:\n      downsample: 2\n'));
  assert.match(unknownKey, /:5:7: variants\[0\]\.config\.downsample: method "unipt" has no config key "downsample"; its keys: variant, downsampleFactor/);
  const badValue = errorOf(file('methods: [unipt]\nvariants:\n  - name: a\n    config: { interaction: bogus }\n'));
  assert.match(badValue, /:4:28: variants\[0\]\.config\.interaction: .*\(method "unipt"\)/);
  const mc = errorOf(file('methods: [lora, unipt]\nmethodConfig:\n  unipt:\n    downsampleFactor: 0\n'));
  assert.match(mc, /:4:23: methodConfig\.unipt\.downsampleFactor: /);
  const dup = errorOf(file('variants:\n  - name: a\n  - name: a\n'));
  assert.match(dup, /:3:11: variants\[1\]\.name: duplicate variant name "a"/);
});

test('YAML syntax errors carry the line', () => {
  const msg = errorOf(file('tasks: [glue-rte\nmethods: [lora]\n'));
  assert.match(msg, /e\d+\.yaml:\d+:\d+: YAML syntax error/);
});
