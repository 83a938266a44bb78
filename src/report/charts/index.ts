// Every chart of a report, in reading order: per backbone group the memory-vs-metric scatter of the average and of
// each task, the memory breakdown, the trainable parameters and the training curves; then the ablation curves.
import type { ResultModel } from '../model.js';
import type { Ablation } from '../tables/ablation.js';
import { ablationCharts } from './ablation.js';
import { memoryBreakdownChart, trainableParamsChart } from './bars.js';
import { trainingCurvesChart } from './curves.js';
import { memoryVsMetricChart } from './memory-vs-metric.js';
import { fileId, type ChartSpec } from './spec.js';
import { rowColors } from './palette.js';

export type { ChartSpec } from './spec.js';

export function reportCharts(model: ResultModel, abl: Ablation[] = []): ChartSpec[] {
  const out: (ChartSpec | null)[] = [];
  const byId = new Map(model.runs.map((r) => [r.runId, r]));
  const colors = rowColors(model.rows);
  for (const g of model.groups) {
    const avg = g.columns.filter((c) => c.task === null);
    const tasks = g.columns.filter((c) => c.task !== null);
    for (const col of [...avg, ...tasks]) out.push(memoryVsMetricChart(model, g, col));
    out.push(memoryBreakdownChart(model, g), trainableParamsChart(model, g));
    for (const col of tasks) {
      const series = model.rows.map((r) => ({
        label: r.label, method: r.method, color: colors.get(r.id),
        runs: (model.cells[r.id][col.id]?.runIds ?? []).map((id) => byId.get(id)!).filter(Boolean),
      })).filter((s) => s.runs.length);
      out.push(trainingCurvesChart(series, { id: fileId('training-curves', g.id, col.task!), title: `Training curves: ${col.label} (${g.label})`, metric: col.metric, direction: col.direction }));
    }
  }
  for (const a of abl) out.push(...ablationCharts(a));
  const charts = out.filter((c): c is ChartSpec => c !== null);
  // Ids name PNG files: keep them unique.
  const seen = new Map<string, number>();
  for (const c of charts) {
    const k = seen.get(c.id) ?? 0;
    seen.set(c.id, k + 1);
    if (k) c.id = `${c.id}-${k + 1}`;
  }
  return charts;
}
