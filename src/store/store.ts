// The SQLite store (better-sqlite3): WAL so readers never block the one writer, a busy timeout so concurrent
// workers queue instead of failing, and every write in one IMMEDIATE transaction, so a run's record is complete
// or absent. The database must be on a local disk (WAL does not work over network file systems).
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../util/errors.js';
import type { RunResult } from '../train/spec.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import type {
  CellRow, ExperimentSummary, PlannedRunInput, RunFilter, RunLink, RunProgress, RunRow, StoredStatus,
} from './types.js';

const BUSY_TIMEOUT_MS = 60_000;

function sleepMs(ms: number): void { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); }

/** Retries an operation that can meet SQLITE_BUSY outside the busy handler's reach (opening, journal-mode change). */
function retryBusy<T>(fn: () => T, attempts = 200): T {
  for (let i = 0; ; i++) {
    try { return fn(); } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (!code.startsWith('SQLITE_BUSY') && !code.startsWith('SQLITE_LOCKED') || i >= attempts) throw e;
      sleepMs(20 + Math.floor(Math.random() * 30));
    }
  }
}

const now = () => new Date().toISOString();
const json = (v: unknown) => JSON.stringify(v);
/** SQLite has no NaN/Infinity: they are stored as NULL. */
const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

export interface OpenOptions {
  /** Create the file if it does not exist (default true). When false, a missing store is an InputError. */
  create?: boolean;
  readonly?: boolean;
}

export class Store {
  private constructor(readonly db: Database.Database, readonly path: string) {}

  static open(path: string, o: OpenOptions = {}): Store {
    const file = resolve(path);
    if (!existsSync(file)) {
      if (o.create === false || o.readonly) throw new InputError(`no results store at ${file}; run \`unipt sweep <experiment>\` (or \`unipt start\`) first, or pass --db <file>`);
      mkdirSync(dirname(file), { recursive: true });
    }
    const db = retryBusy(() => new Database(file, { timeout: BUSY_TIMEOUT_MS, readonly: o.readonly ?? false }));
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!o.readonly) {
      retryBusy(() => db.pragma('journal_mode = WAL'));
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
    const store = new Store(db, file);
    if (!o.readonly) store.migrate();
    else if (store.waitForSchema() !== SCHEMA_VERSION) throw new InputError(`the store ${file} has schema version ${store.schemaVersion()}, this unipt expects ${SCHEMA_VERSION}; open it once without read-only access to migrate it`);
    return store;
  }

  schemaVersion(): number { return this.db.pragma('user_version', { simple: true }) as number; }

  /** A reader that opens a store another process is creating sees version 0 until that migration commits. */
  private waitForSchema(): number {
    for (let i = 0; i < 100 && this.schemaVersion() === 0; i++) sleepMs(50);
    return this.schemaVersion();
  }

  private migrate(): void {
    const v0 = this.schemaVersion();
    if (v0 > SCHEMA_VERSION) throw new InputError(`the store ${this.path} has schema version ${v0}, newer than this unipt's ${SCHEMA_VERSION}; update unipt`);
    if (v0 === SCHEMA_VERSION) return;
    retryBusy(() => this.db.transaction(() => {
      const v = this.schemaVersion(); // re-read under the write lock: another process may have migrated meanwhile
      for (const m of MIGRATIONS.filter((x) => x.version > v)) {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO migrations (version, description, applied_at) VALUES (?, ?, ?)').run(m.version, m.description, now());
        this.db.pragma(`user_version = ${m.version}`);
      }
    }).immediate());
  }

  close(): void { if (this.db.open) this.db.close(); }

  /** Runs fn in one IMMEDIATE transaction (takes the write lock first, so it never fails half-way on BUSY). */
  write<T>(fn: () => T): T { return this.db.transaction(fn).immediate(); }

  // ---- the sweep's state machine -------------------------------------------------------------------------------

