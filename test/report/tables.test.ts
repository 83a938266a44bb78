// Result tables: mean ± sample std and the seed count from hand-chosen fixture values, best/second marks that
// follow each metric's direction, "–" / "n/a" cells, paper targets with differences, LaTeX that compiles in
// principle (balanced braces, booktabs rules, escaped specials), and JSON/CSV cells that name their run ids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildModel, ReportInputError } from '../../src/report/model.js';
import { catalogFromRegistry } from '../../src/report/catalog.js';
import { rankColumn } from '../../src/report/rank.js';
import { sampleStd } from '../../src/report/stats.js';
import { layoutTable } from '../../src/report/tables/layout.js';
import { renderMarkdown } from '../../src/report/tables/markdown.js';
import { renderLatex, escapeLatex } from '../../src/report/tables/latex.js';
import { renderCsv, CSV_COLUMNS } from '../../src/report/tables/csv.js';
import { tableJson } from '../../src/report/tables/json.js';
import { ablations } from '../../src/report/tables/ablation.js';
import { buildReport, parseFormats } from '../../src/report/write.js';
import type { Catalog, ReportRun } from '../../src/report/types.js';
import { makeRun } from './support/make-run.js';
import { GLUE_TASKS } from '../../src/registry/glue-tasks.js';

const catalog = catalogFromRegistry();
const input = (runs: ReportRun[], experiment = 'exp') => ({ experiment, runs, generatedAt: '2025-01-01T00:00:00.000Z' });

/** Splits a Markdown table line into its cells (pipes escaped as \| stay inside a cell). */
function mdCells(line: string): string[] {
  return line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());
}

function mdRow(md: string, label: string): string[] {
  const line = md.split('\n').find((l) => l.startsWith(`| ${label} |`));
  assert.ok(line, `no Markdown row "${label}" in:\n${md}`);
  return mdCells(line);
}

function mdHeader(md: string): string[] {
  return mdCells(md.split('\n').find((l) => l.startsWith('| Method'))!);
}

test('sample std and ranks: hand-computed cases', () => {
  assert.equal(sampleStd([80, 82, 84]), 2); // deviations -2, 0, 2: sqrt(8 / 2)
  assert.equal(sampleStd([5]), null);
  assert.deepEqual(rankColumn([70, 90, 80, null], 'max'), [null, 1, 2, null]);
  assert.deepEqual(rankColumn([70, 90, 80, null], 'min'), [1, null, 2, null]);
  assert.deepEqual(rankColumn([90, 90, 80], 'max'), [1, 1, 2], 'ties share the best rank; second is the next value');
  assert.deepEqual(rankColumn([3, 1], 'min'), [null, 1], 'with two values only the best is marked');
  assert.deepEqual(rankColumn([5, 5, 5], 'max'), [null, null, null], 'all equal: nothing stands out');
});

test('a cell is mean ± sample std over seeds with the seed count, from the fixture rows', () => {
  const runs = [80, 82, 84].map((v, seed) => makeRun({ method: 'lora', task: 'glue-sst2', seed, value: v }));
  runs.push(...[70, 71].map((v, seed) => makeRun({ method: 'bitfit', task: 'glue-sst2', seed, value: v })));
  const model = buildModel(input(runs), catalog);
  const lora = model.cells.lora['text-mini/glue-sst2'];
  assert.equal(lora.summary!.mean, 82);
  assert.equal(lora.summary!.std, 2);
  assert.equal(lora.summary!.n, 3);
  assert.deepEqual(lora.seeds, [0, 1, 2]);
  const md = renderMarkdown(layoutTable(model));
  const head = mdHeader(md);
  const col = head.indexOf('SST-2 ↑');
  assert.ok(col > 0, head.join(' | '));
  assert.equal(mdRow(md, 'LoRA')[col], '**82.0 ± 2.0** (n=3)');
  // 70, 71: mean 70.5, std sqrt(0.5) = 0.707...
  assert.equal(mdRow(md, 'BitFit')[col], '70.5 ± 0.7 (n=2)');
});

