// The CLI's contract: listings with --json, exit code 2 on bad input with nothing written to the store, and
// errors that say where and how to fix. These commands start no training run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { resultFor, specFor } from '../store/fixtures.js';
import { cli, tempDir, writeYaml } from '../sweep/harness.js';
import { sweepCommand } from '../../src/cli/sweep.js';
import { planCommand } from '../../src/cli/plan.js';

/** Runs a command in this process and returns its input error (commands throw them; main.ts maps them to exit 2). */
async function inputError(fn: () => Promise<unknown>): Promise<string> {
  try { await fn(); } catch (e) {
    assert.equal((e as Error).name, 'InputError', (e as Error).stack);
    return (e as Error).message;
  }
  return assert.fail('expected an input error');
}

const dir = tempDir('unipt-cli-');

test('list: every section as JSON; the matrix has a cell per method and backbone family', () => {
  const all = cli(['list', '--json']);
  assert.equal(all.code, 0, all.stderr);
  const j = JSON.parse(all.stdout);
  assert.equal(j.tasks.length, 18);
  assert.ok(j.methods.some((m: { id: string; keys: string[] }) => m.id === 'unipt' && m.keys.includes('downsampleFactor')));
  assert.ok(j.backbones.some((b: { id: string }) => b.id === 't5-base'));
  assert.equal(j.matrix.cells.length, j.methods.length * 6);
  for (const c of j.matrix.cells) assert.ok(['supported', 'not-applicable', 'not-yet-implemented'].includes(c.capability));
  assert.ok(j.experiments.some((e: { name: string; valid: boolean }) => e.name === 'mini' && e.valid));
  const targets = JSON.parse(cli(['list', 'targets', '--json']).stdout);
  assert.ok(targets.known.length > 0 && targets.cells.some((c: { status?: string }) => c.status === 'unknown'));
  const text = cli(['list', 'matrix']);
  assert.match(text.stdout, /method\s+text-encoder\s+t5\s+vse\s+clip\s+clip-vil\s+mdetr/);
  const bad = cli(['list', 'colours']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown list "colours"; choose one of: tasks, methods/);
});

test('doctor --json reports the backend, the store and where each real dataset is expected', () => {
  const r = cli(['doctor', '--json', '--db', join(dir, 'none.sqlite')], { UNIPT_DATA_DIR: join(dir, 'data') });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.backend.name);
  assert.equal(j.store.exists, false);
  assert.equal(j.data.length, 18);
  const sst2 = j.data.find((d: { task: string }) => d.task === 'glue-sst2');
  assert.deepEqual([sst2.found, sst2.folder], [false, join(dir, 'data', 'glue', 'SST-2')]);
  assert.match(sst2.source, /gluebenchmark/);
  assert.ok(j.miniBackbones.some((m: { id: string }) => m.id === 'text-mini'));
});

function seededStore(path: string): number {
  const s = openStore(path);
  s.planRuns([{ id: 'abcd000000000001', spec: specFor(0), versions: {}, experiment: 'seed', variant: 'default', taskView: 'glue-sst2' }]);
  s.recordResult('abcd000000000001', resultFor('abcd000000000001', 0));
  const n = s.countRows('runs') + s.countRows('experiment_runs') + s.countRows('epochs');
  s.close();
  return n;
}
function rowsIn(path: string): number {
  const s = openStore(path, { readonly: true });
  try { return s.countRows('runs') + s.countRows('experiment_runs') + s.countRows('epochs'); } finally { s.close(); }
}

