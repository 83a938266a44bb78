// Per-method bar charts of one backbone group: the mem-v1 peak split into its parts (stacked), and trainable
// parameters on a log scale with the backbone's size for reference.
import type { ChartConfiguration } from 'chart.js';
import { byteUnit, fixed, paramCount, percent } from '../format.js';
import { mean } from '../stats.js';
import type { ColumnGroup, ResultModel } from '../model.js';
import { MEMORY_PART_COLORS, MEMORY_PART_LABELS, rowColors, withAlpha } from './palette.js';
import { axisTitle, baseOptions, fileId, ticks, type ChartSpec } from './spec.js';

const PARTS = ['frozenParams', 'trainableParams', 'optimizerState', 'extraCopies', 'other', 'transient'] as const;
/** Parts always shown; the others only where some method has them. */
const ALWAYS = new Set<string>(['frozenParams', 'trainableParams', 'optimizerState', 'transient']);

export function memoryBreakdownChart(model: ResultModel, group: ColumnGroup): ChartSpec | null {
  const rows = model.rows.filter((r) => model.costs[r.id][group.id]?.breakdown);
  if (!rows.length) return null;
  const bd = rows.map((r) => model.costs[r.id][group.id].breakdown!);
  const peaks = rows.map((r) => model.costs[r.id][group.id].peakBytes.summary!.mean);
  const u = byteUnit(peaks);
  // Optional parts appear when some method has a visible amount of them (more than 0.1% of its peak).
  const datasets = PARTS.filter((p) => ALWAYS.has(p) || bd.some((b, i) => b[p] > 0.001 * peaks[i])).map((p) => ({
    type: 'bar' as const, label: MEMORY_PART_LABELS[p],
    data: bd.map((b, i) => ({
      x: rows[i].label, y: b[p] / u.bytes,
      tooltip: [`${rows[i].label}: ${MEMORY_PART_LABELS[p]}`, `${fixed(b[p] / u.bytes, u.decimals + 1)} ${u.name} of ${fixed(peaks[i] / u.bytes, u.decimals)} ${u.name} peak (${peaks[i] > 0 ? (100 * b[p] / peaks[i]).toFixed(1) : '0'}%)`],
    })),
    backgroundColor: MEMORY_PART_COLORS[p], borderColor: '#ffffff', borderWidth: 1, stack: 'peak', maxBarThickness: 90,
  }));
  const title = `Peak training memory by part (mem-v1): ${group.label}`;
  const options = baseOptions(title, `Mean over the group's runs (${group.columns.filter((c) => c.task).length} task(s), all seeds); bar height = mean peak of live tensor bytes.`);
  Object.assign(options, {
    scales: {
      x: { stacked: true, title: axisTitle('method'), ticks: { ...ticks(), autoSkip: false, maxRotation: 30 } },
      y: { stacked: true, beginAtZero: true, title: axisTitle(`peak memory (${u.name})`), ticks: ticks() },
    },
  });
  return {
    id: fileId('memory-breakdown', group.id), kind: 'memory-breakdown', title, width: Math.max(640, 110 * rows.length + 260), height: 500,
    config: { type: 'bar', data: { labels: rows.map((r) => r.label), datasets: datasets as never }, options: options as never },
    ticks: { y: 'plain' },
  };
}

export function trainableParamsChart(model: ResultModel, group: ColumnGroup): ChartSpec | null {
  const rows = model.rows.filter((r) => model.costs[r.id][group.id]?.trainable.summary);
  if (!rows.length) return null;
  const costs = rows.map((r) => model.costs[r.id][group.id]);
  const backbone = model.runs.filter((r) => r.result.spec.backbone === group.backbone && r.result.params).map((r) => r.result.params!.backbone);
  const backboneParams = backbone.length ? mean(backbone) : null;
  const colors = rowColors(model.rows);
  const datasets: ChartConfiguration['data']['datasets'] = [{
    type: 'bar', label: 'trainable parameters',
    data: costs.map((c, i) => ({
      x: rows[i].label, y: c.trainable.summary!.mean,
      tooltip: [rows[i].label, `trainable: ${paramCount(c.trainable.summary!.mean)}${c.trainablePct ? ` (${percent(c.trainablePct.mean)} of the backbone)` : ''}`],
    })) as never,
    backgroundColor: rows.map((r) => withAlpha(colors.get(r.id)!, 0.8)), borderColor: rows.map((r) => colors.get(r.id)!), borderWidth: 1, maxBarThickness: 90,
  } as never];
  if (backboneParams) {
    datasets.push({
      type: 'line', label: `backbone parameters (${paramCount(backboneParams)})`,
      data: rows.map((r) => ({ x: r.label, y: backboneParams, tooltip: [`backbone: ${paramCount(backboneParams)} parameters`] })) as never,
      borderColor: '#666', borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, pointStyle: 'line', fill: false,
    } as never);
  }
  const all = [...costs.map((c) => c.trainable.summary!.mean), ...(backboneParams ? [backboneParams] : [])].filter((v) => v > 0);
  const title = `Trainable parameters per method: ${group.label}`;
  const options = baseOptions(title, 'Log scale; mean over the group\'s runs (task heads included).');
  Object.assign(options, {
    scales: {
      x: { title: axisTitle('method'), ticks: { ...ticks(), autoSkip: false, maxRotation: 30 } },
      y: {
        type: 'logarithmic', min: 10 ** Math.floor(Math.log10(Math.min(...all))), max: 10 ** Math.ceil(Math.log10(Math.max(...all)) + 1e-9),
        title: axisTitle('trainable parameters (count, log scale)'), ticks: ticks(),
      },
    },
  });
  return {
    id: fileId('trainable-params', group.id), kind: 'trainable-params', title, width: Math.max(640, 100 * rows.length + 200), height: 480,
    config: { type: 'bar', data: { labels: rows.map((r) => r.label), datasets }, options: options as never },
    ticks: { y: 'countPowersOf10' },
  };
}