test('best in bold and second underlined follow each column\'s direction', () => {
  const ppl = [{ name: 'perplexity', direction: 'min' as const }];
  const runs: ReportRun[] = [];
  // Accuracy (higher is better): full 90 > lora 85 > bitfit 80. Perplexity (lower is better): bitfit 10 < lora 12 < full 15.
  for (const [method, acc, p] of [['full', 90, 15], ['lora', 85, 12], ['bitfit', 80, 10]] as const) {
    runs.push(makeRun({ method, task: 'glue-sst2', value: acc }));
    runs.push(makeRun({ method, task: 'toy-lm', value: p, metricDefs: ppl }));
  }
  const model = buildModel(input(runs), catalog);
  assert.equal(model.groups[0].columns.find((c) => c.task === 'toy-lm')!.direction, 'min');
  const md = renderMarkdown(layoutTable(model));
  const head = mdHeader(md);
  const acc = head.indexOf('SST-2 ↑');
  const ppx = head.indexOf('toy-lm ↓');
  assert.ok(acc > 0 && ppx > 0, head.join(' | '));
  assert.match(mdRow(md, 'Full FT')[acc], /^\*\*90\.0\*\*/);
  assert.match(mdRow(md, 'LoRA')[acc], /^<ins>85\.0<\/ins>/);
  assert.doesNotMatch(mdRow(md, 'BitFit')[acc], /\*\*|<ins>/);
  assert.match(mdRow(md, 'BitFit')[ppx], /^\*\*10\.0\*\*/);
  assert.match(mdRow(md, 'LoRA')[ppx], /^<ins>12\.0<\/ins>/);
  assert.doesNotMatch(mdRow(md, 'Full FT')[ppx], /\*\*|<ins>/);
  // Mixed directions: no average column.
  assert.ok(!model.groups[0].columns.some((c) => c.task === null));
  // LaTeX marks the same cells.
  const tex = renderLatex(layoutTable(model));
  const texRow = (label: string) => tex.split('\n').find((l) => l.startsWith(`${label} &`))!.split(' & ');
  assert.match(texRow('BitFit')[ppx], /^\\textbf\{10\.0\}/);
  assert.match(texRow('LoRA')[ppx], /^\\underline\{12\.0\}/);
});

test('cells that print the same share a rank (ranks are taken at the printed precision)', () => {
  const runs = [
    makeRun({ method: 'lst', value: 60.01, peakBytes: 6.81 * 2 ** 20 }),
    makeRun({ method: 'unipt', value: 60.04, peakBytes: 6.84 * 2 ** 20 }),
    makeRun({ method: 'lora', value: 50, peakBytes: 30 * 2 ** 20 }),
  ];
  const model = buildModel(input(runs), catalog);
  assert.equal(model.cells.lst['text-mini/glue-sst2'].rank, 1);
  assert.equal(model.cells.unipt['text-mini/glue-sst2'].rank, 1, '60.01 and 60.04 both print as 60.0');
  assert.equal(model.costs.lst['text-mini'].peakBytes.rank, 1);
  assert.equal(model.costs.unipt['text-mini'].peakBytes.rank, 1, '6.81 and 6.84 MiB both print as 6.8');
  assert.equal(model.costs.lora['text-mini'].peakBytes.rank, 2);
});

