// The local executor: one child process per run (`unipt worker`), at most `concurrency` at a time (p-limit).
// States: planned -> running (pid, heartbeat) -> succeeded | failed | diverged | timed-out | cancelled. Before
// anything starts, runs left `running` by processes that no longer exist are re-queued; runs held by live
// processes (another sweep, or workers that outlived a killed sweep) are waited for, never started twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Store } from '../store/store.js';
import type { RunProgress, RunRow, StoredStatus } from '../store/types.js';
import { writeFileAtomic } from '../util/fs.js';
import { heldElsewhere, pidAlive, THIS_HOST } from './liveness.js';
import type { PlannedRun } from './plan.js';
import type { WorkerJob } from './worker.js';

export const FAILURE_STATUSES: readonly StoredStatus[] = ['failed', 'diverged', 'timed-out', 'cancelled'];

export interface SweepRun { id: string; run: PlannedRun }

export interface SweepOptions {
  store: Store;
  /** Folder for runs/<id>.json, logs/<id>.log and jobs/ (normally the store's folder). */
  resultsDir: string;
  concurrency: number;
  /** Rerun even runs that succeeded. */
  force?: boolean;
  /** Only rerun runs that ended failed, diverged, timed-out or cancelled. */
  onlyFailed?: boolean;
  /** Start at most this many runs. */
  maxRuns?: number | null;
  /** Per-run limit: the run ends timed-out at the first step past it; a worker still alive 60 s later is killed. */
  timeLimitSeconds?: number | null;
  /** The worker command (default: this node running the unipt CLI's `worker`); the job file is appended. */
  workerArgv: string[];
  /** Heartbeats older than this mark a run on another host as dead. */
  staleAfterSeconds?: number;
  pollMs?: number;
  heartbeatMs?: number;
  /** After a cancel, how long a worker may take to record its own `cancelled` result before it is killed. */
  cancelGraceMs?: number;
  onEvent?: (e: SweepEvent) => void;
}

export type SelectionReason = 'new' | 'rerun-failed' | 'forced' | 'requeued';
export type RunDecision = SelectionReason | 'done' | 'kept-failed' | 'not-selected' | 'running-elsewhere' | 'over-max-runs';

export interface RunningInfo { id: string; label: string; progress: RunProgress | null; seconds: number; elsewhere: boolean }

export type SweepEvent =
  | { type: 'selected'; total: number; toRun: number; done: number; keptFailed: number; requeued: string[]; elsewhere: number; notSelected: number }
  | { type: 'start'; id: string; label: string; attempt: number; logPath: string }
  | { type: 'finish'; id: string; label: string; status: StoredStatus; error: string | null; seconds: number; row: RunRow | undefined }
  | { type: 'tick'; running: RunningInfo[]; finished: number; toFinish: number; failures: number; etaSeconds: number | null }
  | { type: 'state'; state: SweepState; message: string };

export type SweepState = 'running' | 'stopping' | 'cancelling' | 'killed' | 'done';

export interface SweepSummary {
  /** Final status of every run of the plan, by status. */
  byStatus: Partial<Record<StoredStatus, number>>;
  started: number;
  skippedDone: number;
  notStarted: number;
  interrupted: boolean;
  /** Runs of the plan that ended failed, diverged, timed-out or cancelled. */
  failures: { id: string; label: string; status: StoredStatus; error: string | null }[];
}

export interface SweepHandle {
  done: Promise<SweepSummary>;
  /** First Ctrl-C: start nothing new; running runs finish. */
  stop(): void;
  /** Second Ctrl-C: running runs are cancelled (SIGTERM, then SIGKILL after a grace period) and marked cancelled. */
  cancel(): void;
  /** Kill every worker now. */
  kill(): void;
  readonly state: SweepState;
}

interface Active { id: string; label: string; child: ChildProcess; started: number; killedFor: 'timeout' | 'cancel' | null }

function tail(file: string, lines: number): string {
  try {
    const t = readFileSync(file, 'utf8').trimEnd().split('\n');
    return t.slice(-lines).join('\n');
  } catch { return ''; }
}

