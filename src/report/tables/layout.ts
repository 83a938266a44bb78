// A format-neutral layout of a result table: header groups, column headers, body rows of structured cells and
// footnotes. Markdown and LaTeX render the same layout with their own escaping and emphasis, so both say the same.
import { byteUnit, fixed, inUnit, metricDecimals, paramCount, percent, signed, timeUnit } from '../format.js';
import type { Cell, ColumnGroup, ResultModel, RowCosts, VariantRow } from '../model.js';
import { formatSettingValue, settingLabel, variantLabel } from '../variants.js';

export type Rank = 1 | 2 | null;

/** A cell: plain text, or a value with spread and seed count; `marks` are footnote symbols. */
export type LCell =
  | { kind: 'value'; mean: string; std: string | null; n: number; rank: Rank; marks: string[] }
  | { kind: 'text'; text: string; rank: Rank; marks: string[] };

export interface LRow {
  kind: 'result' | 'paper';
  label: string;
  cells: LCell[];
}

export interface LColumn { label: string; align: 'l' | 'r' }

export interface LGroup { label: string; span: number }

export interface TableLayout {
  title: string;
  caption: string;
  /** Spanning header over the columns after the first `leading` ones (empty label = no spanning header). */
  leading: number;
  groups: LGroup[];
  columns: LColumn[];
  rows: LRow[];
  footnotes: { mark: string; text: string }[];
}

const NA_MARKS = 'abcdefghijklmnopqrstuvwxyz';
const FAIL_MARK = '†';

class Footnotes {
  readonly list: { mark: string; text: string }[] = [];
  private readonly failures: string[] = [];
  na(reason: string): string {
    const hit = this.list.find((f) => f.text === `not applicable: ${reason}`);
    if (hit) return hit.mark;
    const mark = NA_MARKS[this.list.filter((f) => f.mark !== FAIL_MARK).length] ?? '*';
    this.list.push({ mark, text: `not applicable: ${reason}` });
    return mark;
  }
  failure(what: string): string { this.failures.push(what); return FAIL_MARK; }
  done(extra: { mark: string; text: string }[]): { mark: string; text: string }[] {
    const out = [...this.list];
    if (this.failures.length) out.push({ mark: FAIL_MARK, text: `runs that did not succeed (not averaged): ${this.failures.join('; ')}` });
    return [...out, ...extra];
  }
}

interface CostUnits { bytes: ReturnType<typeof byteUnit>; time: ReturnType<typeof timeUnit> }

function costUnits(model: ResultModel): CostUnits {
  const all = Object.values(model.costs).flatMap((byGroup) => Object.values(byGroup));
  return {
    bytes: byteUnit(all.map((c) => c.peakBytes.summary?.mean ?? NaN)),
    time: timeUnit(all.map((c) => c.trainSeconds.summary?.mean ?? NaN)),
  };
}

function columnDecimals(model: ResultModel, colId: string): number {
  return metricDecimals(model.rows.flatMap((r) => {
    const c = model.cells[r.id][colId];
    return [c?.summary?.mean ?? NaN, c?.target?.value ?? NaN];
  }));
}

function metricCell(cell: Cell | undefined, decimals: number, notes: Footnotes, where: string): LCell {
  if (!cell || cell.state === 'missing') return { kind: 'text', text: '–', rank: null, marks: [] };
  if (cell.state === 'not-applicable') return { kind: 'text', text: 'n/a', rank: null, marks: [notes.na(cell.reason ?? 'not applicable')] };
  const marks = cell.failed.length ? [notes.failure(`${where}: ${cell.failed.map((f) => `${f.status} (run ${f.runId})`).join(', ')}`)] : [];
  if (cell.state === 'failed' || !cell.summary) return { kind: 'text', text: '–', rank: null, marks };
  const s = cell.summary;
  return { kind: 'value', mean: fixed(s.mean, decimals), std: s.std === null ? null : fixed(s.std, decimals), n: s.n, rank: cell.rank, marks };
}

function costCells(c: RowCosts | undefined, u: CostUnits): LCell[] {
  const text = (t: string | null, rank: Rank = null): LCell => ({ kind: 'text', text: t ?? '–', rank: t ? rank : null, marks: [] });
  if (!c) return [text(null), text(null), text(null)];
  const tr = c.trainable.summary;
  return [
    text(tr ? `${paramCount(tr.mean)}${c.trainablePct ? ` (${percent(c.trainablePct.mean)})` : ''}` : null, c.trainable.rank),
    text(c.peakBytes.summary ? inUnit(c.peakBytes.summary.mean, u.bytes) : null, c.peakBytes.rank),
    text(c.trainSeconds.summary ? fixed(c.trainSeconds.summary.mean / u.time.seconds, u.time.decimals) : null, c.trainSeconds.rank),
  ];
}

