// The self-contained HTML report: a header (experiment, when, backend, commit), the result and ablation tables, and
// interactive versions of every chart. Chart.js is inlined from node_modules, so the file opens with no network.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ChartSpec } from '../charts/spec.js';
import { formattersSource } from '../charts/formatters.js';
import type { ResultModel } from '../model.js';
import { escapeHtml, renderHtmlTable } from '../tables/html.js';
import type { TableLayout } from '../tables/layout.js';

let chartJsSource: string | null = null;

/** Chart.js's UMD build, as installed (the version the PNGs were drawn with). */
export function chartJsUmd(): string {
  if (chartJsSource === null) {
    const require = createRequire(import.meta.url);
    // chart.js exports no path to its UMD build; it sits next to the CommonJS entry.
    const path = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
    chartJsSource = readFileSync(path, 'utf8').replace(/<\/script/gi, '<\\/script');
  }
  return chartJsSource;
}

/** JSON safe inside a <script> element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const STYLE = `
body { font-family: 'DejaVu Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1400px; padding: 16px 24px 48px; color: #111; background: #fff; }
header { border-bottom: 2px solid #333; margin-bottom: 16px; }
h1 { font-size: 22px; margin: 8px 0; } h2 { font-size: 18px; margin-top: 28px; } h3 { font-size: 15px; margin-top: 20px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; font-size: 13px; margin: 8px 0 12px; }
dl.meta dt { font-weight: bold; } dl.meta dd { margin: 0; font-family: 'DejaVu Sans Mono', monospace; word-break: break-all; }
nav ul { font-size: 13px; columns: 2; } 
.table-wrap { overflow-x: auto; }
table.results { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
table.results caption { caption-side: bottom; text-align: left; font-size: 12px; color: #444; padding-top: 6px; max-width: 1100px; }
table.results th, table.results td { padding: 4px 8px; white-space: nowrap; }
table.results thead tr:first-child th { border-top: 2px solid #000; }
table.results thead tr:last-child th { border-bottom: 1px solid #000; }
table.results tbody tr:last-child th, table.results tbody tr:last-child td { border-bottom: 2px solid #000; }
th.group { border-bottom: 1px solid #888; }
.l { text-align: left; } .r { text-align: right; }
tr.paper th, tr.paper td { color: #555; font-style: italic; font-size: 12px; }
.n { color: #666; font-size: 11px; }
ul.footnotes { font-size: 12px; color: #333; }
figure { margin: 16px 0 28px; overflow-x: auto; } figcaption { font-size: 12px; color: #444; }
`;

export interface HtmlTable { id: string; heading: string; layout: TableLayout }

export function renderHtmlReport(model: ResultModel, tables: HtmlTable[], charts: ChartSpec[]): string {
  const e = model.env;
  const statuses = Object.entries(e.statusCounts).map(([k, v]) => `${v} ${k}`).join(', ');
  const meta: [string, string][] = [
    ['experiment', model.experiment],
    ['generated', model.generatedAt],
    ['runs', `${model.runs.length} (${statuses})${e.firstStarted ? `, ${e.firstStarted} – ${e.lastFinished ?? '?'}` : ''}`],
    ['backend', e.backends.join('; ') || 'unknown'],
    ['commit', e.commits.join('; ') || 'unknown (not a git checkout)'],
    ['host', e.hosts.join('; ') || 'unknown'],
    ['metrics', `${model.split} split, headline metric of each task`],
  ];
  const toc = [
    ...tables.map((t) => `<li><a href="#${escapeHtml(t.id)}">${escapeHtml(t.heading)}</a></li>`),
    ...charts.map((c) => `<li><a href="#fig-${escapeHtml(c.id)}">${escapeHtml(c.title)}</a></li>`),
  ].join('');
  const tableHtml = tables.map((t) => `<section><h3>${escapeHtml(t.heading)}</h3>\n${renderHtmlTable(t.layout, t.id)}</section>`).join('\n');
  const figures = charts.map((c) => `<figure id="fig-${escapeHtml(c.id)}"><canvas id="chart-${escapeHtml(c.id)}" width="${c.width}" height="${c.height}" role="img" aria-label="${escapeHtml(c.title)}"></canvas></figure>`).join('\n');
  const specs = charts.map((c) => ({ id: c.id, config: c.config, ticks: c.ticks ?? {}, pairedLegend: Boolean(c.pairedLegend) }));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>unipt report: ${escapeHtml(model.experiment)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>unipt report: ${escapeHtml(model.experiment)}</h1>
<dl class="meta">${meta.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
</header>
<nav><ul>${toc}</ul></nav>
<main>
<h2 id="tables">Tables</h2>
${tableHtml}
<h2 id="charts">Charts</h2>
<p style="font-size:12px;color:#444">Hover a point for its numbers; click a legend entry to hide or show a series.</p>
${figures}
</main>
<script>${chartJsUmd()}</script>
<script>
${formattersSource()}
const UNIPT_CHARTS = ${scriptJson(specs)};
for (const spec of UNIPT_CHARTS) {
  const config = spec.config;
  delete config.options.devicePixelRatio; // sharp on high-density screens
  for (const [axis, name] of Object.entries(spec.ticks)) {
    const scale = config.options.scales && config.options.scales[axis];
    if (scale) scale.ticks = Object.assign({}, scale.ticks || {}, { callback: UNIPT_FORMATTERS[name] });
  }
  config.options.plugins = config.options.plugins || {};
  config.options.plugins.tooltip = Object.assign({}, config.options.plugins.tooltip || {}, { callbacks: { label: uniptTooltipLabel } });
  if (spec.pairedLegend) {
    const legend = config.options.plugins.legend = config.options.plugins.legend || {};
    legend.labels = Object.assign({}, legend.labels || {}, { filter: UNIPT_LEGEND_HOOKS.legendFilter });
    legend.onClick = UNIPT_LEGEND_HOOKS.legendPairClick;
  }
  config.plugins = [uniptWhiteBackground];
  new Chart(document.getElementById('chart-' + spec.id), config);
}
</script>
</body>
</html>
`;
}
