// Reads a report's input from the results store: an experiment's cells (run x variant x task shown) with their
// RunResults. Runs that ended without a RunResult (a worker that died, a run timed out by the sweep) still count as
// failed cells, from what the store recorded about them; planned and running runs are left out and counted.
import { openStore, type CellRow, type Store } from '../store/index.js';
import type { RunResult, RunStatus } from '../train/spec.js';
import { ReportInputError } from './model.js';
import type { ReportInput, ReportRun } from './types.js';

const FINAL: readonly string[] = ['succeeded', 'failed', 'diverged', 'timed-out', 'cancelled'];

/** A RunResult for a finished run whose worker left none: only what the store knows, no metrics. */
export function resultFromRow(row: CellRow): RunResult {
  return {
    schema: 'unipt.run-result/v1',
    runId: row.id,
    spec: row.spec,
    status: row.status as RunStatus,
    error: { message: row.error ?? `no RunResult was recorded (status ${row.status})`, ...(row.errorStep !== null ? { step: row.errorStep } : {}) },
    metricDefs: [],
    epochs: [],
    stepLosses: [],
    final: { validation: {}, bestEpoch: row.bestEpoch, test: {} },
    params: null,
    memory: null,
    timings: row.timings ?? { totalSeconds: 0, trainSeconds: 0, evalSeconds: 0, msPerStep: null, steps: 0 },
    env: {
      backend: null, versions: row.versions, commit: row.commit, host: row.host ?? '', platform: '',
      startedAt: row.startedAt ?? row.createdAt, finishedAt: row.finishedAt ?? row.startedAt ?? row.createdAt,
    },
  };
}

export interface StoreReportInput extends ReportInput {
  /** Runs of the experiment still planned or running (not in the report). */
  pending: number;
}

export function experimentInput(store: Store, experiment: string, generatedAt = new Date().toISOString()): StoreReportInput {
  const cells = store.listCells(experiment);
  const runs: ReportRun[] = [];
  let pending = 0;
  for (const c of cells) {
    if (!FINAL.includes(c.status)) { pending++; continue; }
    const result = c.result ?? resultFromRow(c);
    runs.push({ runId: c.id, result, ...(c.taskView && c.taskView !== c.spec.task ? { task: c.taskView } : {}), ...(c.variant ? { variant: c.variant } : {}) });
  }
  return { experiment, runs, generatedAt, pending };
}

/** Opens the store read-only and lists the experiments to report (one named, or all), with clear errors. */
export function readStoreInputs(dbPath: string, experiment?: string): StoreReportInput[] {
  const store = openStore(dbPath, { create: false, readonly: true });
  try {
    const known = store.listExperiments();
    const names = experiment === undefined ? known.map((e) => e.experiment) : [experiment];
    if (!known.length) throw new ReportInputError(`the store ${dbPath} has no experiments yet; run one first (e.g. \`unipt sweep experiments/<file>.yaml\` or \`npm start\`)`);
    if (experiment !== undefined && !known.some((e) => e.experiment === experiment)) {
      throw new ReportInputError(`experiment "${experiment}" has no runs in ${dbPath}; experiments there: ${known.map((e) => e.experiment).join(', ')}`);
    }
    const inputs = names.map((n) => experimentInput(store, n));
    const empty = inputs.filter((i) => !i.runs.length);
    if (experiment !== undefined && empty.length) {
      const i = empty[0];
      throw new ReportInputError(`experiment "${experiment}" has no finished runs yet (${i.pending} planned or running); wait for the sweep or resume it with \`unipt sweep\``);
    }
    return inputs;
  } finally {
    store.close();
  }
}