  /** Records planned runs (new ids as `planned`; existing rows keep their state) and their experiment links. */
  planRuns(rows: PlannedRunInput[]): void {
    const ins = this.db.prepare(`INSERT INTO runs (id, experiment, task, backbone, method, method_config, train_config, spec_json, seed, data_source,
      status, created_at, versions_json) VALUES (@id, @experiment, @task, @backbone, @method, @methodConfig, @trainConfig, @spec, @seed, @dataSource,
      'planned', @at, @versions) ON CONFLICT(id) DO NOTHING`);
    const link = this.db.prepare('INSERT OR IGNORE INTO experiment_runs (experiment, run_id, variant, task_view, linked_at) VALUES (?, ?, ?, ?, ?)');
    this.write(() => {
      const at = now();
      for (const r of rows) {
        ins.run({
          id: r.id, experiment: r.experiment, task: r.spec.task, backbone: r.spec.backbone, method: r.spec.method.id,
          methodConfig: json(r.spec.method.config), trainConfig: json(r.spec.train), spec: json(r.spec), seed: r.spec.seed,
          dataSource: r.spec.data.source, at, versions: json(r.versions),
        });
        link.run(r.experiment, r.id, r.variant, r.taskView, at);
      }
    });
  }

  /**
   * Marks a run `running` for this sweep process, unless another live process holds it (`isHeldElsewhere` decides
   * for rows already running). Returns false when the run was not claimed.
   */
  claimRun(id: string, owner: { ownerPid: number; host: string; logPath: string }, isHeldElsewhere: (row: RunRow) => boolean): boolean {
    return this.write(() => {
      const row = this.getRunExact(id, false);
      if (!row) return false;
      if (row.status === 'running' && isHeldElsewhere(row)) return false;
      const at = now();
      this.db.prepare(`UPDATE runs SET status = 'running', attempts = attempts + 1, started_at = ?, heartbeat_at = ?, finished_at = NULL,
        owner_pid = ?, pid = NULL, host = ?, error = NULL, error_step = NULL, progress_json = NULL, log_path = ? WHERE id = ?`)
        .run(at, at, owner.ownerPid, owner.host, owner.logPath, id);
      return true;
    });
  }

  /** The worker process announces itself (its pid) on a run it was started for. */
  attachWorker(id: string, pid: number): void {
    this.write(() => this.db.prepare(`UPDATE runs SET pid = ?, heartbeat_at = ? WHERE id = ? AND status = 'running'`).run(pid, now(), id));
  }

  heartbeat(id: string, progress?: RunProgress): void {
    this.write(() => this.db.prepare(`UPDATE runs SET heartbeat_at = ?, progress_json = COALESCE(?, progress_json) WHERE id = ? AND status = 'running'`)
      .run(now(), progress ? json(progress) : null, id));
  }

  /** Puts a run whose process died back to `planned` (only if it is still marked running). */
  requeue(id: string, note: string): boolean {
    return this.write(() => this.db.prepare(`UPDATE runs SET status = 'planned', pid = NULL, owner_pid = NULL, progress_json = NULL, error = ? WHERE id = ? AND status = 'running'`)
      .run(note, id).changes > 0);
  }

  private deleteDetails(id: string): void {
    for (const t of ['epochs', 'epoch_metrics', 'final_metrics', 'memory', 'params', 'param_modules']) {
      this.db.prepare(`DELETE FROM ${t} WHERE run_id = ?`).run(id);
    }
  }

