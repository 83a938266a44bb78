// `unipt status [experiment]`: what the store holds. Without an experiment: each experiment's runs by status and
// the runs in progress (with their latest step); with one: every cell with its status, headline, memory and time.
import type { Command } from 'commander';
import { openStore } from '../store/index.js';
import type { RunRow } from '../store/types.js';
import { TASKS } from '../registry/index.js';
import { InputError } from '../util/errors.js';
import { addDbOption, dbPathOf, fmtBytes, fmtSeconds, printJson, table } from './common.js';

/**
 * The run's headline test metric as seen from `taskView`: a task evaluated from another task's run (MSCOCO 5K from
 * the 1K run) shows that run's prefixed metric (`5k_rsum`), as the report does.
 */
function headline(r: RunRow, taskView?: string): string {
  const d = r.result?.metricDefs[0];
  const prefix = TASKS.find((t) => t.id === taskView)?.evaluatedFrom?.metricPrefix ?? '';
  const name = d ? `${prefix}${d.name}` : undefined;
  const v = name ? r.result?.final.test[name] : undefined;
  return name && v !== undefined && v !== null ? `${name} ${Number(v).toFixed(2)}` : '-';
}

function running(r: RunRow): string {
  const age = r.heartbeatAt ? (Date.now() - Date.parse(r.heartbeatAt)) / 1000 : null;
  const p = r.progress ? `step ${r.progress.step}/${r.progress.totalSteps}, loss ${r.progress.loss.toFixed(4)}` : 'starting';
  return `${p}; pid ${r.pid ?? '-'} on ${r.host ?? '?'}, heartbeat ${age === null ? '-' : `${age.toFixed(0)} s ago`}`;
}

export function statusCommand(experiment: string | undefined, o: { db?: string; json?: boolean }): number {
  const dbPath = dbPathOf(o);
  const store = openStore(dbPath, { readonly: true });
  try {
    if (!experiment) {
      const exps = store.listExperiments();
      const active = store.listRuns({ status: 'running', withResult: false });
      if (o.json) { printJson({ store: dbPath, experiments: exps, running: active }); return 0; }
      process.stdout.write(`store ${dbPath}\n`);
      if (!exps.length) { process.stdout.write('no runs yet: `unipt sweep <experiment>` or `unipt start`\n'); return 0; }
      const statuses = ['succeeded', 'failed', 'diverged', 'timed-out', 'cancelled', 'running', 'planned'] as const;
      process.stdout.write(`${table(['experiment', 'runs', ...statuses, 'last finished'], exps.map((e) => [e.experiment, e.runs, ...statuses.map((s) => e.byStatus[s] ?? 0), e.lastFinishedAt]))}\n`);
      if (active.length) {
        process.stdout.write('\nrunning now:\n');
        for (const r of active) process.stdout.write(`  ${r.task}/${r.method} seed ${r.seed} [${r.id}]: ${running(r)}\n`);
      }
      return 0;
    }
    const cells = store.listCells(experiment);
    if (!cells.length) {
      const known = store.listExperiments().map((e) => e.experiment);
      throw new InputError(`no runs of experiment "${experiment}" in ${dbPath}; experiments in the store: ${known.join(', ') || '(none)'}`);
    }
    if (o.json) { printJson({ store: dbPath, experiment, cells }); return 0; }
    const rows = cells.map((c) => [
      c.taskView, c.method, c.variant, c.seed, c.status, c.status === 'running' ? running(c) : c.status === 'succeeded' ? headline(c, c.taskView) : (c.error ?? '').split('\n')[0].slice(0, 60),
      fmtBytes(c.result?.memory?.peakBytes), c.result?.params ? c.result.params.trainable.toLocaleString('en-US') : '-', fmtSeconds(c.timings?.totalSeconds), c.id,
    ]);
    process.stdout.write(`${experiment} in ${dbPath}\n${table(['task', 'method', 'variant', 'seed', 'status', 'test headline / error', 'mem-v1 peak', 'trainable', 'time', 'run'], rows)}\n`);
    const counts: Record<string, number> = {};
    for (const c of cells) counts[c.status] = (counts[c.status] ?? 0) + 1;
    process.stdout.write(`\n${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}\n`);
    return 0;
  } finally {
    store.close();
  }
}

export function registerStatusCommand(program: Command): void {
  const cmd = program.command('status [experiment]').description('runs in the store: per experiment by status, runs in progress; or every cell of one experiment')
    .option('--json', 'print JSON');
  addDbOption(cmd).action((experiment: string | undefined, o: { db?: string; json?: boolean }) => {
    process.exitCode = statusCommand(experiment, o);
  });
}
