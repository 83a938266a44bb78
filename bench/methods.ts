// The seven methods on one mini GLUE task at the same batch size, each a real `unipt run` in a fresh process
// (mem-v1), printed side by side: trainable parameters, mem-v1 peak (with its transient part), ms/step and the
// task's headline metric on test. `-- --json` prints one JSON object keyed by method.
// Usage: npm run bench:methods [-- --task glue-sst2 --batch 32 --epochs 3 --json]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RunResult } from '../src/train/spec.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const METHODS = ['full', 'bitfit', 'adapter', 'lora', 'prompt', 'lst', 'unipt'];
const { values } = parseArgs({ options: {
  task: { type: 'string', default: 'glue-sst2' }, batch: { type: 'string', default: '32' }, epochs: { type: 'string' },
  methods: { type: 'string', default: METHODS.join(',') }, seed: { type: 'string', default: '0' }, json: { type: 'boolean', default: false },
  backend: { type: 'string', default: 'auto' }, db: { type: 'string' },
} });
const log = (s: string) => process.stderr.write(`${s}\n`);
const dir = mkdtempSync(join(tmpdir(), 'unipt-bench-methods-'));
const db = values.db ?? join(dir, 'bench.sqlite');   // keep bench runs out of the user's results store
const results: Record<string, RunResult> = {};
const methods = values.methods!.split(',').filter(Boolean);
log(`methods bench: ${values.task}, batch ${values.batch}, ${methods.length} methods, one process each (store: ${db})`);
for (const m of methods) {
  const out = join(dir, `${m}.json`);
  const args = [join(root, 'bin', 'unipt.js'), 'run', '--task', values.task!, '--method', m, '--seed', values.seed!, '--backend', values.backend!,
    '--set', `train.batchSize=${values.batch}`, '--json', out, '--db', db];
  if (values.epochs) args.push('--set', `train.epochs=${values.epochs}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0 && r.status !== 1) { log(r.stderr); throw new Error(`unipt run --method ${m} exited with ${r.status}`); }
  results[m] = JSON.parse(readFileSync(out, 'utf8')) as RunResult;
  log(`  ${m}: ${results[m].status} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
rmSync(dir, { recursive: true, force: true });

const head = results[methods[0]].metricDefs[0].name;
const MiB = (b: number) => b / 2 ** 20;
const full = results.full?.memory?.peakBytes;
const rows = Object.fromEntries(methods.map((m) => {
  const r = results[m];
  return [m, {
    status: r.status,
    trainable_params: r.params?.trainable ?? null,
    trainable_percent: r.params ? (100 * r.params.trainable) / r.params.total : null,
    mem_peak_bytes: r.memory?.peakBytes ?? null,
    mem_transient_bytes: r.memory?.breakdown.transient ?? null,
    mem_peak_over_full: full && r.memory ? r.memory.peakBytes / full : null,
    ms_per_step: r.timings.msPerStep,
    metric: head, test: r.final.test[head] ?? null, validation: r.final.validation[head] ?? null,
    seconds: r.timings.totalSeconds,
  }];
}));
if (values.json) {
  console.log(JSON.stringify({ task: values.task, batch: Number(values.batch), backend: results[methods[0]].env.backend?.name, methods: rows }));
} else {
  console.log(`\n${values.task} (mini), batch ${values.batch}, backend ${results[methods[0]].env.backend?.name}; test ${head} (%)`);
  console.log(`${'method'.padEnd(9)}${'trainable'.padStart(12)}${'%'.padStart(8)}${'peak MiB'.padStart(10)}${'transient'.padStart(11)}${'peak/full'.padStart(11)}${'ms/step'.padStart(9)}${head.padStart(12)}`);
  for (const m of methods) {
    const x = rows[m];
    console.log(`${m.padEnd(9)}${String(x.trainable_params ?? '-').padStart(12)}${(x.trainable_percent?.toFixed(2) ?? '-').padStart(8)}${(x.mem_peak_bytes ? MiB(x.mem_peak_bytes).toFixed(1) : '-').padStart(10)}${(x.mem_transient_bytes ? MiB(x.mem_transient_bytes).toFixed(1) : '-').padStart(11)}${(x.mem_peak_over_full?.toFixed(2) ?? '-').padStart(11)}${(x.ms_per_step?.toFixed(1) ?? '-').padStart(9)}${(x.test?.toFixed(2) ?? '-').padStart(12)}`);
  }
}