/** Decides which runs of a plan to start, re-queueing the dead ones. */
export function selectRuns(store: Store | null, runs: SweepRun[], o: Pick<SweepOptions, 'force' | 'onlyFailed' | 'maxRuns' | 'staleAfterSeconds'> & { dryRun?: boolean }) {
  const stale = o.staleAfterSeconds ?? 1800;
  const toRun: (SweepRun & { reason: SelectionReason })[] = [];
  const elsewhere: SweepRun[] = [];
  const requeued: string[] = [];
  /** Per run: what the sweep does with it, and the stored status it found. */
  const decisions = new Map<string, { action: RunDecision; status: StoredStatus | null }>();
  let done = 0, keptFailed = 0;
  for (const r of runs) {
    const row = store?.getRun(r.id, false);
    if (!row && !o.dryRun) throw new Error(`run ${r.id} is not in the store (planRuns must come first)`);
    let status: StoredStatus = row?.status ?? 'planned';
    let wasRequeued = false;
    if (row && status === 'running') {
      if (heldElsewhere(row, stale)) { elsewhere.push(r); decisions.set(r.id, { action: 'running-elsewhere', status: 'running' }); continue; }
      if (o.dryRun || store!.requeue(r.id, `re-queued: its process (worker pid ${row.pid ?? '-'}, sweep pid ${row.ownerPid ?? '-'} on ${row.host ?? '?'}) had died`)) {
        requeued.push(r.id); wasRequeued = true; status = 'planned';
      } else {
        status = store!.getRun(r.id, false)!.status;
      }
    }
    const failed = FAILURE_STATUSES.includes(status);
    let reason: SelectionReason | null = null;
    if (o.force) reason = 'forced';
    else if (o.onlyFailed) reason = failed ? 'rerun-failed' : null;
    else if (status === 'planned') reason = wasRequeued ? 'requeued' : 'new';
    else if (failed && status !== 'diverged') reason = 'rerun-failed';
    if (reason) toRun.push({ ...r, reason });
    else if (status === 'succeeded') done++;
    else if (failed) keptFailed++;
    decisions.set(r.id, { action: reason ?? (status === 'succeeded' ? 'done' : failed ? 'kept-failed' : 'not-selected'), status: row?.status ?? null });
  }
  const limited = o.maxRuns != null ? toRun.slice(0, o.maxRuns) : toRun;
  for (const r of toRun.slice(limited.length)) decisions.set(r.id, { action: 'over-max-runs', status: decisions.get(r.id)?.status ?? null });
  return { toRun: limited, notSelected: toRun.length - limited.length, elsewhere, requeued, done, keptFailed, decisions };
}

