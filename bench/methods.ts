// The seven methods on one mini GLUE task at the same batch size, each a real `unipt run` in a fresh process
// (mem-v1), printed side by side: trainable parameters, mem-v1 peak (with its transient part), ms/step and the
// task's headline metric on test. `-- --json` prints one JSON object keyed by method.
// Usage: npm run bench:methods [-- --task glue-sst2 --batch 32 --epochs 3 --json]
import { parseArgs } from 'node:util';
import type { RunResult } from '../src/train/spec.js';
import { runUniptSync } from './unipt-run.js';

const METHODS = ['full', 'bitfit', 'adapter', 'lora', 'prompt', 'lst', 'unipt'];
const { values } = parseArgs({ options: {
  task: { type: 'string', default: 'glue-sst2' }, batch: { type: 'string', default: '32' }, epochs: { type: 'string' },
  methods: { type: 'string', default: METHODS.join(',') }, seed: { type: 'string', default: '0' }, json: { type: 'boolean', default: false },
  backend: { type: 'string', default: 'auto' }, db: { type: 'string' },
} });
const log = (s: string) => process.stderr.write(`${s}\n`);
const results: Record<string, RunResult> = {};
const methods = values.methods!.split(',').filter(Boolean);
// bench runs stay out of the user's results store unless --db names one
log(`methods bench: ${values.task}, batch ${values.batch}, ${methods.length} methods, one process each (store: ${values.db ?? 'none'})`);
for (const m of methods) {
  const t0 = Date.now();
  results[m] = runUniptSync({ task: values.task!, method: m, sets: [`train.batchSize=${values.batch}`, ...(values.epochs ? [`train.epochs=${values.epochs}`] : [])],
    extra: ['--seed', values.seed!, '--backend', values.backend!, ...(values.db ? ['--db', values.db] : [])] });
  log(`  ${m}: ${results[m].status} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

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
