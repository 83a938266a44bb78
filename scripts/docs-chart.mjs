// Regenerates the README's chart, docs/memory-vs-metric.png, from the results store: the memory-vs-score scatter of
// the mini sweep (experiment "mini", averaged over its tasks), drawn by the report code itself.
// Usage (after `npm run build` and `npm start`): node scripts/docs-chart.mjs [--db results/unipt.sqlite] [--experiment mini]
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const db = arg('--db', process.env.UNIPT_DB ?? join(root, 'results', 'unipt.sqlite'));
const experiment = arg('--experiment', 'mini');

const { readStoreInputs } = await import(join(root, 'dist', 'src', 'report', 'store-input.js'));
const { catalogFromRegistry } = await import(join(root, 'dist', 'src', 'report', 'catalog.js'));
const { buildModel } = await import(join(root, 'dist', 'src', 'report', 'model.js'));
const { memoryVsMetricChart } = await import(join(root, 'dist', 'src', 'report', 'charts', 'memory-vs-metric.js'));
const { renderPng } = await import(join(root, 'dist', 'src', 'report', 'charts', 'render-png.js'));

let input;
try {
  [input] = readStoreInputs(db, experiment);
} catch (e) {
  console.error(`docs-chart: ${e.message}`);
  process.exit(2);
}
const model = buildModel(input, catalogFromRegistry());
// The group with the most tasks; its average column when it has one (the LST Figure 1 view), else its first task.
const group = [...model.groups].sort((a, b) => b.columns.length - a.columns.length)[0];
const col = group.columns.find((c) => c.task === null) ?? group.columns[0];
const spec = memoryVsMetricChart(model, group, col);
if (!spec) { console.error(`docs-chart: experiment "${experiment}" has no run with both a metric and a memory measurement`); process.exit(2); }
mkdirSync(join(root, 'docs'), { recursive: true });
const out = join(root, 'docs', 'memory-vs-metric.png');
writeFileSync(out, await renderPng(spec));
console.log(`docs-chart: ${out} (${spec.title}; ${input.runs.length} runs of experiment "${experiment}" in ${db})`);