test('missing cells show "–", not-applicable cells "n/a" with a footnote; failed runs are flagged and not averaged', () => {
  const runs = [
    makeRun({ method: 'lora', task: 'glue-sst2', value: 80 }),
    makeRun({ method: 'lora', task: 'glue-rte', value: 60 }),
    makeRun({ method: 'full', task: 'glue-sst2', value: 82 }),
    makeRun({ method: 'full', task: 'glue-rte', seed: 0, value: 61 }),
    makeRun({ method: 'full', task: 'glue-rte', seed: 1, status: 'diverged', runId: 'deadbeefcafe0001' }),
    // A second backbone group whose family the (test) capability matrix marks not applicable for "full".
    makeRun({ method: 'lora', task: 'glue-sst2', backbone: 'bert-base', value: 90 }),
  ];
  const na: Catalog = {
    ...catalog,
    capability: (method, family) => (method === 'full' && family === 'text-encoder-na' ? { status: 'not-applicable', reason: 'test reason' } : { status: 'supported' }),
    backboneFamily: (b) => (b === 'bert-base' ? 'text-encoder-na' : catalog.backboneFamily(b)),
  };
  const model = buildModel(input(runs), na);
  assert.equal(model.cells.full['text-mini/glue-rte'].summary!.n, 1, 'the diverged seed is not averaged');
  assert.equal(model.cells.full['text-mini/glue-rte'].failed[0].runId, 'deadbeefcafe0001');
  assert.equal(model.cells.full['bert-base/glue-sst2'].state, 'not-applicable');
  const md = renderMarkdown(layoutTable(model));
  const head = mdHeader(md);
  const rte = head.findIndex((h) => h.endsWith('text-mini: RTE ↑'));
  const bertSst = head.findIndex((h) => h.includes('bert-base: SST-2'));
  assert.ok(rte > 0 && bertSst > 0, head.join(' | '));
  assert.match(mdRow(md, 'Full FT')[rte], /^\*\*61\.0\*\* \(n=1\)<sup>†<\/sup>$/, 'best of two (61 > 60), one seed, a failure mark');
  assert.equal(mdRow(md, 'Full FT')[bertSst], 'n/a<sup>a</sup>');
  assert.match(md, /<sup>a<\/sup> not applicable: test reason/);
  assert.match(md, /diverged \(run deadbeefcafe0001\)/);
  // A cell without any run: LoRA has all, so build one without: drop LoRA RTE.
  const model2 = buildModel(input(runs.filter((r) => !(r.result.spec.method.id === 'lora' && r.result.spec.task === 'glue-rte'))), na);
  const md2 = renderMarkdown(layoutTable(model2));
  assert.equal(mdRow(md2, 'LoRA')[mdHeader(md2).findIndex((h) => h.endsWith('text-mini: RTE ↑'))], '–');
});

test('two runs of one seed (e.g. before and after a code change): the later one counts, the older is listed as superseded', () => {
  const old = makeRun({ method: 'lora', seed: 0, value: 50, runId: 'old0000000000000', peakBytes: 99 * 2 ** 20 });
  old.result.env.finishedAt = '2025-01-01T00:00:00.000Z';
  const now = makeRun({ method: 'lora', seed: 0, value: 80, runId: 'new0000000000000', peakBytes: 5 * 2 ** 20 });
  now.result.env.finishedAt = '2025-02-01T00:00:00.000Z';
  const other = makeRun({ method: 'lora', seed: 1, value: 82 });
  const model = buildModel(input([now, old, other]), catalog);
  const cell = model.cells.lora['text-mini/glue-sst2'];
  assert.equal(cell.summary!.mean, 81);
  assert.equal(cell.summary!.n, 2);
  assert.deepEqual(cell.superseded, ['old0000000000000']);
  assert.equal(model.costs.lora['text-mini'].peakBytes.summary!.mean, (5 + 6) / 2 * 2 ** 20, 'costs from current runs only');
});

test('group average: per seed over tasks, then mean ± std over seeds having every task (LST print_results)', () => {
  const runs = [
    makeRun({ method: 'lora', task: 'glue-sst2', seed: 0, value: 80 }), makeRun({ method: 'lora', task: 'glue-rte', seed: 0, value: 60 }),
    makeRun({ method: 'lora', task: 'glue-sst2', seed: 1, value: 84 }), makeRun({ method: 'lora', task: 'glue-rte', seed: 1, value: 62 }),
    makeRun({ method: 'lora', task: 'glue-sst2', seed: 2, value: 99 }), // seed 2 lacks RTE: not in the average
  ];
  const model = buildModel(input(runs), catalog);
  const avg = model.cells.lora['text-mini/average'];
  // seed 0: (80 + 60) / 2 = 70; seed 1: (84 + 62) / 2 = 73; mean 71.5, std sqrt(((1.5)^2 * 2) / 1) = 2.1213...
  assert.equal(avg.summary!.mean, 71.5);
  assert.ok(Math.abs(avg.summary!.std! - Math.sqrt(4.5)) < 1e-12);
  assert.deepEqual(avg.seeds, [0, 1]);
  assert.equal(avg.runIds.length, 4);
});