export function startSweep(runs: SweepRun[], o: SweepOptions): SweepHandle {
  const emit = o.onEvent ?? (() => {});
  const store = o.store;
  const stale = o.staleAfterSeconds ?? 1800;
  const pollMs = o.pollMs ?? 1000;
  const logsDir = join(o.resultsDir, 'logs'), runsDir = join(o.resultsDir, 'runs'), jobsDir = join(o.resultsDir, 'jobs');
  for (const d of [logsDir, runsDir, jobsDir]) mkdirSync(d, { recursive: true });
  let state: SweepState = 'running';
  const active = new Map<string, Active>();
  const setState = (s: SweepState, message: string) => { state = s; emit({ type: 'state', state: s, message }); };

  const sel = selectRuns(store, runs, o);
  emit({ type: 'selected', total: runs.length, toRun: sel.toRun.length, done: sel.done, keptFailed: sel.keptFailed, requeued: sel.requeued, elsewhere: sel.elsewhere.length, notSelected: sel.notSelected });
  const toFinish = sel.toRun.length + sel.elsewhere.length;
  let finished = 0, failures = 0, started = 0;
  const durations: number[] = [];
  const waiting = new Map(sel.elsewhere.map((r) => [r.id, r]));

  const finish = (id: string, label: string, seconds: number) => {
    const row = store.getRun(id, false);
    finished++;
    if (row && FAILURE_STATUSES.includes(row.status)) failures++;
    if (row?.status === 'succeeded') durations.push(seconds);
    emit({ type: 'finish', id, label, status: row?.status ?? 'failed', error: row?.error ?? null, seconds, row });
  };

  let stoppedBeforeStart = 0;
  const execute = async (r: SweepRun): Promise<void> => {
    // Queued runs are not dropped from p-limit (its cleared promises would never settle): they return here.
    if (state !== 'running') { stoppedBeforeStart++; return; }
    const logPath = join(logsDir, `${r.id}.log`);
    if (!store.claimRun(r.id, { ownerPid: process.pid, host: THIS_HOST, logPath }, (row) => heldElsewhere(row, stale))) {
      waiting.set(r.id, r);   // another process took it meanwhile: wait for its outcome
      return;
    }
    started++;
    const row = store.getRun(r.id, false);
    const jobFile = join(jobsDir, `${r.id}.json`);
    const job: WorkerJob = {
      runId: r.id, spec: r.run.spec, dbPath: store.path, resultPath: join(runsDir, `${r.id}.json`),
      timeLimitSeconds: o.timeLimitSeconds ?? null, heartbeatMs: o.heartbeatMs ?? 1000,
    };
    writeFileAtomic(jobFile, JSON.stringify(job));
    const fd = openSync(logPath, 'a');
    writeSync(fd, `\n=== ${new Date().toISOString()} attempt ${row?.attempts ?? '?'} of run ${r.id} (${r.run.label}) by sweep pid ${process.pid} on ${THIS_HOST}\n`);
    const t0 = Date.now();
    let child: ChildProcess;
    try {
      child = spawn(o.workerArgv[0], [...o.workerArgv.slice(1), jobFile], { stdio: ['ignore', fd, fd], detached: true, env: { ...process.env, UNIPT_WORKER: '1' } });
    } finally { closeSync(fd); }
    const a: Active = { id: r.id, label: r.run.label, child, started: t0, killedFor: null };
    active.set(r.id, a);
    emit({ type: 'start', id: r.id, label: r.run.label, attempt: row?.attempts ?? 1, logPath });
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
      child.once('exit', (code, signal) => res({ code, signal }));
      child.once('error', (err) => { appendFileSync(logPath, `could not start the worker: ${err.message}\n`); res({ code: -1, signal: null }); });
    });
    if (child.pid) store.attachWorker(r.id, child.pid);
    let hard: NodeJS.Timeout | undefined;
    if (o.timeLimitSeconds) {
      hard = setTimeout(() => { a.killedFor = 'timeout'; child.kill('SIGKILL'); }, (o.timeLimitSeconds + 60) * 1000);
    }
    const { code, signal } = await exit;
    if (hard) clearTimeout(hard);
    active.delete(r.id);
    rmSync(jobFile, { force: true });
    const after = store.getRun(r.id, false);
    if (after?.status === 'running') {
      const status = a.killedFor === 'timeout' ? 'timed-out' : a.killedFor === 'cancel' ? 'cancelled' : 'failed';
      const why = a.killedFor === 'timeout' ? `killed ${o.timeLimitSeconds! + 60} s after the time limit of ${o.timeLimitSeconds} s`
        : a.killedFor === 'cancel' ? 'cancelled by the user (Ctrl-C twice)'
          : `the worker exited with ${signal ? `signal ${signal}` : `code ${code}`} before recording a result`;
      const last = tail(logPath, 6);
      // the step is the last one the worker reported in its heartbeat
      store.recordFailure(r.id, status, `${why}; log: ${logPath}${last ? `\n${last}` : ''}`, { workerPid: child.pid, step: after.progress?.step });
    }
    finish(r.id, r.run.label, (Date.now() - t0) / 1000);
  };

  const limit = pLimit(Math.max(1, o.concurrency));
  const pool = Promise.all(sel.toRun.map((r) => limit(() => execute(r))));

  // Runs held by other live processes: poll until they end, or take them over if their holder dies.
  const watchElsewhere = async (): Promise<void> => {
    let poolDone = false;
    void pool.then(() => { poolDone = true; });
    while (waiting.size || !poolDone) {
      await new Promise((res) => setTimeout(res, pollMs));
      for (const [id, r] of [...waiting]) {
        const row = store.getRun(id, false);
        if (!row || row.status !== 'running') {
          waiting.delete(id);
          finish(id, r.run.label, 0);
        } else if (!heldElsewhere(row, stale) && state === 'running') {
          waiting.delete(id);
          store.requeue(id, `re-queued: its process (worker pid ${row.pid ?? '-'}) died while this sweep waited for it`);
          await limit(() => execute(r));
        } else if (state !== 'running') {
          waiting.delete(id);   // stopping: leave it to its holder
        }
      }
    }
  };

  const ticker = setInterval(() => {
    const ids = [...active.keys(), ...waiting.keys()];
    const rows = ids.length ? store.listRuns({ ids, withResult: false }) : [];
    const running: RunningInfo[] = rows.filter((x) => x.status === 'running').map((x) => ({
      id: x.id, label: active.get(x.id)?.label ?? waiting.get(x.id)?.run.label ?? x.id, progress: x.progress,
      seconds: (Date.now() - (active.get(x.id)?.started ?? Date.parse(x.startedAt ?? new Date().toISOString()))) / 1000,
      elsewhere: !active.has(x.id),
    }));
    const mean = durations.length ? durations.reduce((s, d) => s + d, 0) / durations.length : null;
    const remaining = toFinish - finished;
    const eta = mean === null ? null : (mean * remaining) / Math.max(1, Math.min(o.concurrency, remaining));
    emit({ type: 'tick', running, finished, toFinish, failures, etaSeconds: eta });
  }, pollMs);

  const killAll = (signal: NodeJS.Signals, why: 'cancel') => {
    for (const a of active.values()) {
      a.killedFor = why;
      if (a.child.exitCode === null && a.child.pid && pidAlive(a.child.pid)) a.child.kill(signal);
    }
  };

  const done = (async (): Promise<SweepSummary> => {
    try {
      await pool;
      await watchElsewhere();
    } finally {
      clearInterval(ticker);
    }
    const interrupted = state !== 'running';
    if (state === 'running') setState('done', 'all selected runs finished');
    const rows = store.listRuns({ ids: runs.map((r) => r.id), withResult: false });
    const byStatus: SweepSummary['byStatus'] = {};
    for (const row of rows) byStatus[row.status] = (byStatus[row.status] ?? 0) + 1;
    const label = new Map(runs.map((r) => [r.id, r.run.label]));
    return {
      byStatus, started, skippedDone: sel.done, interrupted,
      notStarted: stoppedBeforeStart + sel.notSelected,
      failures: rows.filter((x) => FAILURE_STATUSES.includes(x.status)).map((x) => ({ id: x.id, label: label.get(x.id) ?? x.id, status: x.status, error: x.error })),
    };
  })();

  return {
    done,
    get state() { return state; },
    stop() {
      if (state !== 'running') return;
      setState('stopping', `stopping: no new runs start; ${active.size} running run(s) will finish (Ctrl-C again to cancel them)`);
    },
    cancel() {
      if (state === 'cancelling' || state === 'killed') return;
      // SIGTERM lets a worker record a `cancelled` result itself at its next step boundary; one busy in a long
      // synchronous stretch is killed after a short grace and recorded as cancelled here.
      setState('cancelling', `cancelling ${active.size} running run(s) (Ctrl-C again to kill them at once)`);
      killAll('SIGTERM', 'cancel');
      setTimeout(() => killAll('SIGKILL', 'cancel'), o.cancelGraceMs ?? 2000).unref();
    },
    kill() {
      setState('killed', `killing ${active.size} running run(s)`);
      killAll('SIGKILL', 'cancel');
    },
  };
}
