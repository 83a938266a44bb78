// Memory vs headline metric (LST's Figure 1, with the PEFT comparison's Pareto front): one marker per method (variant),
// marker area proportional to trainable parameters, the Pareto front as a dashed line, published values as hollow
// markers. One chart per task column, and one per backbone group for the average over its tasks.
import type { ChartConfiguration } from 'chart.js';
import { byteUnit, fixed, paramCount, percent } from '../format.js';
import { mean } from '../stats.js';
import type { ColumnGroup, ResultModel, TableColumn } from '../model.js';
import type { PaperTarget } from '../types.js';
import { methodStyle, rowColors, withAlpha } from './palette.js';
import { axisTitle, baseOptions, fileId, ticks, type ChartSpec } from './spec.js';

/** Largest marker radius (px) and the floor below which markers would vanish. */
export const R_MAX = 24;
export const R_MIN = 5;

export interface ScatterPoint {
  rowId: string;
  method: string;
  label: string;
  memoryBytes: number;
  metric: number;
  std: number | null;
  n: number;
  trainable: number | null;
  trainablePct: number | null;
  target: PaperTarget | null;
}

/** Byte sizes of memory units papers use. LST/UniPT's "GB" is torch's MiB / 1000 (see unipt-reference.md §4.2). */
const UNIT_BYTES: Record<string, number> = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, MB: 1e6, GB: 1000 * 2 ** 20, 'GB (MiB/1000)': 1000 * 2 ** 20 };

export function paperMemoryBytes(t: PaperTarget): number | null {
  const u = t.memory ? UNIT_BYTES[t.memory.unit] : undefined;
  return t.memory && u ? t.memory.value * u : null;
}

/** Points of one column: each row's mean metric against the mean mem-v1 peak of the same runs. */
export function scatterPoints(model: ResultModel, col: TableColumn): ScatterPoint[] {
  const byId = new Map(model.runs.map((r) => [r.runId, r.result]));
  const out: ScatterPoint[] = [];
  for (const row of model.rows) {
    const cell = model.cells[row.id][col.id];
    if (!cell?.summary) continue;
    const runs = cell.runIds.map((id) => byId.get(id)!).filter(Boolean);
    const mem = runs.filter((r) => r.memory).map((r) => r.memory!.peakBytes);
    if (!mem.length) continue;
    const params = runs.filter((r) => r.params);
    out.push({
      rowId: row.id, method: row.method, label: row.label,
      memoryBytes: mean(mem), metric: cell.summary.mean, std: cell.summary.std, n: cell.summary.n,
      trainable: params.length ? mean(params.map((r) => r.params!.trainable)) : null,
      trainablePct: params.length && params.every((r) => r.params!.backbone > 0) ? mean(params.map((r) => 100 * r.params!.trainable / r.params!.backbone)) : null,
      // A target over another task set (the paper's 8-task average vs ours over fewer) is not plotted against ours.
      target: cell.targetNote ? null : cell.target,
    });
  }
  return out;
}

/** Indices of the Pareto-optimal points (less memory and a better metric), ordered by memory. */
export function paretoFront(points: readonly { x: number; y: number }[], direction: 'max' | 'min'): number[] {
  const better = (a: number, b: number) => (direction === 'max' ? a > b : a < b);
  const order = points.map((_, i) => i).sort((a, b) => points[a].x - points[b].x || (better(points[a].y, points[b].y) ? -1 : better(points[b].y, points[a].y) ? 1 : 0));
  const front: number[] = [];
  for (const i of order) {
    if (!front.length || better(points[i].y, points[front[front.length - 1]].y)) front.push(i);
  }
  return front;
}

/** Radius scale: area ∝ params, r = k·sqrt(params) with the largest point at R_MAX px. */
export function radiusScale(params: readonly number[]): { k: number; r: (p: number | null) => number } {
  const maxP = Math.max(0, ...params);
  const k = maxP > 0 ? R_MAX / Math.sqrt(maxP) : 0;
  return { k, r: (p) => (p === null || k === 0 ? R_MIN : Math.max(R_MIN, k * Math.sqrt(p))) };
}

