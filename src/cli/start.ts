// `unipt start` (what `npm start` runs): the mini sweep over every task that exists here, then the report when the
// report command is installed, then where everything is.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Command } from 'commander';
import { resultsDirFor } from '../store/index.js';
import { experimentsDir } from '../sweep/paths.js';
import { addDbOption, cliArgv, dbPathOf } from './common.js';
import { sweepCommand } from './sweep.js';

export function registerStartCommand(program: Command): void {
  const cmd = program.command('start').description('run the mini sweep (experiments/mini.yaml) and the report, and say where the results are')
    .option('--concurrency <n>', 'runs at a time (default: the number of CPU cores)');
  addDbOption(cmd).action(async (o: { db?: string; concurrency?: string }) => {
    const dbPath = dbPathOf(o);
    const code = await sweepCommand(join(experimentsDir(), 'mini.yaml'), { db: o.db, concurrency: o.concurrency });
    const report = program.commands.find((c) => c.name() === 'report');
    let reportCode = 0;
    if (report) {
      const args = ['report', '--experiment', 'mini'];
      if (report.options.some((opt) => opt.long === '--db')) args.push('--db', dbPath);
      const [node, main] = cliArgv();
      reportCode = spawnSync(node, [main, ...args], { stdio: 'inherit' }).status ?? 1;
    }
    const dir = resultsDirFor(dbPath);
    process.stdout.write(`\nresults of the mini sweep:\n  store      ${dbPath} (\`unipt status mini\`)\n  run files  ${join(dir, 'runs')}/<id>.json\n  logs       ${join(dir, 'logs')}/<id>.log\n`);
    if (report) process.stdout.write(`  report     ${reportCode === 0 ? `${join(dir, 'report', 'mini')}/ (index.html, tables, charts)` : `the report failed (exit ${reportCode})`}\n`);
    else process.stdout.write('  report     (`unipt report` is not installed in this checkout yet)\n');
    process.exitCode = code || (reportCode ? 1 : 0);
  });
}
