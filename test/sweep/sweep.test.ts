// End-to-end sweeps through the CLI (one worker process per run) on the mini GLUE data with a tiny random backbone
// and three training steps per run: skip-if-done, --force, --only-failed, --max-runs, diverged and timed-out runs,
// and `unipt start <experiment>` ending with the report and where everything is.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import type { RunRow } from '../../src/store/types.js';
import { cli, tempDir, tinyBackbone, writeYaml } from './harness.js';

const dir = tempDir('unipt-sweep-');
const db = join(dir, 'results', 'unipt.sqlite');
let backbone = '';

before(async () => { backbone = await tinyBackbone(join(dir, 'tiny-bert')); });

function rows(experiment: string): RunRow[] {
  const s = openStore(db, { readonly: true });
  try { return s.listRuns({ experiment }); } finally { s.close(); }
}
const byLabel = (rs: RunRow[]) => Object.fromEntries(rs.map((r) => [`${r.task}/${r.method}${r.links[0].variant === 'default' ? '' : `[${r.links[0].variant}]`}`, r]));

test('a sweep runs every cell once, skips what succeeded, and --only-failed / --force / --max-runs / rerun redo exactly what they say; start ends with the report', () => {
  const exp = writeYaml(dir, 'grid', `
tasks: [glue-rte, glue-sst2]
methods: [bitfit, lora]
seeds: [0]
backbones: ["${backbone}"]
train: { epochs: 1, maxSteps: 3, batchSize: 8 }
variants:
  - name: default
    methods: [bitfit]
  - name: absurd-lr
    methods: [lora]
    tasks: [glue-rte]
    train: { lr: 1.0e+38 }
`);
  const first = cli(['sweep', exp, '--db', db, '--concurrency', '2']);
  assert.equal(first.code, 1, `a diverged run makes the exit code 1\n${first.stdout}\n${first.stderr}`);
  let r = byLabel(rows('grid'));
  assert.deepEqual(Object.keys(r).sort(), ['glue-rte/bitfit', 'glue-rte/lora[absurd-lr]', 'glue-sst2/bitfit']);
  for (const [k, row] of Object.entries(r)) {
    if (k === 'glue-rte/lora[absurd-lr]') continue;
    assert.equal(row.status, 'succeeded', `${k}: ${row.error}`);
    assert.equal(row.attempts, 1);
    assert.ok(row.result && row.result.runId === row.id && row.result.timings.steps === 3, k);
    const file = JSON.parse(readFileSync(join(dir, 'results', 'runs', `${row.id}.json`), 'utf8'));
    assert.deepEqual(file, row.result, 'runs/<id>.json holds the stored RunResult');
    assert.ok(existsSync(join(dir, 'results', 'logs', `${row.id}.log`)));
  }
  // the NaN run ends diverged with the step, and the sweep went on with the others
  const nan = r['glue-rte/lora[absurd-lr]'];
  assert.equal(nan.status, 'diverged', nan.error ?? '');
  assert.equal(typeof nan.errorStep, 'number');
  assert.match(nan.error!, /loss became (NaN|-?Infinity) at step/);

  // skip-if-done: nothing starts again; the diverged run is kept (deterministic) until --only-failed
  const second = cli(['sweep', exp, '--db', db]);
  assert.equal(second.code, 1);
  assert.match(second.stdout, /2 already succeeded, 0 to run, 1 diverged\/failed kept/);
  assert.deepEqual(Object.values(byLabel(rows('grid'))).map((x) => x.attempts), [1, 1, 1]);

  const onlyFailed = cli(['sweep', exp, '--db', db, '--only-failed']);
  assert.equal(onlyFailed.code, 1);
  assert.match(onlyFailed.stdout, /2 already succeeded, 1 to run/, onlyFailed.stderr);
  r = byLabel(rows('grid'));
  assert.equal(r['glue-rte/lora[absurd-lr]'].attempts, 2, onlyFailed.stdout + onlyFailed.stderr);
  assert.equal(r['glue-rte/lora[absurd-lr]'].status, 'diverged', r['glue-rte/lora[absurd-lr]'].error ?? '');
  for (const k of ['glue-rte/bitfit', 'glue-sst2/bitfit']) assert.equal(r[k].attempts, 1, k);

  // --force reruns succeeded runs too; --max-runs caps how many start (in plan order)
  const forced = cli(['sweep', exp, '--db', db, '--force', '--max-runs', '1']);
  assert.equal(forced.code, 1, 'the diverged run still counts as a failure of the plan');
  assert.match(forced.stdout, /0 already succeeded, 1 to run/, forced.stderr);
  assert.match(forced.stdout, /2 left for later \(--max-runs\)/);
  r = byLabel(rows('grid'));
  assert.deepEqual([r['glue-rte/bitfit'].attempts, r['glue-sst2/bitfit'].attempts, r['glue-rte/lora[absurd-lr]'].attempts], [2, 1, 2]);

  // rerun: one stored run again by an id prefix, the same record (attempts + 1), the others untouched
  const sst2 = r['glue-sst2/bitfit'];
  const rerun = cli(['rerun', sst2.id.slice(0, 8), '--db', db]);
  assert.equal(rerun.code, 0, rerun.stdout + rerun.stderr);
  r = byLabel(rows('grid'));
  assert.deepEqual([r['glue-sst2/bitfit'].attempts, r['glue-sst2/bitfit'].status, r['glue-sst2/bitfit'].id], [2, 'succeeded', sst2.id]);
  assert.deepEqual(r['glue-sst2/bitfit'].result!.final, sst2.result!.final, 'same spec, same seed: the same numbers');
  assert.equal(r['glue-rte/bitfit'].attempts, 2);

  // one row per run, the store intact
  const s = openStore(db, { readonly: true });
  try {
    assert.equal(s.countRows('runs'), 3);
    assert.equal(s.countRows('experiment_runs'), 3);
    assert.deepEqual(s.integrityCheck(), ['ok']);
  } finally { s.close(); }

  // plan shows the same picture without running anything; --tasks / --methods narrow it, --force turns done into forced
  const plan = cli(['plan', exp, '--db', db, '--json']);
  assert.equal(plan.code, 0, plan.stderr);
  assert.deepEqual(JSON.parse(plan.stdout).counts, { done: 2, 'kept-failed': 1 });
  const narrowed = cli(['plan', exp, '--db', db, '--json', '--tasks', 'glue-sst2', '--force']);
  assert.deepEqual(JSON.parse(narrowed.stdout).counts, { forced: 1 });
  const onlyFailedPlan = JSON.parse(cli(['plan', exp, '--db', db, '--json', '--only-failed']).stdout).counts;
  assert.deepEqual(onlyFailedPlan, { done: 2, 'rerun-failed': 1 });

  // `unipt start <experiment>` (what `npm start` runs, here on this experiment): the sweep (nothing left to run), then
  // the experiment's report, then where the store, run files, logs and report are
  const start = cli(['start', exp, '--db', db]);
  assert.equal(start.code, 1, `the diverged run still fails the plan\n${start.stdout}\n${start.stderr}`);
  assert.match(start.stdout, /2 already succeeded, 0 to run/);
  const reportDir = join(dir, 'results', 'report', 'grid');
  for (const f of ['report.html', 'tables.md', 'table.csv', 'table.tex', 'table.json']) assert.ok(existsSync(join(reportDir, f)), `${f}\n${start.stdout}${start.stderr}`);
  assert.ok(readdirSync(join(reportDir, 'charts')).filter((f) => f.endsWith('.png')).length >= 3, 'charts');
  assert.match(readFileSync(join(reportDir, 'tables.md'), 'utf8'), /BitFit/);
  for (const re of [/store\s+\S*unipt\.sqlite \(`unipt status grid`\)/, /run files\s+\S*results\/runs\/<id>\.json/, /logs\s+\S*results\/logs\/<id>\.log/, /report\s+\S*results\/report\/grid\/ \(report\.html/]) {
    assert.match(start.stdout, re);
  }
});

test('a run past its time limit ends timed-out; identical cells share one run', () => {
  const exp = writeYaml(dir, 'slow', `
tasks: [glue-rte]
methods: [bitfit]
backbones: ["${backbone}"]
train: { epochs: 1, maxSteps: 4, batchSize: 8 }
timeLimitSeconds: 0.001
variants:
  - name: a
  - name: b
`);
  const res = cli(['sweep', exp, '--db', db]);
  assert.equal(res.code, 1, res.stdout + res.stderr);
  const rs = rows('slow');
  assert.equal(rs.length, 1, 'variants a and b resolve to the same spec: one run serves both cells');
  assert.deepEqual(rs[0].links.map((l) => l.variant).sort(), ['a', 'b']);
  assert.equal(rs[0].status, 'timed-out');
  assert.match(rs[0].error!, /time limit of 0\.001 s exceeded at step 0/);
});
