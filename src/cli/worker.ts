// `unipt worker <job.json>`: one run, started by a sweep (see src/sweep/worker.ts). Not meant to be typed by hand.
import type { Command } from 'commander';
import { runWorker } from '../sweep/worker.js';

export function registerWorkerCommand(program: Command): void {
  program.command('worker <job>', { hidden: true })
    .description('run one job file written by a sweep (internal)')
    .action(async (job: string) => {
      process.exitCode = await runWorker(job);
    });
}
