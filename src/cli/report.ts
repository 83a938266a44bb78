// `unipt report`: tables, charts and the HTML report of one experiment (or of every experiment) in the store.
import type { Command } from 'commander';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { defaultDbPath, resultsDirFor } from '../store/index.js';
import { catalogFromRegistry } from '../report/catalog.js';
import { ReportInputError } from '../report/model.js';
import { readStoreInputs } from '../report/store-input.js';
import { parseFormats, REPORT_FORMATS, writeReport } from '../report/write.js';

export interface ReportCliOptions { experiment?: string; format: string; out?: string; db?: string; split: string }

export interface ReportSummary { experiment: string; dir: string | null; files: string[]; runs: number; pending: number }

/** Writes the reports; throws input errors (exit 2) before anything is written. */
export async function runReport(o: ReportCliOptions): Promise<ReportSummary[]> {
  const formats = parseFormats(o.format);
  if (o.split !== 'test' && o.split !== 'validation') throw new ReportInputError(`--split must be "test" or "validation", got "${o.split}"`);
  const db = resolve(o.db ?? defaultDbPath());
  const out = resolve(o.out ?? join(resultsDirFor(db), 'report'));
  const inputs = readStoreInputs(db, o.experiment);
  const catalog = catalogFromRegistry();
  if (!inputs.some((i) => i.runs.length)) throw new ReportInputError(`no experiment in ${db} has finished runs yet; nothing to report`);
  const done: ReportSummary[] = [];
  for (const input of inputs) {
    if (!input.runs.length) { done.push({ experiment: input.experiment, dir: null, files: [], runs: 0, pending: input.pending }); continue; }
    const w = await writeReport(input, catalog, { formats, outDir: out, split: o.split });
    done.push({ experiment: w.experiment, dir: w.dir, files: w.files, runs: input.runs.length, pending: input.pending });
  }
  return done;
}

/** A path relative to the working directory when it lies inside it, else absolute. */
function shown(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
}

export function registerReportCommand(program: Command): void {
  program.command('report')
    .description('write result tables (Markdown, CSV, LaTeX, JSON), PNG charts and a self-contained HTML report from the results store')
    .option('--experiment <name>', 'the experiment to report (default: every experiment in the store)')
    .option('--format <list>', `comma-separated formats: ${REPORT_FORMATS.join(',')}`, REPORT_FORMATS.join(','))
    .option('--out <dir>', 'reports folder; each experiment gets a subfolder (default: report/ next to the store, i.e. results/report)')
    .option('--db <file>', 'the results store (default: results/unipt.sqlite, or UNIPT_DB)')
    .option('--split <split>', 'which final metrics the tables show: test or validation', 'test')
    .action(async (o: ReportCliOptions) => {
      for (const r of await runReport(o)) {
        if (!r.dir) { console.log(`${r.experiment}: no finished runs yet (${r.pending} planned or running), skipped`); continue; }
        const rel = shown(r.dir);
        console.log(`${r.experiment}: ${r.runs} run(s)${r.pending ? `, ${r.pending} still planned or running (not included)` : ''} -> ${rel} (${r.files.length} files)`);
        const html = r.files.find((f) => f.endsWith('report.html'));
        if (html) console.log(`  open ${shown(html)}`);
      }
    });
}
