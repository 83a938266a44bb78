// `unipt start` (what `npm start` runs): the mini sweep over every task that exists here, then the report of that
// experiment (tables, charts, HTML), then where everything is. Another experiment, and the sweep's selection options,
// can be given (e.g. a quick look: `unipt start --tasks glue-rte,glue-sst2 --methods bitfit,lora --set train.epochs=1`).
import { spawnSync } from 'node:child_process';
import { join, relative, isAbsolute } from 'node:path';
import type { Command } from 'commander';
import { resultsDirFor } from '../store/index.js';
import { experimentName } from '../sweep/experiment.js';
import { resolveExperimentFile } from '../sweep/paths.js';
import { addDbOption, cliArgv, dbPathOf } from './common.js';
import { addSelectionOptions, sweepCommand, type SweepCliOptions } from './sweep.js';

function shown(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
}

export function registerStartCommand(program: Command): void {
  const cmd = program.command('start [experiment]')
    .description('run the mini sweep (experiments/mini.yaml, or the experiment given) and write its report; say where the results are');
  addSelectionOptions(cmd).option('--concurrency <n>', 'runs at a time (default: the number of CPU cores)');
  addDbOption(cmd).action(async (experiment: string | undefined, o: SweepCliOptions) => {
    const dbPath = dbPathOf(o);
    const file = resolveExperimentFile(experiment ?? 'mini');
    const name = experimentName(file);
    const code = await sweepCommand(file, o);
    // The report in its own process: a fresh heap after the sweep, and the same code path as `unipt report`.
    const out = join(resultsDirFor(dbPath), 'report');
    const [node, main] = cliArgv();
    process.stdout.write(`\nreport of ${name}:\n`);
    const reportCode = spawnSync(node, [main, 'report', '--experiment', name, '--db', dbPath, '--out', out], { stdio: 'inherit' }).status ?? 1;
    const dir = resultsDirFor(dbPath);
    process.stdout.write(`\nresults of ${name}:\n`
      + `  store      ${shown(dbPath)} (\`unipt status ${name}\`)\n`
      + `  run files  ${shown(join(dir, 'runs'))}/<id>.json\n`
      + `  logs       ${shown(join(dir, 'logs'))}/<id>.log\n`
      + `  report     ${reportCode === 0 ? `${shown(join(out, name))}/ (report.html, tables.md, table.csv, table.tex, table.json, charts/*.png)` : `not written (unipt report exited ${reportCode})`}\n`);
    process.exitCode = code || (reportCode ? 1 : 0);
  });
}