test('paper targets: the target and the difference, only for the same backbone and the same task set', () => {
  const glue = GLUE_TASKS.map((t) => t.id);
  const runs = glue.flatMap((task) => [makeRun({ method: 'lst', task, backbone: 't5-base', value: 83 }), makeRun({ method: 'lst', task, backbone: 'text-mini', value: 70 })]);
  const model = buildModel(input(runs), catalog);
  const t5 = model.cells.lst['t5-base/average'];
  assert.equal(t5.target!.value, 84.1, 'LST on T5-base: GLUE average 84.1 (registry, LST paper)');
  assert.ok(Math.abs(t5.diff! - (83 - 84.1)) < 1e-12);
  assert.equal(model.cells.lst['text-mini/average'].target, null, 'no target for the mini backbone');
  const md = renderMarkdown(layoutTable(model));
  const paper = mdRow(md, '*↳ paper: LST*');
  assert.ok(paper.includes('84.1 (Δ -1.1)'), paper.join(' | '));
  // An average over fewer tasks than the paper's is shown with its target but not compared.
  const two = buildModel(input(runs.filter((r) => ['glue-cola', 'glue-sst2'].includes(r.result.spec.task))), catalog);
  assert.equal(two.cells.lst['t5-base/average'].target!.value, 84.1);
  assert.equal(two.cells.lst['t5-base/average'].diff, null);
  assert.ok(mdRow(renderMarkdown(layoutTable(two)), '*↳ paper: LST*').includes('84.1 (8 tasks; ours 2: no Δ)'));
});