test('bad experiment files exit 2 with file:line:key errors and write nothing to the store', async () => {
  const fresh = join(dir, 'fresh', 'unipt.sqlite');
  const existing = join(dir, 'existing', 'unipt.sqlite');
  mkdirSync(join(dir, 'existing'), { recursive: true });
  const before = seededStore(existing);
  const cases: [string, string, RegExp][] = [
    ['unknown-task', 'tasks: [glue-rte, glue-nope]\nmethods: [lora]\n', /unknown-task\.yaml:1:\d+: tasks\[1\]: unknown task "glue-nope"; valid tasks:/],
    ['unknown-method', 'tasks: [glue-rte]\nmethods: [lora, qlora]\n', /:2:\d+: methods\[1\]: unknown method "qlora"/],
    ['unknown-backbone', 'tasks: [glue-rte]\nbackbones: [text-maxi]\n', /:2:\d+: backbones\[0\]: "text-maxi" is neither a registry backbone nor an existing checkpoint folder/],
    ['paper-backbone', 'tasks: [glue-rte]\nbackbones: [bert-base]\n', /backbones\[0\]: "bert-base" is a paper-scale backbone: give its checkpoint folder/],
    ['wrong-type', 'tasks: [glue-rte]\nseeds: 3\n', /:2:8: seeds: .*expected array/],
    ['unknown-key', 'tasks: [glue-rte]\nmethod: [lora]\n', /:2:1: method: unknown key "method"; valid keys:/],
    ['bad-config', 'tasks: [glue-rte]\nmethods: [lora]\nmethodConfig:\n  lora: { rank: 4 }\n', /:4:11: methodConfig\.lora\.rank: method "lora" has no config key "rank"; its keys: r, alpha/],
    ['bad-train', 'tasks: [glue-rte]\ntrain: { epochs: 0 }\n', /:2:18: train\.epochs: /],
  ];
  for (const [name, yaml, expected] of cases) {
    const file = writeYaml(dir, name, yaml);
    for (const db of [fresh, existing]) {
      assert.match(await inputError(() => sweepCommand(file, { db })), expected, name);
      assert.match(await inputError(() => planCommand(file, { db })), expected, `plan ${name}`);
    }
  }
  // through the real command line: exit code 2 and the message on stderr
  const r = cli(['sweep', join(dir, 'unknown-task.yaml'), '--db', fresh]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /^unipt: invalid experiment file:\n.*unknown-task\.yaml:1:19: tasks\[1\]: unknown task "glue-nope"/);
  assert.equal(existsSync(fresh), false, 'no store was created');
  assert.equal(rowsIn(existing), before, 'the existing store is unchanged');
});

test('a missing real-data folder exits 2 and says what belongs there and where to get it', () => {
  const db = join(dir, 'real', 'unipt.sqlite');
  const file = writeYaml(dir, 'real-data', 'tasks: [glue-mrpc]\nmethods: [lora]\ndata: real\n');
  const r = cli(['sweep', file, '--db', db], { UNIPT_DATA_DIR: join(dir, 'no-data') });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /real-data\.yaml:3:7: data: the real-data folder for glue-mrpc does not exist: .*no-data\/glue\/MRPC/);
  assert.match(r.stderr, /expected there: either the GLUE distribution's folder MRPC\/ with train\.tsv, dev\.tsv/);
  assert.match(r.stderr, /get it from: https:\/\/gluebenchmark\.com/);
  const templ = writeYaml(dir, 'real-path', 'tasks: [glue-rte]\nmethods: [lora]\ndata: { path: "${GLUE_HOME}/{dataset}" }\n');
  const r2 = cli(['sweep', templ, '--db', db], { GLUE_HOME: join(dir, 'glue-home') });
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /the real-data folder for glue-rte does not exist: .*glue-home\/RTE/);
  assert.equal(existsSync(db), false);
});

