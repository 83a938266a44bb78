// `unipt sweep <experiment>`: plan, pretrain missing mini backbones once, record the plan, then run what is not
// done yet, one worker process per run, with a progress display. Ctrl-C: stop scheduling (running runs finish);
// twice: cancel the running runs; three times: kill them.
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { openStore, resultsDirFor } from '../store/index.js';
import type { Store } from '../store/store.js';
import { getTask } from '../registry/index.js';
import { preparePlan, plannedRows, sweepRuns, type PreparedPlan } from '../sweep/prepare.js';
import { startSweep, type SweepEvent, type SweepRun, type SweepSummary } from '../sweep/scheduler.js';
import type { PlanFilters } from '../sweep/plan.js';
import { InputError } from '../util/errors.js';
import { ProgressLine } from './output.js';
import { addDbOption, csv, dbPathOf, fmtSeconds, positiveInt, positiveNumber, workerArgv } from './common.js';
import { parseSweepSets } from './sweep-args.js';

export interface SweepCliOptions {
  db?: string; concurrency?: string; force?: boolean; onlyFailed?: boolean; maxRuns?: string; timeLimit?: string;
  set?: string[]; tasks?: string; methods?: string; seeds?: string; variants?: string;
}

export function addSelectionOptions(cmd: Command): Command {
  return cmd
    .option('--tasks <ids>', 'only these tasks (comma-separated)')
    .option('--methods <ids>', 'only these methods (comma-separated)')
    .option('--seeds <n,...>', 'only these seeds (comma-separated)')
    .option('--variants <names>', 'only these variants (comma-separated)')
    .option('--set <key=value...>', 'override for every run: train.<key>=<value> (e.g. train.epochs=1) or <method>.<key>=<value>')
    .option('--force', 'rerun runs that already succeeded')
    .option('--only-failed', 'only rerun runs that ended failed, diverged, timed-out or cancelled')
    .option('--max-runs <n>', 'start at most n runs');
}

export function filtersOf(o: SweepCliOptions): PlanFilters {
  const seeds = csv(o.seeds)?.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new InputError(`--seeds: "${s}" is not a non-negative integer`);
    return n;
  });
  return { tasks: csv(o.tasks), methods: csv(o.methods), seeds, variants: csv(o.variants) };
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Plain-text display of a sweep's events: a progress line (rewritten on a terminal) and one line per finished run. */
export class SweepDisplay {
  private readonly progress = new ProgressLine(process.stderr, 10_000);
  private total = 0;
  constructor(private readonly store: Store) {}

  private say(line: string): void { this.progress.done(); process.stdout.write(`${line}\n`); }

  handle = (e: SweepEvent): void => {
    switch (e.type) {
      case 'selected':
        this.total = e.toRun + e.elsewhere;
        this.say(`${e.total} run(s) in the plan: ${e.done} already succeeded, ${e.toRun} to run${e.requeued.length ? ` (${e.requeued.length} re-queued from dead processes)` : ''}${e.keptFailed ? `, ${e.keptFailed} diverged/failed kept (rerun with --only-failed)` : ''}${e.elsewhere ? `, ${e.elsewhere} running in another process (waiting for them)` : ''}${e.notSelected ? `, ${e.notSelected} left for later (--max-runs)` : ''}`);
        break;
      case 'start':
        if (!process.stderr.isTTY) log(`start  ${e.label}  [${e.id}] attempt ${e.attempt}, log ${e.logPath}`);
        break;
      case 'finish': {
        const r = this.store.getRun(e.id);
        const head = r?.result?.metricDefs[0];
        const value = head ? r?.result?.final.test[head.name] : undefined;
        const metric = head && value !== undefined ? `  test ${head.name} ${value.toFixed(2)}` : '';
        const mark = e.status === 'succeeded' ? 'ok  ' : 'FAIL';
        const first = (e.error ?? '').split('\n')[0];
        const err = e.status !== 'succeeded' ? `  ${e.status}${r?.errorStep !== null && r?.errorStep !== undefined ? ` at step ${r.errorStep}` : ''}: ${first}${r?.logPath && !first.includes(r.logPath) ? ` (log ${r.logPath})` : ''}` : '';
        this.say(`${mark} ${e.label}${metric}  ${fmtSeconds(e.seconds)}  [${e.id}]${err}`);
        break;
      }
      case 'tick': {
        const now = e.running.map((r) => `${r.label}${r.elsewhere ? ' (elsewhere)' : ''} ${r.progress ? `step ${r.progress.step}/${r.progress.totalSteps}` : 'starting'}`).join(' | ');
        this.progress.update(`[${e.finished}/${e.toFinish} done${e.failures ? `, ${e.failures} failed` : ''}${e.etaSeconds !== null ? `, ETA ${fmtSeconds(e.etaSeconds)}` : ''}] ${now}`);
        break;
      }
      case 'state':
        this.say(e.message);
        break;
    }
  };

