// The result model of one experiment: rows (method variants) x columns (tasks grouped by backbone, plus a per-group
// average), each cell the headline metric summarised over seeds with the run ids it came from, plus per-row costs
// (trainable parameters, mem-v1 peak memory, training time). Tables and charts are views of this model.
import { basename } from 'node:path';
import type { MemoryBreakdown } from '../engine/memory/probe.js';
import type { MetricDirection, RunResult, RunStatus } from '../train/spec.js';
import { mean, summarize, type Summary } from './stats.js';
import { byteUnit, metricDecimals, timeUnit } from './format.js';
import { assignVariants, orderVariants, variantLabel } from './variants.js';
import { rankColumn } from './rank.js';
import type { Catalog, PaperTarget, ReportInput, ReportRun } from './types.js';

export type MetricSplit = 'test' | 'validation';

export interface VariantRow {
  /** Stable key: the method id, plus the variant settings when the method has several. */
  id: string;
  method: string;
  methodLabel: string;
  /** The settings that tell this row apart from the method's other rows (dotted spec paths -> values). */
  settings: Record<string, unknown>;
  label: string;
  /** The experiment file's names for this row's variant(s), when the store has them. */
  variantNames: string[];
}

export interface TableColumn {
  id: string;
  groupId: string;
  /** Task id, or null for the group's average column. */
  task: string | null;
  label: string;
  metric: string;
  direction: MetricDirection;
}

export interface ColumnGroup {
  /** The backbone id (or checkpoint folder) all the group's runs used. */
  id: string;
  backbone: string;
  family: string | null;
  label: string;
  /** Task columns, then the average column when the group has several tasks with one metric direction. */
  columns: TableColumn[];
}

export interface FailedRun { runId: string; status: RunStatus; message: string | null }

export type CellState = 'value' | 'missing' | 'not-applicable' | 'failed';

export interface Cell {
  state: CellState;
  summary: Summary | null;
  seeds: number[];
  /** The runs the value came from. */
  runIds: string[];
  /** Runs of this cell that did not succeed (or lack the metric). */
  failed: FailedRun[];
  target: PaperTarget | null;
  /** summary.mean - target.value. */
  diff: number | null;
  /** 1 = best in the column, 2 = second (ties share a rank). */
  rank: 1 | 2 | null;
  /** Why the method does not apply here (state not-applicable). */
  reason?: string;
  /** Why a known target is shown without a difference. */
  targetNote?: string;
  /** Older runs of a seed that a later run of the same seed replaced (e.g. after a code version changed the run id). */
  superseded?: string[];
}

export interface CostCell {
  summary: Summary | null;
  rank: 1 | 2 | null;
}

/** What one row costs on one backbone group, over its succeeded runs (all tasks and seeds). */
export interface RowCosts {
  runIds: string[];
  trainable: CostCell;
  /** Trainable parameters as % of the backbone's parameters. */
  trainablePct: Summary | null;
  peakBytes: CostCell;
  trainSeconds: CostCell;
  /** Mean of each mem-v1 part (the parts of a mean peak add up to that mean). */
  breakdown: MemoryBreakdown | null;
}

export interface EnvSummary {
  backends: string[];
  commits: string[];
  hosts: string[];
  firstStarted: string | null;
  lastFinished: string | null;
  statusCounts: Partial<Record<RunStatus, number>>;
}

export interface ResultModel {
  experiment: string;
  generatedAt: string;
  split: MetricSplit;
  groups: ColumnGroup[];
  rows: VariantRow[];
  /** cells[rowId][columnId] */
  cells: Record<string, Record<string, Cell>>;
  /** costs[rowId][groupId] */
  costs: Record<string, Record<string, RowCosts>>;
  /** Variant keys of each method that has several rows (the ablation dimensions). */
  variantKeys: Record<string, string[]>;
  env: EnvSummary;
  runs: ReportRun[];
}

export class ReportInputError extends Error {
  constructor(message: string) { super(message); this.name = 'InputError'; }
}

