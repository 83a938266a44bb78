// Writes one experiment's report in the requested formats under <out>/<experiment>/:
//   tables.md, table.csv, table.tex, table.json, ablation-<method>.{tex,json}, report.html, charts/<chart>.png
// Everything is computed before the first file is written, so bad input leaves nothing behind.
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import { reportCharts } from './charts/index.js';
import { renderPng } from './charts/render-png.js';
import { renderHtmlReport, type HtmlTable } from './html/report.js';
import { buildModel, ReportInputError, type MetricSplit, type ResultModel } from './model.js';
import { ablations } from './tables/ablation.js';
import { renderCsv } from './tables/csv.js';
import { renderJson } from './tables/json.js';
import { renderLatex } from './tables/latex.js';
import { layoutTable, type TableLayout } from './tables/layout.js';
import { renderMarkdown } from './tables/markdown.js';
import type { Catalog, ReportInput } from './types.js';

export const REPORT_FORMATS = ['md', 'csv', 'tex', 'json', 'html', 'png'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** "md,tex" -> ['md', 'tex']; an unknown name is an input error naming the valid ones. */
export function parseFormats(spec: string): ReportFormat[] {
  const names = spec.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (!names.length) throw new ReportInputError(`--format is empty; valid formats: ${REPORT_FORMATS.join(', ')} (comma-separated)`);
  const bad = names.filter((n) => !(REPORT_FORMATS as readonly string[]).includes(n));
  if (bad.length) throw new ReportInputError(`unknown report format${bad.length > 1 ? 's' : ''} ${bad.map((b) => `"${b}"`).join(', ')}; valid formats: ${REPORT_FORMATS.join(', ')} (comma-separated, e.g. --format md,html)`);
  return [...new Set(names)] as ReportFormat[];
}

/** A folder name for an experiment: letters, digits, dot, dash and underscore. */
export function experimentSlug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'experiment';
}

export interface WriteReportOptions {
  formats: readonly ReportFormat[];
  /** The reports folder; the experiment's report goes into a subfolder named after it. */
  outDir: string;
  split?: MetricSplit;
}

export interface WrittenReport {
  experiment: string;
  dir: string;
  files: string[];
  model: ResultModel;
}

export interface BuiltReport {
  model: ResultModel;
  main: TableLayout;
  ablations: { method: string; layout: TableLayout; model: ResultModel }[];
}

export function buildReport(input: ReportInput, catalog: Catalog, split: MetricSplit = 'test'): BuiltReport {
  const model = buildModel(input, catalog, { split });
  const main = layoutTable(model);
  const abl = ablations(model).map((a) => ({
    method: a.method, model: a.model,
    layout: layoutTable(a.model, { settingColumns: a.keys, title: `Ablation of ${a.methodLabel} (experiment ${model.experiment})` }),
  }));
  return { model, main, ablations: abl };
}

export async function writeReport(input: ReportInput, catalog: Catalog, o: WriteReportOptions): Promise<WrittenReport> {
  const built = buildReport(input, catalog, o.split);
  const { model } = built;
  const want = new Set(o.formats);
  const charts = want.has('png') || want.has('html') ? reportCharts(model, ablations(model)) : [];
  const outputs: [string, string | Uint8Array][] = [];
  const dir = join(o.outDir, experimentSlug(model.experiment));
  if (want.has('md')) outputs.push(['tables.md', [built.main, ...built.ablations.map((a) => a.layout)].map(renderMarkdown).join('\n')]);
  if (want.has('csv')) outputs.push(['table.csv', renderCsv(model)]);
  if (want.has('tex')) {
    outputs.push(['table.tex', renderLatex(built.main, `tab:${experimentSlug(model.experiment)}`)]);
    for (const a of built.ablations) outputs.push([`ablation-${experimentSlug(a.method)}.tex`, renderLatex(a.layout, `tab:${experimentSlug(model.experiment)}-ablation-${experimentSlug(a.method)}`)]);
  }
  if (want.has('json')) {
    outputs.push(['table.json', renderJson(model, 'main')]);
    for (const a of built.ablations) outputs.push([`ablation-${experimentSlug(a.method)}.json`, renderJson(a.model, 'ablation', a.method)]);
  }
  if (want.has('png')) for (const c of charts) outputs.push([join('charts', `${c.id}.png`), await renderPng(c)]);
  if (want.has('html')) {
    const tables: HtmlTable[] = [
      { id: 'table-main', heading: built.main.title, layout: built.main },
      ...built.ablations.map((a) => ({ id: `table-ablation-${experimentSlug(a.method)}`, heading: a.layout.title, layout: a.layout })),
    ];
    outputs.push(['report.html', renderHtmlReport(model, tables, charts)]);
  }
  const files: string[] = [];
  for (const [name, data] of outputs) {
    const path = join(dir, name);
    writeFileAtomic(path, data);
    files.push(path);
  }
  return { experiment: model.experiment, dir, files, model };
}