  finish(): void { this.progress.done(); }
}

export interface ExecuteOptions {
  dbPath: string; concurrency?: number; force?: boolean; onlyFailed?: boolean; maxRuns?: number | null; timeLimitSeconds?: number | null;
}

/** Records the plan in the store and runs it; installs the Ctrl-C handlers for the duration. */
export async function executeRuns(store: Store, runs: SweepRun[], o: ExecuteOptions): Promise<SweepSummary> {
  const display = new SweepDisplay(store);
  const handle = startSweep(runs, {
    store, resultsDir: resultsDirFor(o.dbPath), concurrency: o.concurrency ?? availableParallelism(), force: o.force, onlyFailed: o.onlyFailed,
    maxRuns: o.maxRuns ?? null, timeLimitSeconds: o.timeLimitSeconds ?? null, workerArgv: workerArgv(), onEvent: display.handle,
  });
  let presses = 0;
  const onSigint = () => {
    presses++;
    if (presses === 1) handle.stop();
    else if (presses === 2) handle.cancel();
    else handle.kill();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    return await handle.done;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    display.finish();
  }
}

export function printSummary(s: SweepSummary, dbPath: string): void {
  const parts = Object.entries(s.byStatus).map(([k, v]) => `${v} ${k}`).join(', ');
  process.stdout.write(`\n${s.interrupted ? 'interrupted' : 'done'}: ${parts || 'no runs'} (${s.started} started now, ${s.skippedDone} already succeeded${s.notStarted ? `, ${s.notStarted} not started` : ''})\n`);
  for (const f of s.failures) process.stdout.write(`  ${f.status.padEnd(9)} ${f.label} [${f.id}]: ${(f.error ?? '').split('\n')[0]}\n`);
  process.stdout.write(`results: ${dbPath} (store), ${resultsDirFor(dbPath)}/runs/<id>.json (results), ${resultsDirFor(dbPath)}/logs/<id>.log (logs)\n`);
}

export function exitCodeOf(s: SweepSummary): number { return s.failures.length || s.interrupted ? 1 : 0; }

/** Cells that cannot run here (family not implemented, not applicable), grouped per task: listed, never dropped silently. */
export function describeSkipped(p: PreparedPlan): void {
  const skipped = p.plan.cells.filter((c) => c.capability !== 'supported');
  if (!skipped.length) return;
  const byTask = new Map<string, { cap: string; n: number; reason: string }>();
  for (const c of skipped) {
    const k = `${c.capability}|${c.task}`;
    const g = byTask.get(k) ?? { cap: c.capability, n: 0, reason: c.reason ?? '' };
    g.n++;
    byTask.set(k, g);
  }
  log(`${skipped.length} cell(s) not run here:`);
  for (const [k, g] of byTask) log(`  ${g.cap.padEnd(19)} ${k.split('|')[1]} (${getTask(k.split('|')[1]).family}, ${g.n} cell(s)): ${g.reason}`);
}

/** The whole `sweep` flow; returns the exit code. */
export async function sweepCommand(experiment: string, o: SweepCliOptions): Promise<number> {
  const dbPath = dbPathOf(o);
  const sets = parseSweepSets(o.set ?? []);
  const concurrency = positiveInt('--concurrency', o.concurrency);
  const maxRuns = positiveInt('--max-runs', o.maxRuns);
  const timeLimit = positiveNumber('--time-limit', o.timeLimit);
  const prepared = await preparePlan(experiment, { filters: filtersOf(o), train: sets.train, methodConfig: sets.methodConfig, pretrain: true, log });
  const { plan } = prepared;
  log(`experiment ${plan.experiment.name} (${plan.experiment.file}): ${plan.cells.length} cell(s), ${plan.runs.length} distinct run(s)`);
  describeSkipped(prepared);
  const store = openStore(dbPath);
  try {
    store.planRuns(plannedRows(plan));
    const summary = await executeRuns(store, sweepRuns(plan), {
      dbPath, concurrency, force: o.force, onlyFailed: o.onlyFailed, maxRuns, timeLimitSeconds: timeLimit ?? plan.timeLimitSeconds,
    });
    printSummary(summary, dbPath);
    return exitCodeOf(summary);
  } finally {
    store.close();
  }
}

export function registerSweepCommand(program: Command): void {
  const cmd = program.command('sweep <experiment>')
    .description('run an experiment file (experiments/<name>.yaml or a path): every runnable cell not yet done, one process per run');
  addSelectionOptions(cmd)
    .option('--concurrency <n>', 'runs at a time (default: the number of CPU cores)')
    .option('--time-limit <seconds>', 'per-run time limit (default: the file\'s timeLimitSeconds)');
  addDbOption(cmd).action(async (experiment: string, o: SweepCliOptions) => {
    process.exitCode = await sweepCommand(experiment, o);
  });
}
