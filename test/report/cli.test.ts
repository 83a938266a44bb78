// `unipt report` on a real store: reports what the store holds (cells name the store's run ids, a worker that died
// shows as a failed cell), and bad input (unknown experiment, no finished runs, unknown format) is an input error
// (exit 2) that writes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { openStore } from '../../src/store/index.js';
import { runReport } from '../../src/cli/report.js';
import { isInputError } from '../../src/util/errors.js';
import { makeRun } from './support/make-run.js';

function tempStore(): { dir: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'unipt-report-cli-'));
  return { dir, db: join(dir, 'unipt.sqlite') };
}

function fill(db: string): string[] {
  const store = openStore(db);
  const ids: string[] = [];
  try {
    for (const [method, value] of [['lora', 80], ['lst', 78]] as const) {
      for (const seed of [0, 1]) {
        const r = makeRun({ method, seed, value: value + seed, task: 'glue-sst2' });
        const id = `${method}-${seed}-`.padEnd(16, 'f');
        store.recordResult(id, { ...r.result, runId: id }, { link: { experiment: 'mini-glue', variant: 'default', task: 'glue-sst2' } });
        ids.push(id);
      }
    }
    // A run whose worker died: planned, claimed, then ended without a RunResult.
    const dead = makeRun({ method: 'full', task: 'glue-sst2' }).result.spec;
    store.planRuns([{ id: 'dead0000dead0000', spec: dead, versions: {}, experiment: 'mini-glue', variant: 'default', taskView: 'glue-sst2' }]);
    store.claimRun('dead0000dead0000', { ownerPid: process.pid, host: 'h', logPath: '/dev/null' }, () => false);
    store.recordFailure('dead0000dead0000', 'failed', 'worker exited with signal SIGKILL (out of memory?)');
    // An experiment whose only run is still planned.
    store.planRuns([{ id: 'plan0000plan0000', spec: dead, versions: {}, experiment: 'not-started', variant: 'default', taskView: 'glue-sst2' }]);
  } finally {
    store.close();
  }
  return ids;
}

test('report from a store: files per format, JSON cells name the store\'s run ids, a dead worker shows as failed', async () => {
  const { dir, db } = tempStore();
  try {
    const ids = fill(db);
    const out = join(dir, 'report');
    const done = await runReport({ db, experiment: 'mini-glue', format: 'md,json,tex,csv', out, split: 'test' });
    assert.equal(done.length, 1);
    assert.deepEqual(readdirSync(join(out, 'mini-glue')).sort(), ['table.csv', 'table.json', 'table.tex', 'tables.md']);
    const json = JSON.parse(readFileSync(join(out, 'mini-glue', 'table.json'), 'utf8'));
    const byMethod = Object.fromEntries(json.rows.map((r: { method: string; cells: Record<string, unknown> }) => [r.method, r.cells['text-mini/glue-sst2']]));
    assert.deepEqual(byMethod.lora.runIds, ids.filter((i) => i.startsWith('lora')).sort());
    assert.equal(byMethod.lora.mean, 80.5);
    assert.equal(byMethod.full.state, 'failed');
    assert.equal(byMethod.full.failed[0].runId, 'dead0000dead0000');
    const md = readFileSync(join(out, 'mini-glue', 'tables.md'), 'utf8');
    assert.match(md, /SIGKILL|failed \(run dead0000dead0000\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input is an input error and writes nothing', async () => {
  const { dir, db } = tempStore();
  try {
    fill(db);
    const out = join(dir, 'report');
    const expectInputError = async (o: Parameters<typeof runReport>[0], re: RegExp) => {
      await assert.rejects(runReport(o), (e: Error) => isInputError(e) && re.test(e.message));
      assert.ok(!existsSync(out), 'nothing written');
    };
    await expectInputError({ db, experiment: 'nope', format: 'md', out, split: 'test' }, /experiment "nope" has no runs in .*; experiments there: mini-glue, not-started/);
    await expectInputError({ db, experiment: 'not-started', format: 'md', out, split: 'test' }, /experiment "not-started" has no finished runs yet \(1 planned or running\)/);
    await expectInputError({ db, experiment: 'mini-glue', format: 'md,docx', out, split: 'test' }, /unknown report format "docx"; valid formats: md, csv, tex, json, html, png/);
    await expectInputError({ db: join(dir, 'missing.sqlite'), format: 'md', out, split: 'test' }, /no results store at/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The command line itself, once src/cli/main.ts registers the report command.
const main = readFileSync(join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts'), 'utf8');
const registered = main.includes('registerReportCommand');
test('unipt report: exit 2 with a clear message for an experiment without runs', { skip: registered ? false : 'src/cli/main.ts does not register the report command yet' }, () => {
  const { dir, db } = tempStore();
  try {
    fill(db);
    const bin = join(import.meta.dirname, '..', '..', '..', 'bin', 'unipt.js');
    const r = spawnSync(process.execPath, [bin, 'report', '--db', db, '--experiment', 'nope', '--out', join(dir, 'report')], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /experiment "nope" has no runs/);
    const f = spawnSync(process.execPath, [bin, 'report', '--db', db, '--format', 'pdf'], { encoding: 'utf8' });
    assert.equal(f.status, 2, f.stderr);
    assert.match(f.stderr, /valid formats: md, csv, tex, json, html, png/);
    assert.ok(!existsSync(join(dir, 'report')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