/** The headline metric of a run: its first metric definition (the shown task's, when it is shown as another task). */
export function headlineOf(run: ReportRun, catalog: Catalog): { name: string; direction: MetricDirection } | null {
  const r = run.result;
  const view = taskOf(run);
  const d = view !== r.spec.task ? catalog.task(view)?.metrics[0] ?? r.metricDefs[0] : r.metricDefs[0] ?? catalog.task(view)?.metrics[0];
  return d ? { name: d.name, direction: d.direction } : null;
}

export function metricValue(r: RunResult, metric: string, split: MetricSplit): number | undefined {
  const v = (split === 'test' ? r.final.test : r.final.validation)[metric];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

const AVG = 'average';

/** A run's value of `metric` as the task it is shown as: a task evaluated from another's run reads prefixed names. */
function shownValue(r: ReportRun, metric: string, split: MetricSplit, catalog: Catalog): number | undefined {
  const from = catalog.task(taskOf(r))?.evaluatedFrom;
  const name = from && from.task === r.result.spec.task ? `${from.metricPrefix}${metric}` : metric;
  return metricValue(r.result, name, split);
}

export function buildModel(input: ReportInput, catalog: Catalog, opts: { split?: MetricSplit } = {}): ResultModel {
  const split = opts.split ?? 'test';
  if (!input.runs.length) throw new ReportInputError(`experiment "${input.experiment}" has no runs to report; run it first (unipt sweep / unipt run) or pick another with --experiment`);
  const namesOf = new Map<string, Set<string>>();
  for (const r of input.runs) if (r.variant) namesOf.set(r.runId, (namesOf.get(r.runId) ?? new Set()).add(r.variant));
  const runs = dedupe(input.runs);
  const variants = assignVariants(runs);

  // Rows.
  const rowOf = new Map<string, VariantRow>();
  const rows = new Map<string, VariantRow>();
  for (const r of runs) {
    const m = r.result.spec.method.id;
    const settings = variants.settingsOf.get(r.runId)!;
    const id = Object.keys(settings).length ? `${m} ${JSON.stringify(settings)}` : m;
    let row = rows.get(id);
    if (!row) {
      const methodLabel = catalog.method(m)?.label ?? m;
      const vl = variantLabel(settings);
      row = { id, method: m, methodLabel, settings, label: vl ? `${methodLabel} (${vl})` : methodLabel, variantNames: [] };
      rows.set(id, row);
    }
    for (const n of namesOf.get(r.runId) ?? []) if (!row.variantNames.includes(n)) row.variantNames.push(n);
    rowOf.set(r.runId, row);
  }
  const orderOf = (m: string) => catalog.method(m)?.order ?? Number.MAX_SAFE_INTEGER;
  const methods = [...new Set([...rows.values()].map((r) => r.method))].sort((a, b) => orderOf(a) - orderOf(b) || a.localeCompare(b));
  const rowList = methods.flatMap((m) => orderVariants([...rows.values()].filter((r) => r.method === m)));

  // Column groups: one per backbone, task columns in catalog order.
  const groupsById = new Map<string, { backbone: string; tasks: Set<string> }>();
  for (const r of runs) {
    const b = r.result.spec.backbone;
    const g = groupsById.get(b) ?? { backbone: b, tasks: new Set<string>() };
    g.tasks.add(taskOf(r));
    groupsById.set(b, g);
  }
  const taskOrder = (t: string) => catalog.task(t)?.order ?? Number.MAX_SAFE_INTEGER;
  const groups: ColumnGroup[] = [];
  for (const g of groupsById.values()) {
    const family = catalog.backboneFamily(g.backbone);
    const tasks = [...g.tasks].sort((a, b) => taskOrder(a) - taskOrder(b) || a.localeCompare(b));
    const columns: TableColumn[] = tasks.map((t) => {
      const inCol = runs.filter((r) => taskOf(r) === t && r.result.spec.backbone === g.backbone);
      const sample = inCol.find((r) => r.result.metricDefs.length) ?? inCol[0];
      const h = headlineOf(sample, catalog);
      if (!h) throw new ReportInputError(`run ${runs.find((r) => taskOf(r) === t)!.runId}: task "${t}" has no metric definitions in its RunResult or the registry`);
      return { id: `${g.backbone}/${t}`, groupId: g.backbone, task: t, label: catalog.task(t)?.label ?? t, metric: h.name, direction: h.direction };
    });
    if (columns.length > 1 && new Set(columns.map((c) => c.direction)).size === 1) {
      columns.push({ id: `${g.backbone}/${AVG}`, groupId: g.backbone, task: null, label: 'Avg', metric: `mean of headline metrics over ${columns.length} tasks`, direction: columns[0].direction });
    }
    const label = family ? `${family} · ${g.backbone.includes('/') ? basename(g.backbone) : g.backbone}` : basename(g.backbone);
    groups.push({ id: g.backbone, backbone: g.backbone, family, label, columns });
  }
  groups.sort((a, b) => (a.family ?? '~').localeCompare(b.family ?? '~') || a.backbone.localeCompare(b.backbone));

  // Cells.
  const cells: Record<string, Record<string, Cell>> = {};
  const costs: Record<string, Record<string, RowCosts>> = {};
  for (const row of rowList) {
    cells[row.id] = {};
    costs[row.id] = {};
    for (const g of groups) {
      const capability = g.family ? catalog.capability(row.method, g.family) : { status: 'supported' as const };
      const groupRuns = runs.filter((r) => rowOf.get(r.runId) === row && r.result.spec.backbone === g.backbone);
      const okByTask = new Map<string, Map<number, number>>();
      const replaced = new Set<string>();
      for (const col of g.columns) {
        if (col.task === null) continue;
        const { current: cellRuns, superseded } = latestPerSeed(groupRuns.filter((r) => taskOf(r) === col.task));
        const ok: ReportRun[] = [];
        const failed: FailedRun[] = [];
        for (const r of cellRuns) {
          const v = r.result.status === 'succeeded' ? shownValue(r, col.metric, split, catalog) : undefined;
          if (v !== undefined) ok.push(r);
          else failed.push({ runId: r.runId, status: r.result.status, message: r.result.error?.message ?? (r.result.status === 'succeeded' ? `no ${split} metric "${col.metric}"` : null) });
        }
        const bySeed = new Map<number, number>();
        for (const r of ok) bySeed.set(r.result.spec.seed, shownValue(r, col.metric, split, catalog)!);
        okByTask.set(col.task, bySeed);
        const target = catalog.paperTarget({ task: col.task, method: row.method, backbone: g.backbone }) ?? null;
        cells[row.id][col.id] = makeCell(ok.map((r) => ({ runId: r.runId, seed: r.result.spec.seed, value: shownValue(r, col.metric, split, catalog)! })), failed, target, capability);
        if (superseded.length) cells[row.id][col.id].superseded = superseded.map((r) => r.runId).sort();
        for (const r of superseded) replaced.add(r.runId);
      }
      const avgCol = g.columns.find((c) => c.task === null);
      if (avgCol) {
        // As LST's print_results.py: average the tasks within each seed, then mean ± std over seeds that have all tasks.
        const tasks = g.columns.filter((c) => c.task !== null).map((c) => c.task!);
        const seeds = [...(okByTask.get(tasks[0]) ?? new Map()).keys()].filter((s) => tasks.every((t) => okByTask.get(t)?.has(s)));
        const points = seeds.map((s) => ({ seed: s, value: mean(tasks.map((t) => okByTask.get(t)!.get(s)!)), runId: '' }));
        const runIds = groupRuns.filter((r) => seeds.includes(r.result.spec.seed) && r.result.status === 'succeeded' && !replaced.has(r.runId)).map((r) => r.runId);
        const fams = new Set(tasks.map((t) => catalog.task(t)?.family));
        const target = fams.size === 1 && [...fams][0] ? catalog.paperTarget({ task: `${[...fams][0]}:${AVG}`, method: row.method, backbone: g.backbone }) ?? null : null;
        const cell = makeCell(points, [], target, capability);
        cell.runIds = runIds.sort();
        // The paper's average covers its own task set: no difference unless ours covers the same tasks.
        if (target?.tasks && (target.tasks.length !== tasks.length || !target.tasks.every((t) => tasks.includes(t)))) {
          cell.diff = null;
          cell.targetNote = `paper average over ${target.tasks.length} tasks, ours over ${tasks.length}: not compared`;
        }
        cells[row.id][avgCol.id] = cell;
      }
      costs[row.id][g.id] = rowCosts(groupRuns.filter((r) => r.result.status === 'succeeded' && !replaced.has(r.runId)));
    }
  }

  const variantKeys: Record<string, string[]> = {};
  for (const [m, keys] of variants.keys) if (keys.length && rowList.filter((r) => r.method === m).length > 1) variantKeys[m] = keys;

  const model: ResultModel = { experiment: input.experiment, generatedAt: input.generatedAt, split, groups, rows: rowList, cells, costs, variantKeys, env: envSummary(runs), runs };
  rankModel(model);
  return model;
}

/**
 * Marks best and second per column (metric direction) and per cost column (lower is better), over the model's rows.
 * Values are compared at the precision the tables print them, so two cells that read the same share a rank.
 */
export function rankModel(model: ResultModel): void {
  const { rows, cells, costs } = model;
  const allCosts = Object.values(costs).flatMap((byGroup) => Object.values(byGroup));
  const bytes = byteUnit(allCosts.map((c) => c.peakBytes.summary?.mean ?? NaN));
  const time = timeUnit(allCosts.map((c) => c.trainSeconds.summary?.mean ?? NaN));
  const shown: Record<'trainable' | 'peakBytes' | 'trainSeconds', (v: number) => number> = {
    trainable: (v) => Number(v.toPrecision(3)),
    peakBytes: (v) => Number((v / bytes.bytes).toFixed(bytes.decimals)),
    trainSeconds: (v) => Number((v / time.seconds).toFixed(time.decimals)),
  };
  for (const g of model.groups) {
    for (const col of g.columns) {
      const means = rows.map((r) => cells[r.id][col.id]?.summary?.mean ?? null);
      const d = metricDecimals(means.filter((v): v is number => v !== null));
      const ranks = rankColumn(means.map((v) => (v === null ? null : Number(v.toFixed(d)))), col.direction);
      rows.forEach((r, i) => { if (cells[r.id][col.id]) cells[r.id][col.id].rank = ranks[i]; });
    }
    for (const k of ['trainable', 'peakBytes', 'trainSeconds'] as const) {
      const ranks = rankColumn(rows.map((r) => { const v = costs[r.id][g.id][k].summary?.mean; return v === undefined ? null : shown[k](v); }), 'min');
      rows.forEach((r, i) => { costs[r.id][g.id][k].rank = ranks[i]; });
    }
  }
}

/** A copy of the model with only some rows (e.g. one method's variants for an ablation table), ranked among themselves. */
export function restrictModel(model: ResultModel, keep: (row: VariantRow) => boolean): ResultModel {
  const rows = model.rows.filter(keep);
  const copy: ResultModel = structuredClone({ ...model, rows, runs: [] });
  copy.cells = Object.fromEntries(rows.map((r) => [r.id, copy.cells[r.id]]));
  copy.costs = Object.fromEntries(rows.map((r) => [r.id, copy.costs[r.id]]));
  copy.runs = model.runs;
  rankModel(copy);
  return copy;
}

/**
 * One run per seed: the one that finished last. Two runs of one seed in a cell differ in something outside the spec
 * (a version of the code that changes numbers); the latest is what the code gives now.
 */
function latestPerSeed(runs: ReportRun[]): { current: ReportRun[]; superseded: ReportRun[] } {
  const bySeed = new Map<number, ReportRun[]>();
  for (const r of runs) bySeed.set(r.result.spec.seed, [...(bySeed.get(r.result.spec.seed) ?? []), r]);
  const current: ReportRun[] = [];
  const superseded: ReportRun[] = [];
  for (const list of bySeed.values()) {
    const sorted = [...list].sort((a, b) => (b.result.env.finishedAt ?? '').localeCompare(a.result.env.finishedAt ?? '') || a.runId.localeCompare(b.runId));
    current.push(sorted[0]);
    superseded.push(...sorted.slice(1));
  }
  return { current, superseded };
}

/** The task a run is shown as. */
export function taskOf(r: ReportRun): string { return r.task ?? r.result.spec.task; }

/** The same run shown as the same task twice (e.g. linked from two variants) counts once. */
function dedupe(runs: readonly ReportRun[]): ReportRun[] {
  const seen = new Map<string, ReportRun>();
  for (const r of runs) seen.set(`${r.runId}\u0000${taskOf(r)}`, r);
  return [...seen.values()];
}

function makeCell(points: { runId: string; seed: number; value: number }[], failed: FailedRun[], target: PaperTarget | null,
  capability: { status: string; reason?: string }): Cell {
  const summary = points.length ? summarize(points.map((p) => p.value)) : null;
  let state: CellState = summary ? 'value' : failed.length ? 'failed' : 'missing';
  let reason: string | undefined;
  if (state === 'missing' && capability.status === 'not-applicable') { state = 'not-applicable'; reason = capability.reason; }
  return {
    state, summary,
    seeds: points.map((p) => p.seed).sort((a, b) => a - b),
    runIds: points.map((p) => p.runId).filter(Boolean).sort(),
    failed, target,
    diff: summary && target ? summary.mean - target.value : null,
    rank: null,
    ...(reason !== undefined || state === 'not-applicable' ? { reason: reason ?? 'the capability matrix marks this method not applicable to this backbone family' } : {}),
  };
}

function rowCosts(ok: ReportRun[]): RowCosts {
  const withParams = ok.filter((r) => r.result.params);
  const withMem = ok.filter((r) => r.result.memory);
  const avgPart = (k: keyof MemoryBreakdown) => mean(withMem.map((r) => r.result.memory!.breakdown[k]));
  return {
    runIds: ok.map((r) => r.runId).sort(),
    trainable: { summary: withParams.length ? summarize(withParams.map((r) => r.result.params!.trainable)) : null, rank: null },
    trainablePct: withParams.filter((r) => r.result.params!.backbone > 0).length
      ? summarize(withParams.filter((r) => r.result.params!.backbone > 0).map((r) => 100 * r.result.params!.trainable / r.result.params!.backbone)) : null,
    peakBytes: { summary: withMem.length ? summarize(withMem.map((r) => r.result.memory!.peakBytes)) : null, rank: null },
    trainSeconds: { summary: ok.length ? summarize(ok.map((r) => r.result.timings.trainSeconds)) : null, rank: null },
    breakdown: withMem.length ? {
      frozenParams: avgPart('frozenParams'), trainableParams: avgPart('trainableParams'), optimizerState: avgPart('optimizerState'),
      extraCopies: avgPart('extraCopies'), other: avgPart('other'), transient: avgPart('transient'),
    } : null,
  };
}

function envSummary(runs: ReportRun[]): EnvSummary {
  const uniq = (xs: (string | null | undefined)[]) => [...new Set(xs.filter((x): x is string => Boolean(x)))].sort();
  const statusCounts: Partial<Record<RunStatus, number>> = {};
  for (const r of runs) statusCounts[r.result.status] = (statusCounts[r.result.status] ?? 0) + 1;
  const starts = runs.map((r) => r.result.env.startedAt).filter(Boolean).sort();
  const ends = runs.map((r) => r.result.env.finishedAt).filter(Boolean).sort();
  return {
    backends: uniq(runs.map((r) => {
      const b = r.result.env.backend;
      if (!b) return null;
      return b.wasm ? `${b.name} (${b.wasm.threads} thread${b.wasm.threads === 1 ? '' : 's'}${b.wasm.simd ? ', SIMD' : ''})` : b.name;
    })),
    commits: uniq(runs.map((r) => r.result.env.commit)),
    hosts: uniq(runs.map((r) => r.result.env.host)),
    firstStarted: starts[0] ?? null,
    lastFinished: ends[ends.length - 1] ?? null,
    statusCounts,
  };
}

/** The runs behind one (row, group, task) cell, for charts that need per-run detail (training curves). */
export function runsOf(model: ResultModel, rowId: string, groupId: string, task?: string): ReportRun[] {
  const row = model.rows.find((r) => r.id === rowId);
  if (!row) return [];
  const ids = new Set(task ? model.cells[rowId][`${groupId}/${task}`]?.runIds ?? [] : model.costs[rowId][groupId]?.runIds ?? []);
  return model.runs.filter((r) => ids.has(r.runId));
}
