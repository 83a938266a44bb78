// The `unipt` command line. Exit codes: 0 ok, 1 some runs failed, 2 bad input (nothing written).
import { Command, CommanderError } from 'commander';
import { isInputError } from '../util/errors.js';

// Each command's module is loaded only when that command runs (most of them pull in the tensor engine, which costs
// most of a second of start-up): `unipt status` or `unipt report` stay quick. Help and unknown commands load all.
type Register = (p: Command) => void;
const COMMANDS: Record<string, () => Promise<Register[]>> = {
  run: async () => [(await import('./run.js')).registerRunCommand],
  pretrain: async () => [(await import('./pretrain.js')).registerPretrainCommand],
  list: async () => [(await import('./list.js')).registerListCommand],
  plan: async () => [(await import('./plan.js')).registerPlanCommand],
  sweep: async () => [(await import('./sweep.js')).registerSweepCommand],
  rerun: async () => [(await import('./rerun.js')).registerRerunCommand],
  status: async () => [(await import('./status.js')).registerStatusCommand],
  doctor: async () => [(await import('./doctor.js')).registerDoctorCommand],
  // start runs the report after the sweep, so it needs the report command registered too
  start: async () => [(await import('./start.js')).registerStartCommand, (await import('./report.js')).registerReportCommand],
  ingest: async () => [(await import('./ingest.js')).registerIngestCommand],
  report: async () => [(await import('./report.js')).registerReportCommand],
  worker: async () => [(await import('./worker.js')).registerWorkerCommand],
};

const program = new Command();
program.name('unipt')
  .description('Reproduce and extend UniPT (Universal Parallel Tuning, CVPR 2024) and the memory-efficient transfer-learning methods it is compared with')
  .showHelpAfterError()
  .exitOverride();

const sub = process.argv[2];
const load = sub !== undefined && Object.hasOwn(COMMANDS, sub) ? [COMMANDS[sub]] : Object.values(COMMANDS);
const registered = new Set<Register>();
for (const l of load) for (const r of await l()) if (!registered.has(r)) { registered.add(r); r(program); }

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exit(e.exitCode === 0 ? 0 : 2);
  }
  if (isInputError(e)) {
    process.stderr.write(`unipt: ${e.message}\n`);
    process.exit(2);
  }
  const err = e as Error;
  process.stderr.write(`unipt: ${err.stack ?? err.message}\n`);
  process.exit(1);
}