test('LaTeX compiles in principle: balanced braces, booktabs rules, escaped specials, one cell per column', () => {
  const runs = [
    makeRun({ method: 'lora', task: 'glue-sst2', value: 80 }), makeRun({ method: 'lora', task: 'glue-cola', value: 40 }),
    makeRun({ method: 'my_method%&#', task: 'glue-sst2', value: 70 }), makeRun({ method: 'my_method%&#', task: 'glue-cola', value: 30 }),
    makeRun({ method: 'full', task: 'glue-cola', status: 'failed' }),
  ];
  const layout = layoutTable(buildModel(input(runs, 'glue_mini & 100% {x}'), catalog));
  const tex = renderLatex(layout, 'tab:glue_mini');
  // Braces balance (escaped \{ \} are literal characters, not groups).
  let depth = 0;
  for (const ch of tex.replace(/\\[{}]/g, '')) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    assert.ok(depth >= 0, 'a closing brace without an opening one');
  }
  assert.equal(depth, 0, 'unbalanced braces');
  const top = tex.indexOf('\\toprule'), mid = tex.indexOf('\\midrule'), bot = tex.indexOf('\\bottomrule');
  assert.ok(top > 0 && mid > top && bot > mid, 'booktabs rules in order');
  assert.equal(tex.match(/\\begin\{/g)!.length, tex.match(/\\end\{/g)!.length);
  // No unescaped specials outside the LaTeX we wrote ourselves.
  const body = tex.split('\n').filter((l) => !l.startsWith('%'));
  for (const line of body) {
    assert.doesNotMatch(line.replace(/\\_/g, ''), /_/, `unescaped underscore: ${line}`);
    assert.doesNotMatch(line.replace(/\\%/g, ''), /%(?!$)/, `unescaped percent: ${line}`);
    assert.doesNotMatch(line.replace(/\\#/g, ''), /#/, `unescaped hash: ${line}`);
  }
  assert.ok(tex.includes('my\\_method\\%\\&\\#'));
  assert.ok(tex.includes('glue\\_mini \\& 100\\% \\{x\\}'));
  // Every body row has exactly one cell per column (unescaped & separators).
  const cols = layout.columns.length;
  const rows = tex.slice(mid, bot).split('\n').filter((l) => l.endsWith('\\\\'));
  assert.ok(rows.length >= 3);
  for (const r of rows) assert.equal(r.replace(/\\&/g, '').split('&').length, cols, r);
  const colspec = /\\begin\{tabular\}\{([lr]+)\}/.exec(tex)![1];
  assert.equal(colspec.length, cols);
  assert.equal(escapeLatex('a_b ± 1%'), 'a\\_b $\\pm$ 1\\%');
});

test('JSON cells list the run ids they came from; CSV has one line per cell with run ids', () => {
  const runs = [0, 1, 2].map((seed) => makeRun({ method: 'adapter', task: 'glue-mrpc', seed, value: 75 + seed, runId: `a${seed}`.padEnd(16, '0') }));
  runs.push(makeRun({ method: 'adapter', task: 'glue-mrpc', seed: 3, status: 'timed-out', runId: 'timedout00000000' }));
  const model = buildModel(input(runs), catalog);
  const json = JSON.parse(JSON.stringify(tableJson(model))) as { rows: { id: string; cells: Record<string, { runIds: string[]; n: number; mean: number; failed: { runId: string }[] }> }[] };
  const cell = json.rows[0].cells['text-mini/glue-mrpc'];
  assert.deepEqual(cell.runIds, ['a000000000000000', 'a100000000000000', 'a200000000000000']);
  assert.equal(cell.n, 3);
  assert.equal(cell.mean, 76);
  assert.deepEqual(cell.failed.map((f) => f.runId), ['timedout00000000']);
  const csv = renderCsv(model).trim().split('\n');
  assert.equal(csv[0], CSV_COLUMNS.join(','));
  assert.equal(csv.length, 2, 'one task column, no average: one data line');
  const rec = Object.fromEntries(CSV_COLUMNS.map((k, i) => [k, csv[1].split(',')[i]]));
  assert.equal(rec.run_ids, 'a000000000000000 a100000000000000 a200000000000000');
  assert.equal(rec.n, '3');
  assert.equal(rec.metric, 'average');
});

test('ablation: variants of one method become rows with their varying settings as columns', () => {
  const runs: ReportRun[] = [];
  for (const D of [1, 2, 4]) for (const seed of [0, 1]) runs.push({ ...makeRun({ method: 'unipt', task: 'glue-sst2', seed, config: { downsample: D, interaction: 'parallel' }, value: 80 - D + seed, trainable: 1000 * 8 / D }), variant: `D${D}` });
  runs.push(makeRun({ method: 'lora', task: 'glue-sst2', value: 70 }));
  const built = buildReport(input(runs), catalog);
  assert.deepEqual(built.model.variantKeys, { unipt: ['method.config.downsample'] }, 'only the setting that varies');
  const ab = ablations(built.model);
  assert.equal(ab.length, 1);
  assert.deepEqual(ab[0].model.rows.map((r) => r.settings['method.config.downsample']), [1, 2, 4]);
  const md = renderMarkdown(built.ablations[0].layout);
  const head = mdCells(md.split('\n').find((l) => l.startsWith('| Variant'))!);
  assert.deepEqual(head.slice(0, 3), ['Variant', 'downsample', 'SST-2 ↑']);
  // D=1: seeds 79, 80 -> 79.5 best; D=2 -> 78.5 second. Rows carry the experiment's variant names.
  assert.match(mdRow(md, 'D1')[2], /^\*\*79\.5 ± 0\.7\*\* \(n=2\)$/);
  assert.match(mdRow(md, 'D2')[2], /^<ins>78\.5 ± 0\.7<\/ins> \(n=2\)$/);
  // Trainable: lower is better -> D=4 best.
  assert.match(mdRow(md, 'D4')[3], /^\*\*2\.00K/);
  // A training setting that differs only between tasks is not a variant.
  const perTask = [makeRun({ method: 'lora', task: 'glue-sst2', lr: 1e-3 }), makeRun({ method: 'lora', task: 'glue-rte', lr: 3e-3 })];
  assert.deepEqual(buildModel(input(perTask), catalog).rows.map((r) => r.id), ['lora']);
  // ... but one that differs inside a cell is.
  const sweep = [makeRun({ method: 'lora', task: 'glue-sst2', lr: 1e-3 }), makeRun({ method: 'lora', task: 'glue-sst2', lr: 3e-3 })];
  assert.deepEqual(buildModel(input(sweep), catalog).rows.map((r) => r.label), ['LoRA (lr=1e-3)', 'LoRA (lr=3e-3)']);
});

test('bad input: no runs is an input error; an unknown format names the valid ones', () => {
  assert.throws(() => buildModel(input([], 'empty-exp'), catalog), (e: Error) => e instanceof ReportInputError && e.name === 'InputError' && /experiment "empty-exp" has no runs/.test(e.message));
  assert.throws(() => parseFormats('md,pdf'), /unknown report format "pdf"; valid formats: md, csv, tex, json, html, png/);
  assert.deepEqual(parseFormats(' MD , html,md'), ['md', 'html']);
});