export function memoryVsMetricChart(model: ResultModel, group: ColumnGroup, col: TableColumn): ChartSpec | null {
  const pts = scatterPoints(model, col);
  if (!pts.length) return null;
  const u = byteUnit(pts.map((p) => p.memoryBytes));
  const { k, r } = radiusScale(pts.map((p) => p.trainable ?? 0));
  const digits = Math.abs(pts[0].metric) <= 1.5 ? 3 : 1;
  const datasets: ChartConfiguration['data']['datasets'] = [];
  const colors = rowColors(model.rows);
  for (const p of pts) {
    const st = { ...methodStyle(p.method), color: colors.get(p.rowId)! };
    datasets.push({
      type: 'bubble', label: p.label,
      data: [{
        x: p.memoryBytes / u.bytes, y: p.metric, r: r(p.trainable),
        tooltip: [
          p.label,
          `${col.metric}: ${fixed(p.metric, digits)}${p.std !== null ? ` ± ${fixed(p.std, digits)}` : ''} (n=${p.n})`,
          `peak memory (mem-v1): ${fixed(p.memoryBytes / u.bytes, u.decimals)} ${u.name}`,
          `trainable: ${p.trainable === null ? '?' : paramCount(p.trainable)}${p.trainablePct !== null ? ` (${percent(p.trainablePct)} of backbone)` : ''}`,
        ],
      } as never],
      backgroundColor: withAlpha(st.color, 0.55), borderColor: st.color, borderWidth: st.shape === 'star' ? 2.5 : 1.5,
      pointStyle: st.shape, rotation: st.rotation, clip: false,
    } as never);
  }
  const front = paretoFront(pts.map((p) => ({ x: p.memoryBytes, y: p.metric })), col.direction);
  if (front.length > 1) {
    datasets.push({
      type: 'line', label: 'Pareto front', data: front.map((i) => ({ x: pts[i].memoryBytes / u.bytes, y: pts[i].metric })),
      borderColor: '#555', borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, pointStyle: 'line', fill: false, showLine: true, order: 10,
    } as never);
  }
  // Published values: hollow markers in the method's colour.
  const targets = pts.filter((p) => p.target);
  if (targets.length) {
    datasets.push({
      type: 'bubble', label: 'paper (hollow)',
      data: targets.map((p) => {
        const pb = paperMemoryBytes(p.target!);
        return {
          x: (pb ?? p.memoryBytes) / u.bytes, y: p.target!.value, r: r(p.trainable),
          tooltip: [`${p.label}, paper: ${fixed(p.target!.value, digits)}`, p.target!.source,
            pb !== null ? `paper memory: ${p.target!.memory!.value} ${p.target!.memory!.unit} (its hardware)` : 'x = our measured memory (the paper gives none)'],
        };
      }) as never,
      backgroundColor: 'rgba(255,255,255,0)', borderColor: targets.map((p) => colors.get(p.rowId)!), borderWidth: 2,
      pointStyle: targets.map((p) => methodStyle(p.method).shape), rotation: targets.map((p) => methodStyle(p.method).rotation), clip: false,
    } as never);
  }
  const what = col.task === null ? `${col.label} over ${group.columns.length - 1} tasks` : col.label;
  const maxP = Math.max(...pts.map((p) => p.trainable ?? 0));
  // Memory is never negative: where the padding would reach below zero, the axis starts at zero.
  const xs = [...pts.map((p) => p.memoryBytes), ...targets.map((p) => paperMemoryBytes(p.target!) ?? p.memoryBytes)];
  const xNeedsFloor = Math.min(...xs) - 0.12 * (Math.max(...xs) - Math.min(...xs)) <= 0;
  const title = `Memory vs ${col.metric === 'average' || col.task === null ? 'score' : col.metric}: ${what} (${group.label})`;
  const options = baseOptions(title, [
    `Marker area ∝ trainable parameters: r = k·√params px, k = ${k.toPrecision(3)} (${paramCount(maxP)} → ${R_MAX} px); markers under ${R_MIN} px drawn at ${R_MIN} px.`,
    `${model.split} split, mean over seeds; dashed line: Pareto front (less memory, ${col.direction === 'max' ? 'higher' : 'lower'} ${col.task === null ? 'score' : col.metric}).`,
    ...(targets.length ? ['Hollow markers: published values (their memory as the paper measured it, where given; else placed at our memory).'] : []),
  ]);
  Object.assign(options, {
    scales: {
      // grace pads the data range (markers are drawn past it: their radii are pixels), then ticks round it.
      x: { type: 'linear', grace: '12%', ...(xNeedsFloor ? { min: 0 } : {}), title: axisTitle(`Peak training memory, mem-v1 (${u.name})`), ticks: ticks() },
      y: { type: 'linear', grace: '12%', title: axisTitle(`${col.task === null ? `mean headline metric over ${group.columns.length - 1} tasks` : col.metric} (${col.direction === 'max' ? 'higher' : 'lower'} is better)`), ticks: ticks() },
    },
  });
  return {
    id: fileId('memory-vs-metric', group.id, col.task ?? 'average'), kind: 'memory-vs-metric', title, width: 860, height: 560,
    config: { type: 'bubble', data: { datasets }, options: options as never },
    ticks: { x: 'plain', y: 'plain' },
  };
}
