// Ctrl-C: the first stops scheduling and lets the running run finish; the second cancels running runs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import type { RunRow } from '../../src/store/types.js';
import { cliAsync, sleep, tempDir, tinyBackbone, writeYaml } from './harness.js';

const dir = tempDir('unipt-int-');
const db = join(dir, 'results', 'unipt.sqlite');
let backbone = '';
before(async () => { backbone = await tinyBackbone(join(dir, 'tiny-bert')); });

function rows(experiment: string): RunRow[] {
  if (!existsSync(db)) return [];
  const s = openStore(db, { readonly: true });
  try { return s.listRuns({ experiment, withResult: false }); } finally { s.close(); }
}

async function untilTraining(experiment: string): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < 120_000) {
    await sleep(150);
    if (rows(experiment).some((r) => r.status === 'running' && (r.progress?.step ?? 0) >= 1)) return;
  }
  assert.fail('no run reached training');
}

function exitOf(p: ReturnType<typeof cliAsync>): Promise<{ code: number | null; out: string }> {
  let out = '';
  p.stdout!.on('data', (d) => { out += d; });
  p.stderr!.on('data', (d) => { out += d; });
  return new Promise((res) => p.once('exit', (code) => res({ code, out })));
}

const exp = (name: string, train: string) => writeYaml(dir, name, `
tasks: [glue-rte]
methods: [bitfit]
seeds: [0, 1, 2]
backbones: ["${backbone}"]
train: ${train}
`);

test('first Ctrl-C: nothing new starts, the running run finishes, the rest stay planned', async () => {
  const sweep = cliAsync(['sweep', exp('stop', '{ epochs: 1, maxSteps: 20, batchSize: 8 }'), '--db', db, '--concurrency', '1']);
  const done = exitOf(sweep);
  await untilTraining('stop');
  sweep.kill('SIGINT');
  const { code, out } = await done;
  assert.equal(code, 1, out);
  assert.match(out, /stopping: no new runs start; 1 running run\(s\) will finish/);
  const statuses = rows('stop').map((r) => r.status).sort();
  assert.deepEqual(statuses, ['planned', 'planned', 'succeeded']);
});

test('second Ctrl-C: the running run is cancelled and recorded as such', async () => {
  const sweep = cliAsync(['sweep', exp('cancel', '{ epochs: 8, maxSteps: 2000, batchSize: 4 }'), '--db', db, '--concurrency', '1']);
  const done = exitOf(sweep);
  await untilTraining('cancel');
  sweep.kill('SIGINT');
  await sleep(300);
  sweep.kill('SIGINT');
  const { code, out } = await done;
  assert.equal(code, 1, out);
  const rs = rows('cancel');
  const cancelled = rs.filter((r) => r.status === 'cancelled');
  assert.equal(cancelled.length, 1, out);
  assert.match(cancelled[0].error!, /cancel/);
  assert.equal(typeof cancelled[0].errorStep, 'number', 'the step it was cancelled at');
  assert.equal(rs.filter((r) => r.status === 'planned').length, 2);
  assert.equal(rs.filter((r) => r.status === 'running').length, 0);
});
