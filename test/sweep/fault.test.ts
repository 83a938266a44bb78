// Fault tests: a sweep killed with SIGKILL in the middle of runs, then restarted, ends with every planned run
// succeeded exactly once, one row per run, and an intact store.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import type { RunRow } from '../../src/store/types.js';
import { cli, cliAsync, sleep, tempDir, tinyBackbone, writeYaml } from './harness.js';

const dir = tempDir('unipt-fault-');
const db = join(dir, 'results', 'unipt.sqlite');
let backbone = '';
before(async () => { backbone = await tinyBackbone(join(dir, 'tiny-bert')); });

function snapshot(experiment: string): RunRow[] {
  if (!existsSync(db)) return [];
  const s = openStore(db, { readonly: true });
  try { return s.listRuns({ experiment, withResult: false }); } finally { s.close(); }
}

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

/** Starts a sweep and SIGKILLs it once a run is mid-training (and its workers too, when `workers`). */
async function killMidRun(exp: string, workers: boolean): Promise<RunRow[]> {
  const sweep = cliAsync(['sweep', exp, '--db', db, '--concurrency', '2']);
  const name = exp.split('/').pop()!.replace('.yaml', '');
  const t0 = Date.now();
  let running: RunRow[] = [];
  while (Date.now() - t0 < 120_000) {
    await sleep(150);
    running = snapshot(name).filter((r) => r.status === 'running' && (r.progress?.step ?? 0) >= 1 && r.pid);
    if (running.length) break;
  }
  assert.ok(running.length, 'a run reached training before the deadline');
  sweep.kill('SIGKILL');
  if (workers) for (const r of snapshot(name).filter((x) => x.status === 'running' && x.pid)) { try { process.kill(r.pid!, 'SIGKILL'); } catch { /* already gone */ } }
  await new Promise((res) => (sweep.exitCode !== null || sweep.signalCode !== null ? res(null) : sweep.once('exit', res)));
  if (workers) for (const r of running) while (alive(r.pid!)) await sleep(50);
  return snapshot(name);
}

function assertAllSucceededOnce(experiment: string, runs: number): RunRow[] {
  const s = openStore(db, { readonly: true });
  try {
    const rows = s.listRuns({ experiment });
    assert.equal(rows.length, runs);
    for (const r of rows) {
      assert.equal(r.status, 'succeeded', `${r.task}/${r.method}: ${r.error}`);
      assert.ok(r.result && r.result.status === 'succeeded' && r.result.runId === r.id);
      assert.ok(existsSync(join(dir, 'results', 'runs', `${r.id}.json`)));
    }
    const dup = s.db.prepare('SELECT run_id, COUNT(*) AS n FROM experiment_runs WHERE experiment = ? GROUP BY run_id HAVING n > 1').all(experiment);
    assert.deepEqual(dup, []);
    assert.equal((s.db.prepare('SELECT COUNT(*) AS n FROM epochs WHERE run_id IN (SELECT run_id FROM experiment_runs WHERE experiment = ?)').get(experiment) as { n: number }).n,
      rows.reduce((a, r) => a + r.result!.epochs.length, 0), 'no duplicate detail rows');
    assert.deepEqual(s.integrityCheck(), ['ok']);
    return rows;
  } finally { s.close(); }
}

const grid = (maxSteps: number) => `
tasks: [glue-rte, glue-sst2]
methods: [bitfit, lora]
backbones: ["${backbone}"]
train: { epochs: 1, maxSteps: ${maxSteps}, batchSize: 8, maxTrainExamples: 400 }
`;

test('SIGKILL of the sweep and its workers mid-run: the restart re-queues the dead runs and completes each once', async () => {
  const exp = writeYaml(dir, 'crash', grid(25));
  const after = await killMidRun(exp, true);
  const dead = after.filter((r) => r.status === 'running');
  assert.ok(dead.length >= 1, 'runs were left running by dead processes');
  const res = cli(['sweep', exp, '--db', db, '--concurrency', '2']);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.match(res.stdout, /re-queued from dead processes/);
  const rows = assertAllSucceededOnce('crash', 4);
  for (const d of dead) assert.equal(rows.find((r) => r.id === d.id)!.attempts, 2, 'a killed run ran again');
});

test('SIGKILL of the sweep alone: its workers finish, and the restarted sweep waits for them instead of starting them twice', async () => {
  const exp = writeYaml(dir, 'orphans', grid(26));
  const after = await killMidRun(exp, false);
  assert.ok(after.some((r) => r.status === 'running'));
  const res = cli(['sweep', exp, '--db', db, '--concurrency', '2']);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  const rows = assertAllSucceededOnce('orphans', 4);
  assert.deepEqual(rows.map((r) => r.attempts), [1, 1, 1, 1], 'no run started twice');
});
