// The `unipt` command line. Exit codes: 0 ok, 1 some runs failed, 2 bad input (nothing written).
import { Command, CommanderError } from 'commander';
import { isInputError } from '../util/errors.js';
import { registerRunCommand } from './run.js';
import { registerPretrainCommand } from './pretrain.js';
import { registerListCommand } from './list.js';
import { registerPlanCommand } from './plan.js';
import { registerSweepCommand } from './sweep.js';
import { registerRerunCommand } from './rerun.js';
import { registerStatusCommand } from './status.js';
import { registerDoctorCommand } from './doctor.js';
import { registerStartCommand } from './start.js';
import { registerIngestCommand } from './ingest.js';
import { registerWorkerCommand } from './worker.js';

const program = new Command();
program.name('unipt')
  .description('Reproduce and extend UniPT (Universal Parallel Tuning, CVPR 2024) and the memory-efficient transfer-learning methods it is compared with')
  .showHelpAfterError()
  .exitOverride();

registerRunCommand(program);
registerPretrainCommand(program);
registerListCommand(program);
registerPlanCommand(program);
registerSweepCommand(program);
registerRerunCommand(program);
registerStatusCommand(program);
registerDoctorCommand(program);
registerStartCommand(program);
registerIngestCommand(program);
registerWorkerCommand(program);

// `unipt report` lives in its own room and may not exist in every checkout: registered when present.
const reportModule = './report.js';
try {
  const m = (await import(reportModule)) as { registerReportCommand?: (p: Command) => void };
  m.registerReportCommand?.(program);
} catch (e) {
  if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String((e as Error).message).includes('report.js')) throw e;
}

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