function paperRow(model: ResultModel, row: VariantRow, groups: ColumnGroup[], decimals: Map<string, number>, leadingBlank: number): LRow | null {
  const cells: LCell[] = Array.from({ length: leadingBlank }, () => ({ kind: 'text', text: '', rank: null, marks: [] }) as LCell);
  let any = false;
  for (const g of groups) {
    let mem: string | null = null;
    let pct: string | null = null;
    for (const col of g.columns) {
      const c = model.cells[row.id][col.id];
      const t = c?.target;
      if (!t) { cells.push({ kind: 'text', text: '', rank: null, marks: [] }); continue; }
      any = true;
      const d = decimals.get(col.id)!;
      const note = c.targetNote ? ` (${t.tasks?.length ?? '?'} tasks; ours ${g.columns.length - 1}: no Δ)` : '';
      cells.push({ kind: 'text', text: `${t.approximate ? '≈' : ''}${fixed(t.value, d)}${c.diff !== null ? ` (Δ ${signed(c.diff, d)})` : note}`, rank: null, marks: [] });
      if (t.memory && !mem) mem = `${t.memory.value} ${t.memory.unit}`;
      if (t.trainable !== undefined && !pct) pct = paramCount(t.trainable);
    }
    cells.push({ kind: 'text', text: pct ?? '', rank: null, marks: [] }, { kind: 'text', text: mem ?? '', rank: null, marks: [] }, { kind: 'text', text: '', rank: null, marks: [] });
  }
  return any ? { kind: 'paper', label: `↳ paper: ${row.methodLabel}`, cells } : null;
}

function targetSources(model: ResultModel): string[] {
  const s = new Set<string>();
  for (const r of model.rows) for (const c of Object.values(model.cells[r.id])) if (c.target) s.add(c.target.source);
  return [...s].sort();
}

export interface LayoutOptions {
  /** Variant keys shown as leading columns (ablation tables); rows are then labelled by variant name. */
  settingColumns?: string[];
  title?: string;
}

export function layoutTable(model: ResultModel, opts: LayoutOptions = {}): TableLayout {
  const notes = new Footnotes();
  const u = costUnits(model);
  const settingCols = opts.settingColumns ?? [];
  const decimals = new Map<string, number>();
  for (const g of model.groups) for (const col of g.columns) decimals.set(col.id, columnDecimals(model, col.id));

  const columns: LColumn[] = [{ label: settingCols.length ? 'Variant' : 'Method', align: 'l' }, ...settingCols.map((k) => ({ label: settingLabel(k), align: 'r' as const }))];
  const groups: LGroup[] = [];
  for (const g of model.groups) {
    for (const col of g.columns) columns.push({ label: `${col.label} ${col.direction === 'max' ? '↑' : '↓'}`, align: 'r' });
    columns.push({ label: 'Trainable (% backbone)', align: 'r' }, { label: `Peak mem (${u.bytes.name})`, align: 'r' }, { label: `Train time (${u.time.name})`, align: 'r' });
    groups.push({ label: g.label, span: g.columns.length + 3 });
  }

  const rows: LRow[] = [];
  for (const row of model.rows) {
    const cells: LCell[] = settingCols.map((k) => ({ kind: 'text', text: formatSettingValue(row.settings[k]), rank: null, marks: [] }));
    for (const g of model.groups) {
      for (const col of g.columns) cells.push(metricCell(model.cells[row.id][col.id], decimals.get(col.id)!, notes, `${row.label} on ${col.label} (${g.label})`));
      cells.push(...costCells(model.costs[row.id][g.id], u));
    }
    const label = settingCols.length ? (row.variantNames.length ? row.variantNames.join(' / ') : variantLabel(row.settings) || row.label) : row.label;
    rows.push({ kind: 'result', label, cells });
    const paper = paperRow(model, row, model.groups, decimals, settingCols.length);
    if (paper) rows.push(paper);
  }

  const metricNames = [...new Set(model.groups.flatMap((g) => g.columns.filter((c) => c.task).map((c) => `${c.label}: ${c.metric}`)))];
  const sources = targetSources(model);
  const extra = sources.length ? [{ mark: '↳', text: `paper rows: the published value (Δ = ours − paper) from ${sources.join('; ')}; paper memory is in the paper's own unit and hardware` }] : [];
  const caption = [
    `${opts.title ?? `Experiment ${model.experiment}`}: ${model.split} ${metricNames.length === 1 ? `${metricNames[0]}` : `headline metrics (${metricNames.join(', ')})`}, mean ± sample std over seeds (n = number of seeds).`,
    'Best per column in bold, second underlined (↑ higher is better, ↓ lower is better; cost columns: lower is better).',
    `Trainable: trainable parameters (mean over the group's runs) and their share of the backbone's parameters; peak memory: mem-v1 peak of live tensor bytes; train time: training seconds per run.`,
    ...(model.groups.some((g) => g.columns.some((c) => c.task === null)) ? ['Avg: per seed the mean over the group\'s tasks, then mean ± std over the seeds that have every task.'] : []),
  ].join(' ');
  return { title: opts.title ?? `Experiment ${model.experiment}`, caption, leading: 1 + settingCols.length, groups, columns, rows, footnotes: notes.done(extra) };
}
