// Functions Chart.js calls while drawing (tick labels, tooltips, the white background). Chart configurations are
// plain JSON (so the HTML report can embed them), and these functions are attached by name, in Node for PNGs and in
// the browser for the HTML report. The HTML report embeds their source text, so each must be self-contained: no
// imports, no closures over module variables.

/** "950", "12K", "1.2M", "3B" (tick labels: short). */
function countShort(value: number | string): string {
  const v = Number(value);
  const a = Math.abs(v);
  const fmt = (x: number, s: string) => `${Number(x.toPrecision(3))}${s}`;
  return a >= 1e9 ? fmt(v / 1e9, 'B') : a >= 1e6 ? fmt(v / 1e6, 'M') : a >= 1e3 ? fmt(v / 1e3, 'K') : String(Number(v.toPrecision(3)));
}

/** Log-axis ticks: label 1, 10, 100, ... only (Chart.js labels every minor tick otherwise). */
function countPowersOf10(value: number | string): string {
  const v = Number(value);
  if (!(v > 0)) return '';
  const l = Math.log10(v);
  if (Math.abs(l - Math.round(l)) > 1e-9) return '';
  const a = Math.abs(v);
  const fmt = (x: number, s: string) => `${Number(x.toPrecision(3))}${s}`;
  return a >= 1e9 ? fmt(v / 1e9, 'B') : a >= 1e6 ? fmt(v / 1e6, 'M') : a >= 1e3 ? fmt(v / 1e3, 'K') : String(v);
}

/** Numbers with at most 3 significant digits (Chart.js prints float noise such as 0.30000000000000004). */
function plain(value: number | string): string {
  const v = Number(value);
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(value);
}

/** Tooltip label: the point's own text lines when the chart builder attached them, else Chart.js's default. */
function tooltipLabel(ctx: { raw?: unknown; dataset?: { label?: string }; formattedValue?: string }): string | string[] {
  const raw = ctx.raw as { tooltip?: string[] } | undefined;
  if (raw && Array.isArray(raw.tooltip)) return raw.tooltip;
  return `${ctx.dataset && ctx.dataset.label ? `${ctx.dataset.label}: ` : ''}${ctx.formattedValue ?? ''}`;
}

/** Legend filter: hides datasets marked as the second line of a pair (their first line's entry stands for both). */
function legendFilter(item: { datasetIndex?: number }, data: { datasets: { uniptPairOf?: number }[] }): boolean {
  const ds = item.datasetIndex === undefined ? undefined : data.datasets[item.datasetIndex];
  return !(ds && typeof ds.uniptPairOf === 'number');
}

/** Legend click: shows/hides a dataset together with the datasets paired with it (e.g. a loss and its metric line). */
function legendPairClick(_e: unknown, item: { datasetIndex?: number }, legend: { chart: { data: { datasets: { uniptPairOf?: number }[] }; isDatasetVisible(i: number): boolean; setDatasetVisibility(i: number, v: boolean): void; update(): void } }): void {
  const chart = legend.chart;
  const i = item.datasetIndex;
  if (i === undefined) return;
  const visible = !chart.isDatasetVisible(i);
  chart.data.datasets.forEach((ds, j) => { if (j === i || ds.uniptPairOf === i) chart.setDatasetVisibility(j, visible); });
  chart.update();
}

export const FORMATTERS = { countShort, countPowersOf10, plain } as const;
export const LEGEND_HOOKS = { legendFilter, legendPairClick } as const;
export type FormatterName = keyof typeof FORMATTERS;

export { tooltipLabel };

/** The few 2-D context members the background plugin uses (the project compiles without the DOM types). */
interface Canvas2D { save(): void; restore(): void; fillRect(x: number, y: number, w: number, h: number): void; fillStyle: unknown; globalCompositeOperation: string }

/** A Chart.js plugin painting the canvas white before drawing (PNG has no page behind it). */
export const whiteBackground = {
  id: 'uniptWhiteBackground',
  beforeDraw(chart: { ctx: Canvas2D; width: number; height: number }): void {
    const ctx = chart.ctx;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

/** Source text of the browser-side helpers, for the HTML report. */
export function formattersSource(): string {
  const fns = Object.entries(FORMATTERS).map(([k, f]) => `${JSON.stringify(k)}: ${f.toString()}`).join(',\n');
  const hooks = Object.entries(LEGEND_HOOKS).map(([k, f]) => `${JSON.stringify(k)}: ${f.toString()}`).join(',\n');
  return `const UNIPT_FORMATTERS = {\n${fns}\n};\nconst UNIPT_LEGEND_HOOKS = {\n${hooks}\n};\nconst uniptTooltipLabel = ${tooltipLabel.toString()};\nconst uniptWhiteBackground = { id: 'uniptWhiteBackground', beforeDraw: ${whiteBackground.beforeDraw.toString().replace(/^beforeDraw/, 'function')} };\n`;
}
