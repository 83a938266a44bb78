// CSV in long ("tidy") form: one line per (row, column) cell with the numbers unformatted, the seeds, the run ids,
// the paper target and the row's costs on that backbone, ready for pandas/R. RFC 4180 quoting.
import type { ResultModel } from '../model.js';
import { settingLabel } from '../variants.js';

export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  // Numbers to 12 significant digits: the data's precision, without float noise such as 84.39999999999999.
  const s = typeof v === 'string' ? v : typeof v === 'number' ? (Number.isFinite(v) ? String(Number(v.toPrecision(12))) : '') : JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = [
  'experiment', 'row', 'method', 'variant', 'backbone', 'backbone_family', 'column', 'task', 'metric', 'direction', 'split',
  'state', 'mean', 'std', 'n', 'seeds', 'rank', 'run_ids', 'failed_run_ids', 'paper_value', 'paper_source', 'diff_vs_paper',
  'trainable_params', 'trainable_pct_of_backbone', 'peak_bytes_mem_v1', 'train_seconds',
] as const;

export function renderCsv(model: ResultModel): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const row of model.rows) {
    const variant = Object.entries(row.settings).map(([k, v]) => `${settingLabel(k)}=${JSON.stringify(v)}`).join('; ');
    for (const g of model.groups) {
      const cost = model.costs[row.id][g.id];
      for (const col of g.columns) {
        const c = model.cells[row.id][col.id];
        const rec: Record<(typeof CSV_COLUMNS)[number], unknown> = {
          experiment: model.experiment, row: row.label, method: row.method, variant, backbone: g.backbone, backbone_family: g.family,
          column: col.label, task: col.task ?? 'average', metric: col.metric, direction: col.direction, split: model.split,
          state: c.state, mean: c.summary?.mean, std: c.summary?.std, n: c.summary?.n ?? 0, seeds: c.seeds.join(' '), rank: c.rank,
          run_ids: c.runIds.join(' '), failed_run_ids: c.failed.map((f) => `${f.runId}:${f.status}`).join(' '),
          paper_value: c.target?.value, paper_source: c.target?.source, diff_vs_paper: c.diff,
          trainable_params: cost.trainable.summary?.mean, trainable_pct_of_backbone: cost.trainablePct?.mean,
          peak_bytes_mem_v1: cost.peakBytes.summary?.mean, train_seconds: cost.trainSeconds.summary?.mean,
        };
        lines.push(CSV_COLUMNS.map((k) => csvField(rec[k])).join(','));
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
