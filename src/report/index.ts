// The report room's public API: result tables (Markdown, CSV, booktabs LaTeX, JSON), Chart.js charts (PNG) and the
// self-contained HTML report, built from the runs of one experiment.
export type { Catalog, CatalogMethod, CatalogTask, PaperTarget, ReportInput, ReportRun } from './types.js';
export { catalogFromRegistry } from './catalog.js';
export { buildModel, ReportInputError, type ResultModel, type Cell, type VariantRow, type ColumnGroup, type TableColumn } from './model.js';
export { buildReport, writeReport, parseFormats, experimentSlug, REPORT_FORMATS, type ReportFormat, type WriteReportOptions, type WrittenReport } from './write.js';
export { layoutTable } from './tables/layout.js';
export { renderMarkdown } from './tables/markdown.js';
export { renderLatex, escapeLatex } from './tables/latex.js';
export { renderCsv } from './tables/csv.js';
export { renderJson, tableJson } from './tables/json.js';
export { reportCharts } from './charts/index.js';
export { renderPng } from './charts/render-png.js';
export { trainingCurvesChart } from './charts/curves.js';
export { renderHtmlReport } from './html/report.js';
export { readStoreInputs, experimentInput } from './store-input.js';
