// Regenerates the README's chart, docs/memory-vs-metric.png, from the results store: the memory-vs-score scatter of
// the mini sweep (experiment "mini", averaged over its tasks), drawn by the report code itself.
// Usage (after `npm run build` and `npm start`):
//   node scripts/docs-chart.mjs [<results.sqlite> | --db <results.sqlite>] [--experiment mini] [--out docs/memory-vs-metric.png]
//   (the store defaults to $UNIPT_DB, else results/unipt.sqlite; the same file `npm start` writes)
//   or from RunResult files instead of the store:  node scripts/docs-chart.mjs --runs results/runs
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const positional = process.argv[2] && !process.argv[2].startsWith('--') ? resolve(process.argv[2]) : undefined;
const db = resolve(arg('--db', positional ?? process.env.UNIPT_DB ?? join(root, 'results', 'unipt.sqlite')));
const out = resolve(arg('--out', join(root, 'docs', 'memory-vs-metric.png')));
const experiment = arg('--experiment', 'mini');

const { readStoreInputs } = await import(join(root, 'dist', 'src', 'report', 'store-input.js'));
const { catalogFromRegistry } = await import(join(root, 'dist', 'src', 'report', 'catalog.js'));
const { buildModel } = await import(join(root, 'dist', 'src', 'report', 'model.js'));
const { memoryVsMetricChart } = await import(join(root, 'dist', 'src', 'report', 'charts', 'memory-vs-metric.js'));
const { renderPng } = await import(join(root, 'dist', 'src', 'report', 'charts', 'render-png.js'));

const runsDir = arg('--runs', undefined);
let input;
if (runsDir) {
  const files = readdirSync(runsDir).filter((f) => f.endsWith('.json')).sort();
  const runs = files.map((f) => { const result = JSON.parse(readFileSync(join(runsDir, f), 'utf8')); return { runId: result.runId ?? f.replace(/\.json$/, ''), result }; });
  if (!runs.length) { console.error(`docs-chart: no RunResult files (*.json) in ${runsDir}`); process.exit(2); }
  input = { experiment: runsDir, runs, generatedAt: new Date().toISOString() };
} else {
  try {
    [input] = readStoreInputs(db, experiment);
  } catch (e) {
    console.error(`docs-chart: ${e.message}`);
    process.exit(2);
  }
}
const model = buildModel(input, catalogFromRegistry());
// The group with the most tasks; its average column (the LST Figure 1 view) when every method has one, else the
// column with the most methods (a sweep still running, or a method that failed on some task).
const group = [...model.groups].sort((a, b) => b.columns.length - a.columns.length)[0];
const points = (c) => model.rows.filter((r) => model.cells[r.id][c.id]?.summary).length;
const avg = group.columns.find((c) => c.task === null);
const col = avg && points(avg) === model.rows.length ? avg : [...group.columns].sort((a, b) => points(b) - points(a) || (a.task === null ? -1 : 0))[0];
const spec = memoryVsMetricChart(model, group, col);
if (!spec) { console.error(`docs-chart: experiment "${experiment}" has no run with both a metric and a memory measurement`); process.exit(2); }
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, await renderPng(spec));
console.log(`docs-chart: ${out} (${spec.title}; ${input.runs.length} runs from ${runsDir ?? `experiment "${experiment}" in ${db}`})`);