test('bad command-line input exits 2: --set keys, numbers, unknown experiments and runs, a missing store', async () => {
  const file = writeYaml(dir, 'ok', 'tasks: [glue-rte]\nmethods: [lora]\n');
  const db = join(dir, 'cmd', 'unipt.sqlite');
  const inProcess: [Record<string, unknown>, RegExp][] = [
    [{ set: ['train.lrr=1'] }, /no training key "lrr"/],
    [{ set: ['lora.rank=4'] }, /method "lora" has no key "rank"/],
    [{ set: ['train.epochs=-1'] }, /--set train\.epochs=-1/],
    [{ set: ['epochs=1'] }, /expected train\.<key>=<value> or <method>\.<key>=<value>/],
    [{ concurrency: 'many' }, /--concurrency must be a positive integer/],
    [{ maxRuns: '0' }, /--max-runs must be a positive integer/],
    [{ tasks: 'glue-sst2' }, /--tasks: "glue-sst2" is not in ok/],
    [{ seeds: 'x' }, /--seeds: "x" is not a non-negative integer/],
  ];
  for (const [o, expected] of inProcess) assert.match(await inputError(() => sweepCommand(file, { db, ...o })), expected, JSON.stringify(o));
  const cases: [string[], RegExp][] = [
    [['sweep', file, '--db', db, '--set', 'train.lrr=1'], /no training key "lrr"/],
    [['sweep', 'no-such-experiment', '--db', db], /experiment "no-such-experiment" not found/],
    [['start', 'no-such-experiment', '--db', db], /experiment "no-such-experiment" not found/],
    [['status', '--db', db], /no results store at/],
    [['run', '--task', 'glue-nope', '--method', 'lora'], /unknown task "glue-nope"/],
  ];
  for (const [args, expected] of cases) {
    const r = cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, expected, args.join(' '));
  }
  assert.equal(existsSync(db), false);
});

test('status and rerun read the store; an unknown experiment or run id is an input error', async () => {
  const db = join(dir, 'status', 'unipt.sqlite');
  seededStore(db);
  const all = cli(['status', '--db', db, '--json']);
  assert.equal(all.code, 0, all.stderr);
  assert.deepEqual(JSON.parse(all.stdout).experiments.map((e: { experiment: string; byStatus: object }) => [e.experiment, e.byStatus]), [['seed', { succeeded: 1 }]]);
  const one = cli(['status', 'seed', '--db', db]);
  assert.equal(one.code, 0);
  assert.match(one.stdout, /glue-sst2\s+lora\s+default\s+0\s+succeeded\s+accuracy 68\.00/);
  const cells = JSON.parse(cli(['status', 'seed', '--db', db, '--json']).stdout).cells;
  assert.equal(cells[0].result.final.test.accuracy, 68);
  const missing = cli(['status', 'nope', '--db', db]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no runs of experiment "nope".*experiments in the store: seed/);
  const { rerunCommand } = await import('../../src/cli/rerun.js');
  assert.match(await inputError(() => rerunCommand('ffff0000', { db })), /no run "ffff0000"/);
  assert.match(await inputError(() => rerunCommand('ffff0000', { db: join(dir, 'nowhere.sqlite') })), /no results store at/);
});

test('ingest rebuilds a store from RunResult files; a file that is not a RunResult is refused before anything is written', async () => {
  const { ingestCommand } = await import('../../src/cli/ingest.js');
  const runs = join(dir, 'bundle');
  mkdirSync(runs, { recursive: true });
  for (const [i, id] of ['1111000000000001', '1111000000000002'].entries()) writeFileSync(join(runs, `${id}.json`), JSON.stringify(resultFor(id, i)));
  const db = join(dir, 'ingest', 'unipt.sqlite');
  writeFileSync(join(dir, 'not-a-result.json'), JSON.stringify({ schema: 'other' }));
  assert.match(await inputError(async () => ingestCommand([runs, join(dir, 'not-a-result.json')], { db })), /not a RunResult/);
  assert.equal(existsSync(db), false);
  assert.equal(ingestCommand([runs], { db, experiment: 'rebuilt' }), 0);
  const s = openStore(db, { readonly: true });
  try {
    assert.deepEqual(s.listCells('rebuilt').map((c) => [c.id, c.status, c.result!.final.test.accuracy]), [['1111000000000001', 'succeeded', 68], ['1111000000000002', 'succeeded', 69]]);
  } finally { s.close(); }
});
