// Training curves: the training loss (left axis, solid) and the validation headline metric (right axis, dashed)
// per epoch, for one run or a group of runs (each series the mean over its runs, e.g. over seeds).
import { fixed } from '../format.js';
import { mean } from '../stats.js';
import type { ReportRun } from '../types.js';
import { methodColor } from './palette.js';
import { axisTitle, baseOptions, fileId, ticks, type ChartSpec } from './spec.js';

export interface CurveSeries {
  label: string;
  /** Colours follow the method (or `color` when given, e.g. a shade for one of several variants). */
  method: string;
  color?: string;
  runs: ReportRun[];
}

/** Per epoch index: the mean over the runs that reached it. */
export function meanCurve(runs: ReportRun[], pick: (e: ReportRun['result']['epochs'][number]) => number | undefined): (number | null)[] {
  const len = Math.max(0, ...runs.map((r) => r.result.epochs.length));
  return Array.from({ length: len }, (_, i) => {
    const vs = runs.map((r) => r.result.epochs[i]).filter(Boolean).map(pick).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    return vs.length ? mean(vs) : null;
  });
}

export function trainingCurvesChart(series: CurveSeries[], opts: { id: string; title: string; metric: string; direction: 'max' | 'min' }): ChartSpec | null {
  const usable = series.filter((s) => s.runs.some((r) => r.result.epochs.length));
  if (!usable.length) return null;
  const epochs = Math.max(...usable.flatMap((s) => s.runs.map((r) => r.result.epochs.length)));
  const labels = Array.from({ length: epochs }, (_, i) => String(i + 1));
  const datasets: object[] = [];
  for (const s of usable) {
    const color = s.color ?? methodColor(s.method);
    const lossIndex = datasets.length;
    const n = s.runs.length;
    const loss = meanCurve(s.runs, (e) => e.trainLoss);
    const metric = meanCurve(s.runs, (e) => e.validation[opts.metric]);
    const digits = metric.some((v) => v !== null && Math.abs(v) > 1.5) ? 2 : 4;
    datasets.push({
      type: 'line', label: s.label, yAxisID: 'y', borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: 3, pointStyle: 'circle',
      data: loss.map((v, i) => ({ x: labels[i], y: v, tooltip: v === null ? [] : [`${s.label}, epoch ${i + 1}`, `train loss: ${fixed(v, 4)} (mean of ${n} run${n === 1 ? '' : 's'})`] })),
    });
    datasets.push({
      type: 'line', label: `${s.label} · validation`, yAxisID: 'y2', uniptPairOf: lossIndex, borderColor: color, backgroundColor: '#ffffff', borderWidth: 2, borderDash: [6, 4], pointRadius: 3, pointStyle: 'rect',
      data: metric.map((v, i) => ({ x: labels[i], y: v, tooltip: v === null ? [] : [`${s.label}, epoch ${i + 1}`, `validation ${opts.metric}: ${fixed(v, digits)} (mean of ${n} run${n === 1 ? '' : 's'})`] })),
    });
  }
  const options = baseOptions(opts.title, [
    `Solid (left axis): mean training loss of the epoch; dashed (right axis): validation ${opts.metric} after the epoch (${opts.direction === 'max' ? 'higher' : 'lower'} is better).`,
    'Each line is the mean over its runs (seeds); a legend entry stands for both lines of its method.',
  ]);
  Object.assign(options, {
    scales: {
      x: { type: 'category', labels, title: axisTitle('epoch'), ticks: ticks() },
      y: { position: 'left', title: axisTitle('training loss'), ticks: ticks() },
      y2: { position: 'right', grid: { drawOnChartArea: false }, title: axisTitle(`validation ${opts.metric}`), ticks: ticks() },
    },
  });
  return {
    id: fileId(opts.id), kind: 'training-curves', title: opts.title, width: 900, height: 520,
    config: { type: 'line', data: { labels, datasets: datasets as never }, options: options as never },
    ticks: { y: 'plain', y2: 'plain' },
    pairedLegend: true,
  };
}
