// Regenerates the real RunResults the report tests use (test/fixtures/report/runs/*.json): every method on one mini
// GLUE task with two seeds, plus UniPT at two more downsample factors, each recorded by `unipt run --json`.
// Usage (after `npm run build`): node scripts/report-fixtures.mjs [--task glue-rte] [--force]
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';

const root = join(import.meta.dirname, '..');
const i = process.argv.indexOf('--task');
const task = i > 0 ? process.argv[i + 1] : 'glue-rte';
const out = join(root, 'test', 'fixtures', 'report', 'runs');
mkdirSync(out, { recursive: true });

// Seed 0 of every method and the ablation first, so a partial run already covers every chart.
const methods = ['full', 'adapter', 'lora', 'bitfit', 'lst', 'unipt', 'prompt'];
const jobs = methods.map((method) => ({ method, seed: 0, set: [] }));
for (const d of [1, 4]) jobs.push({ method: 'unipt', seed: 0, set: ['--set', `downsampleFactor=${d}`], tag: `-d${d}` });
for (const method of methods) jobs.push({ method, seed: 1, set: [] });

for (const j of jobs) {
  // Run ids are hex in the store; fixture file names double as ids (runId is null in `unipt run --json` output).
  const name = createHash('sha256').update(`${task}:${j.method}${j.tag ?? ''}:${j.seed}`).digest('hex').slice(0, 16);
  const file = join(out, `${name}.json`);
  if (existsSync(file) && !process.argv.includes('--force')) continue; // rerunning fills gaps; --force redoes all
  const args = [join(root, 'bin', 'unipt.js'), 'run', '--task', task, '--method', j.method, '--seed', String(j.seed), '--backend', 'wasm', ...j.set, '--json', file];
  console.log(`unipt ${args.slice(1, -2).join(' ')}`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) console.error(`  exit ${r.status}: the run did not succeed; its RunResult (if written) is kept as a fixture of a failed run`);
}