  /**
   * Ends a run without a RunResult (its worker crashed, was killed, or exceeded the hard time limit). Only applies
   * while the run is still `running` (and, when given, still held by `workerPid`): a worker that managed to record
   * its own result wins. Earlier details of the run are removed so nothing stale sits next to the new status.
   */
  recordFailure(id: string, status: Exclude<StoredStatus, 'planned' | 'running' | 'succeeded'>, message: string, o: { step?: number; workerPid?: number } = {}): boolean {
    return this.write(() => {
      const row = this.getRunExact(id, false);
      if (!row || row.status !== 'running' || (o.workerPid !== undefined && row.pid !== null && row.pid !== o.workerPid)) return false;
      this.deleteDetails(id);
      this.db.prepare(`UPDATE runs SET status = ?, error = ?, error_step = ?, finished_at = ?, pid = NULL, progress_json = NULL,
        result_json = NULL, result_path = NULL, best_epoch = NULL, total_seconds = NULL, train_seconds = NULL, eval_seconds = NULL, ms_per_step = NULL, steps = NULL
        WHERE id = ?`).run(status, message, o.step ?? null, now(), id);
      return true;
    });
  }

  /**
   * Writes a finished run: its row (inserted if new, e.g. from `unipt run`), per-epoch and final metrics, memory,
   * parameters and the full RunResult, replacing any earlier details, in one transaction.
   */
  recordResult(id: string, r: RunResult, meta: { versions?: Record<string, string>; link?: RunLink; logPath?: string | null; resultPath?: string | null } = {}): void {
    const s = r.spec;
    this.write(() => {
      const existing = this.getRunExact(id, false);
      const versions = { ...(existing?.versions ?? {}), ...(meta.versions ?? {}), ...r.env.versions };
      if (!existing) {
        this.db.prepare(`INSERT INTO runs (id, experiment, task, backbone, method, method_config, train_config, spec_json, seed, data_source, status, created_at, versions_json, attempts)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?, 1)`)
          .run(id, meta.link?.experiment ?? null, s.task, s.backbone, s.method.id, json(s.method.config), json(s.train), json(s), s.seed, s.data.source, now(), json(versions));
      }
      this.deleteDetails(id);
      this.db.prepare(`UPDATE runs SET status = @status, error = @error, error_step = @errorStep, started_at = @startedAt, finished_at = @finishedAt,
        heartbeat_at = @at, pid = NULL, progress_json = NULL, host = @host, backend = @backend, versions_json = @versions, git_commit = @commit,
        best_epoch = @bestEpoch, total_seconds = @total, train_seconds = @train, eval_seconds = @eval, ms_per_step = @msPerStep, steps = @steps,
        log_path = COALESCE(@logPath, log_path), result_path = @resultPath, result_json = @result WHERE id = @id`).run({
        id, status: r.status, error: r.error?.message ?? null, errorStep: r.error?.step ?? null, startedAt: r.env.startedAt, finishedAt: r.env.finishedAt,
        at: now(), host: r.env.host, backend: r.env.backend?.name ?? null, versions: json(versions), commit: r.env.commit,
        bestEpoch: r.final.bestEpoch, total: num(r.timings.totalSeconds), train: num(r.timings.trainSeconds), eval: num(r.timings.evalSeconds),
        msPerStep: num(r.timings.msPerStep), steps: r.timings.steps, logPath: meta.logPath ?? null, resultPath: meta.resultPath ?? null, result: json(r),
      });
      const ep = this.db.prepare('INSERT INTO epochs (run_id, epoch, train_loss, steps, seconds) VALUES (?, ?, ?, ?, ?)');
      const em = this.db.prepare('INSERT INTO epoch_metrics (run_id, epoch, split, metric, value) VALUES (?, ?, ?, ?, ?)');
      for (const e of r.epochs) {
        ep.run(id, e.epoch, num(e.trainLoss), e.steps, num(e.seconds) ?? 0);
        em.run(id, e.epoch, 'train', 'loss', num(e.trainLoss));
        for (const [k, v] of Object.entries(e.validation)) em.run(id, e.epoch, 'validation', k, num(v));
      }
      const fm = this.db.prepare('INSERT INTO final_metrics (run_id, split, metric, value) VALUES (?, ?, ?, ?)');
      for (const [k, v] of Object.entries(r.final.validation)) fm.run(id, 'validation', k, num(v));
      for (const [k, v] of Object.entries(r.final.test)) fm.run(id, 'test', k, num(v));
      if (r.memory) {
        const m = r.memory, b = m.breakdown;
        this.db.prepare(`INSERT INTO memory (run_id, protocol, tracker, peak_bytes, persistent_bytes, frozen_params, trainable_params, optimizer_state,
          extra_copies, other, transient, steps, vm_hwm_bytes, wasm_heap_bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
          .run(id, m.protocol, m.tracker, m.peakBytes, m.persistentBytes, b.frozenParams, b.trainableParams, b.optimizerState, b.extraCopies, b.other, b.transient, m.steps, m.vmHWMBytes, m.wasmHeapBytes);
      }
      if (r.params) {
        const p = r.params;
        this.db.prepare('INSERT INTO params (run_id, total, trainable, added, backbone) VALUES (?, ?, ?, ?, ?)').run(id, p.total, p.trainable, p.added, p.backbone);
        const pm = this.db.prepare('INSERT INTO param_modules (run_id, module, total, trainable) VALUES (?, ?, ?, ?)');
        for (const [mod, c] of Object.entries(p.byModule)) pm.run(id, mod, c.total, c.trainable);
      }
      if (meta.link) {
        this.db.prepare('INSERT OR IGNORE INTO experiment_runs (experiment, run_id, variant, task_view, linked_at) VALUES (?, ?, ?, ?, ?)')
          .run(meta.link.experiment, id, meta.link.variant, meta.link.task, now());
      }
    });
  }

  /** Links a run to an experiment cell (for results ingested from files). */
  link(id: string, l: RunLink): void {
    this.write(() => this.db.prepare('INSERT OR IGNORE INTO experiment_runs (experiment, run_id, variant, task_view, linked_at) VALUES (?, ?, ?, ?, ?)')
      .run(l.experiment, id, l.variant, l.task, now()));
  }

  // ---- queries -------------------------------------------------------------------------------------------------

  private rowToRun(r: Record<string, any>, withResult: boolean): RunRow {
    const links = (this.db.prepare('SELECT experiment, variant, task_view AS task FROM experiment_runs WHERE run_id = ? ORDER BY linked_at, experiment, variant').all(r.id) as RunLink[]);
    return {
      id: r.id, experiment: r.experiment, task: r.task, backbone: r.backbone, method: r.method,
      methodConfig: JSON.parse(r.method_config), trainConfig: JSON.parse(r.train_config), spec: JSON.parse(r.spec_json),
      seed: r.seed, dataSource: r.data_source, status: r.status, error: r.error, errorStep: r.error_step, attempts: r.attempts,
      createdAt: r.created_at, startedAt: r.started_at, finishedAt: r.finished_at, heartbeatAt: r.heartbeat_at,
      pid: r.pid, ownerPid: r.owner_pid, host: r.host, backend: r.backend, versions: JSON.parse(r.versions_json), commit: r.git_commit,
      progress: r.progress_json ? JSON.parse(r.progress_json) : null, bestEpoch: r.best_epoch,
      timings: r.total_seconds === null || r.total_seconds === undefined ? null
        : { totalSeconds: r.total_seconds, trainSeconds: r.train_seconds, evalSeconds: r.eval_seconds, msPerStep: r.ms_per_step, steps: r.steps },
      logPath: r.log_path, resultPath: r.result_path,
      result: withResult && r.result_json ? JSON.parse(r.result_json) : null,
      links,
    };
  }

  private getRunExact(id: string, withResult = true): RunRow | undefined {
    const r = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Record<string, any> | undefined;
    return r ? this.rowToRun(r, withResult) : undefined;
  }

  /** A run by id or by an unambiguous id prefix (at least 4 characters). */
  getRun(idOrPrefix: string, withResult = true): RunRow | undefined {
    const exact = this.getRunExact(idOrPrefix, withResult);
    if (exact || idOrPrefix.length < 4 || !/^[0-9a-f]+$/.test(idOrPrefix)) return exact;
    const rows = this.db.prepare('SELECT * FROM runs WHERE id LIKE ? LIMIT 3').all(`${idOrPrefix}%`) as Record<string, any>[];
    if (rows.length > 1) throw new InputError(`run id prefix "${idOrPrefix}" is ambiguous (${rows.map((r) => r.id).join(', ')}, ...); give more characters`);
    return rows[0] ? this.rowToRun(rows[0], withResult) : undefined;
  }

  listRuns(f: RunFilter = {}): RunRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (f.experiment !== undefined) { where.push('id IN (SELECT run_id FROM experiment_runs WHERE experiment = ?)'); args.push(f.experiment); }
    if (f.status !== undefined) {
      const ss = Array.isArray(f.status) ? f.status : [f.status];
      where.push(`status IN (${ss.map(() => '?').join(', ') || 'NULL'})`); args.push(...ss);
    }
    if (f.task !== undefined) { where.push('task = ?'); args.push(f.task); }
    if (f.method !== undefined) { where.push('method = ?'); args.push(f.method); }
    if (f.ids !== undefined) { where.push(`id IN (${f.ids.map(() => '?').join(', ') || 'NULL'})`); args.push(...f.ids); }
    const rows = this.db.prepare(`SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY task, method, seed, id`).all(...args) as Record<string, any>[];
    const runs = rows.map((r) => this.rowToRun(r, f.withResult ?? true));
    if (f.experiment !== undefined) for (const r of runs) r.links = r.links.filter((l) => l.experiment === f.experiment);
    return runs;
  }

  /** An experiment's cells: one row per (run, variant, task shown), in plan order. */
  listCells(experiment: string, o: { withResult?: boolean } = {}): CellRow[] {
    return this.listRuns({ experiment, withResult: o.withResult }).flatMap((r) => r.links.map((l) => ({ ...r, variant: l.variant, taskView: l.task })));
  }

  listExperiments(): ExperimentSummary[] {
    const rows = this.db.prepare(`SELECT e.experiment AS experiment, r.status AS status, COUNT(DISTINCT r.id) AS n, MAX(r.finished_at) AS last
      FROM experiment_runs e JOIN runs r ON r.id = e.run_id GROUP BY e.experiment, r.status ORDER BY e.experiment`).all() as { experiment: string; status: StoredStatus; n: number; last: string | null }[];
    const out = new Map<string, ExperimentSummary>();
    for (const r of rows) {
      const s = out.get(r.experiment) ?? { experiment: r.experiment, runs: 0, byStatus: {}, lastFinishedAt: null };
      s.runs += r.n;
      s.byStatus[r.status] = (s.byStatus[r.status] ?? 0) + r.n;
      if (r.last && (!s.lastFinishedAt || r.last > s.lastFinishedAt)) s.lastFinishedAt = r.last;
      out.set(r.experiment, s);
    }
    return [...out.values()];
  }

  /** Metric values per epoch for a run: { split: { metric: [value per epoch] } }. */
  epochMetrics(id: string): { epoch: number; split: string; metric: string; value: number | null }[] {
    return this.db.prepare('SELECT epoch, split, metric, value FROM epoch_metrics WHERE run_id = ? ORDER BY epoch, split, metric').all(id) as never;
  }

  finalMetrics(id: string): { split: string; metric: string; value: number | null }[] {
    return this.db.prepare('SELECT split, metric, value FROM final_metrics WHERE run_id = ? ORDER BY split, metric').all(id) as never;
  }

  countRows(table: 'runs' | 'experiment_runs' | 'epochs' | 'epoch_metrics' | 'final_metrics' | 'memory' | 'params' | 'param_modules'): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  /** PRAGMA integrity_check: ['ok'] when the file is sound. */
  integrityCheck(): string[] {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }
}

export function openStore(path: string, o: OpenOptions = {}): Store { return Store.open(path, o); }
