// Ablation curves: one varying setting (e.g. UniPT's downsample factor D) on the x axis, the headline metric on the
// left axis and the mem-v1 peak on the right. Rows that agree on every other varying setting form a series; series
// of one point are left out, so a one-factor-at-a-time design (each variant changes one knob of a default) plots
// each knob against the default's other settings, and a full grid plots one line per combination.
import { byteUnit, fixed } from '../format.js';
import type { Ablation } from '../tables/ablation.js';
import { compareSettingValues, formatSettingValue, settingLabel } from '../variants.js';
import { variantColor } from './palette.js';
import { axisTitle, baseOptions, fileId, ticks, type ChartSpec } from './spec.js';

export function ablationCharts(ab: Ablation): ChartSpec[] {
  const { model } = ab;
  const out: ChartSpec[] = [];
  for (const key of ab.keys) {
    // An absent key (the method's default) is its own value, shown as "default".
    const keyOf = (v: unknown) => (v === undefined ? '\u0000default' : JSON.stringify(v));
    const values = [...new Map(model.rows.map((r) => [keyOf(r.settings[key]), r.settings[key]])).values()].sort(compareSettingValues);
    if (values.length < 2) continue;
    const others = ab.keys.filter((k) => k !== key);
    const seriesKey = (s: Record<string, unknown>) => others.map((k) => `${settingLabel(k)}=${formatSettingValue(s[k])}`).join(', ');
    const series = [...new Set(model.rows.map((r) => seriesKey(r.settings)))]
      .filter((sk) => new Set(model.rows.filter((r) => seriesKey(r.settings) === sk).map((r) => keyOf(r.settings[key]))).size >= 2);
    if (!series.length) continue;
    const inSeries = (r: (typeof model.rows)[number]) => series.includes(seriesKey(r.settings));
    const axisValues = values.filter((v) => model.rows.some((r) => inSeries(r) && keyOf(r.settings[key]) === keyOf(v)));
    // Numeric settings (D, a width) are an axis and get lines; categorical ones (a mode, a layer subset) only points.
    const numeric = axisValues.every((v) => typeof v === 'number');
    for (const g of model.groups) {
      // The group average when there is one (ablations summarise), else every task column.
      const cols = g.columns.some((c) => c.task === null) ? g.columns.filter((c) => c.task === null) : g.columns;
      for (const col of cols) {
        const peaks = model.rows.map((r) => model.costs[r.id][g.id]?.peakBytes.summary?.mean ?? NaN);
        const u = byteUnit(peaks);
        const digits = model.rows.some((r) => Math.abs(model.cells[r.id][col.id]?.summary?.mean ?? 0) > 1.5) ? 1 : 3;
        const datasets: object[] = [];
        series.forEach((sk, si) => {
          const rows = model.rows.filter((r) => seriesKey(r.settings) === sk);
          const at = (v: unknown) => rows.find((r) => keyOf(r.settings[key]) === keyOf(v));
          const color = variantColor(ab.method, si, series.length);
          // One series: the legend names the two quantities; several: it names the series (solid and dashed paired).
          const single = series.length === 1;
          const name = single || !sk ? '' : ` (${sk})`;
          const metricIndex = datasets.length;
          datasets.push({
            type: 'line', label: single ? (col.task === null ? 'mean headline score' : col.metric) : sk, yAxisID: 'y',
            data: axisValues.map((v) => {
              const r = at(v);
              const c = r ? model.cells[r.id][col.id] : undefined;
              return c?.summary ? { x: formatSettingValue(v), y: c.summary.mean, tooltip: [`${settingLabel(key)} = ${formatSettingValue(v)}${name}`, `${col.metric}: ${fixed(c.summary.mean, digits)}${c.summary.std !== null ? ` ± ${fixed(c.summary.std, digits)}` : ''} (n=${c.summary.n})`] } : { x: formatSettingValue(v), y: null };
            }),
            borderColor: color, backgroundColor: color, borderWidth: 2.5, pointRadius: numeric ? 5 : 7, pointStyle: 'circle', spanGaps: true, showLine: numeric,
          });
          datasets.push({
            type: 'line', label: single ? 'peak memory' : `${sk} · peak memory`, yAxisID: 'y2', ...(single ? {} : { uniptPairOf: metricIndex }),
            data: axisValues.map((v) => {
              const r = at(v);
              const m = r ? model.costs[r.id][g.id]?.peakBytes.summary : undefined;
              return m ? { x: formatSettingValue(v), y: m.mean / u.bytes, tooltip: [`${settingLabel(key)} = ${formatSettingValue(v)}${name}`, `peak memory: ${fixed(m.mean / u.bytes, u.decimals)} ${u.name}`] } : { x: formatSettingValue(v), y: null };
            }),
            borderColor: color, backgroundColor: '#ffffff', borderWidth: 2, borderDash: [6, 4], pointRadius: numeric ? 5 : 7, pointStyle: 'rect', spanGaps: true, showLine: numeric,
          });
        });
        const title = `Ablation of ${ab.methodLabel}: ${settingLabel(key)} — ${col.task === null ? `${col.label} over ${g.columns.length - 1} tasks` : col.label} (${g.label})`;
        const options = baseOptions(title, [
          `${numeric ? 'Solid' : 'Filled circles'}: ${col.task === null ? 'mean headline score' : col.metric} (left axis); ${numeric ? 'dashed' : 'hollow squares'}: mem-v1 peak memory (right axis); ${model.split} split, mean over seeds.`,
          ...(series.length === 1 && series[0] ? [`Other settings: ${series[0]}`] : []),
        ]);
        Object.assign(options, {
          scales: {
            x: { type: 'category', offset: true, labels: axisValues.map(formatSettingValue), title: axisTitle(settingLabel(key)), ticks: ticks() },
            y: { position: 'left', title: axisTitle(`${col.task === null ? 'mean headline score' : col.metric} (${col.direction === 'max' ? 'higher' : 'lower'} is better)`), ticks: ticks(), grace: '10%' },
            y2: { position: 'right', beginAtZero: true, grace: '10%', grid: { drawOnChartArea: false }, title: axisTitle(`peak training memory, mem-v1 (${u.name})`), ticks: ticks() },
          },
        });
        out.push({
          id: fileId('ablation', ab.method, settingLabel(key), g.id, col.task ?? 'average'), kind: 'ablation', title, width: 820, height: 500,
          config: { type: 'line', data: { labels: axisValues.map(formatSettingValue), datasets: datasets as never }, options: options as never },
          ticks: { y: 'plain', y2: 'plain' },
          pairedLegend: series.length > 1,
        });
      }
    }
  }
  return out;
}
