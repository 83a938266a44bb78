import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, SCHEMA_VERSION, type PlannedRunInput } from '../../src/store/index.js';
import { resultFor, specFor } from './fixtures.js';

function tmpDb(): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'unipt-store-'));
  return { path: join(dir, 'unipt.sqlite'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const planned = (id: string, i: number, experiment = 'exp', variant = 'default'): PlannedRunInput =>
  ({ id, spec: specFor(i), versions: { method: 'lora@1', task: 'glue-sst2@1' }, experiment, variant, taskView: 'glue-sst2' });

test('a new store is migrated to the current schema, in WAL mode, and reopening does not migrate twice', () => {
  const t = tmpDb();
  try {
    const s = openStore(t.path);
    assert.equal(s.schemaVersion(), SCHEMA_VERSION);
    assert.equal(s.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.ok((s.db.pragma('busy_timeout', { simple: true }) as number) >= 10_000);
    s.close();
    const again = openStore(t.path);
    assert.equal((again.db.prepare('SELECT COUNT(*) AS n FROM migrations').get() as { n: number }).n, SCHEMA_VERSION);
    again.close();
  } finally { t.cleanup(); }
});

test('a read-only or create:false open of a missing store is an input error and creates nothing', () => {
  const t = tmpDb();
  try {
    assert.throws(() => openStore(t.path, { readonly: true }), (e: Error) => e.name === 'InputError' && /no results store/.test(e.message));
    assert.throws(() => openStore(t.path, { create: false }), (e: Error) => e.name === 'InputError');
    assert.throws(() => openStore(t.path, { readonly: true }));
  } finally { t.cleanup(); }
});

test('recordResult writes every part of a RunResult and reads it back', () => {
  const t = tmpDb();
  const s = openStore(t.path);
  try {
    s.planRuns([planned('aaaa000000000001', 1)]);
    assert.equal(s.getRun('aaaa000000000001')!.status, 'planned');
    const r = resultFor('aaaa000000000001', 1);
    s.recordResult('aaaa000000000001', r, { resultPath: '/x/r.json' });
    const row = s.getRun('aaaa000000000001')!;
    assert.equal(row.status, 'succeeded');
    assert.deepEqual(row.result, r);
    assert.equal(row.bestEpoch, 1);
    assert.equal(row.timings!.steps, 10);
    assert.equal(row.resultPath, '/x/r.json');
    assert.deepEqual(row.links, [{ experiment: 'exp', variant: 'default', task: 'glue-sst2' }]);
    // identity versions from the plan are kept next to the versions the run reported
    assert.equal(row.versions.method, 'lora@1');
    // 2 epochs x (train loss + 1 validation metric)
    assert.equal(s.epochMetrics(row.id).length, 4);
    assert.deepEqual(s.finalMetrics(row.id).map((m) => `${m.split}.${m.metric}=${m.value}`), ['test.accuracy=69', 'validation.accuracy=71']);
    assert.equal(s.countRows('param_modules'), 3);
    const mem = s.db.prepare('SELECT peak_bytes, transient, frozen_params FROM memory WHERE run_id = ?').get(row.id) as { peak_bytes: number; transient: number; frozen_params: number };
    assert.deepEqual(mem, { peak_bytes: 8192, transient: 8192 - 3000, frozen_params: 1000 });
  } finally { s.close(); t.cleanup(); }
});

test('recording a run again replaces its details instead of duplicating them', () => {
  const t = tmpDb();
  const s = openStore(t.path);
  try {
    s.recordResult('bbbb000000000001', resultFor('bbbb000000000001', 0));
    s.recordResult('bbbb000000000001', resultFor('bbbb000000000001', 5));
    assert.equal(s.countRows('runs'), 1);
    assert.equal(s.countRows('epochs'), 2);
    assert.equal(s.countRows('final_metrics'), 2);
    assert.equal(s.getRun('bbbb000000000001')!.result!.final.test.accuracy, 73);
  } finally { s.close(); t.cleanup(); }
});

test('a write that fails half-way leaves nothing of it (complete or absent)', () => {
  const t = tmpDb();
  const s = openStore(t.path);
  try {
    s.planRuns([planned('cccc000000000001', 2)]);
    const bad = resultFor('cccc000000000001', 2);
    // param_modules violates NOT NULL on its last insert, after runs/epochs/metrics/memory rows were written
    (bad.params!.byModule as Record<string, unknown>).broken = { total: null, trainable: null };
    assert.throws(() => s.recordResult('cccc000000000001', bad));
    const row = s.getRun('cccc000000000001')!;
    assert.equal(row.status, 'planned');
    assert.equal(row.result, null);
    for (const table of ['epochs', 'epoch_metrics', 'final_metrics', 'memory', 'params', 'param_modules'] as const) assert.equal(s.countRows(table), 0, table);
  } finally { s.close(); t.cleanup(); }
});

test('state machine: claim, heartbeat, requeue, failure; a claim is refused while another live process holds the run', () => {
  const t = tmpDb();
  const s = openStore(t.path);
  try {
    s.planRuns([planned('dddd000000000001', 3)]);
    const owner = { ownerPid: 111, host: 'h', logPath: '/l' };
    assert.equal(s.claimRun('dddd000000000001', owner, () => false), true);
    let row = s.getRun('dddd000000000001')!;
    assert.equal(row.status, 'running');
    assert.equal(row.attempts, 1);
    s.attachWorker(row.id, 222);
    s.heartbeat(row.id, { epoch: 0, step: 2, totalSteps: 9, loss: 0.5, lr: 1e-3 });
    row = s.getRun(row.id)!;
    assert.equal(row.pid, 222);
    assert.deepEqual(row.progress, { epoch: 0, step: 2, totalSteps: 9, loss: 0.5, lr: 1e-3 });
    assert.equal(s.claimRun(row.id, owner, () => true), false, 'held elsewhere');
    assert.equal(s.requeue(row.id, 'its process died'), true);
    assert.equal(s.getRun(row.id)!.status, 'planned');
    assert.equal(s.requeue(row.id, 'again'), false, 'only running runs are re-queued');
    assert.equal(s.claimRun(row.id, owner, () => false), true);
    assert.equal(s.getRun(row.id)!.attempts, 2);
    s.attachWorker(row.id, 333);
    assert.equal(s.recordFailure(row.id, 'failed', 'boom', { workerPid: 444 }), false, 'another worker holds it');
    assert.equal(s.recordFailure(row.id, 'failed', 'boom', { workerPid: 333, step: 4 }), true);
    row = s.getRun(row.id)!;
    assert.deepEqual([row.status, row.error, row.errorStep, row.pid], ['failed', 'boom', 4, null]);
    assert.equal(s.recordFailure(row.id, 'failed', 'again'), false, 'a finished run is not overwritten by a late failure');
  } finally { s.close(); t.cleanup(); }
});

test('queries: id prefixes, filters, cells per link, experiments by status; NaN metrics become NULL', () => {
  const t = tmpDb();
  const s = openStore(t.path);
  try {
    s.planRuns([planned('eeee000000000001', 1), planned('eeee000000000002', 2), planned('ffff000000000001', 3, 'other'), planned('eeee000000000001', 1, 'exp', 'twin')]);
    s.recordResult('eeee000000000001', resultFor('eeee000000000001', 1));
    s.recordResult('eeee000000000002', resultFor('eeee000000000002', 2, 'diverged', { final: { validation: { accuracy: Number.NaN }, bestEpoch: null, test: {} } }));
    assert.equal(s.getRun('ffff')!.id, 'ffff000000000001');
    assert.throws(() => s.getRun('eeee'), /ambiguous/);
    assert.equal(s.getRun('0123'), undefined);
    assert.deepEqual(s.listRuns({ experiment: 'exp' }).map((r) => r.id), ['eeee000000000001', 'eeee000000000002']);
    assert.deepEqual(s.listRuns({ status: ['diverged', 'planned'] }).map((r) => r.status).sort(), ['diverged', 'planned']);
    assert.equal(s.listRuns({ withResult: false })[0].result, null);
    const cells = s.listCells('exp');
    assert.deepEqual(cells.map((c) => `${c.id}:${c.variant}`).sort(), ['eeee000000000001:default', 'eeee000000000001:twin', 'eeee000000000002:default']);
    const exps = s.listExperiments();
    assert.deepEqual(exps.map((e) => [e.experiment, e.runs, e.byStatus]), [['exp', 2, { diverged: 1, succeeded: 1 }], ['other', 1, { planned: 1 }]]);
    const nan = s.finalMetrics('eeee000000000002');
    assert.deepEqual(nan, [{ split: 'validation', metric: 'accuracy', value: null }]);
    assert.deepEqual(s.integrityCheck(), ['ok']);
  } finally { s.close(); t.cleanup(); }
});
