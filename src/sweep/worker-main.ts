// Entry point of a sweep's worker process: `node worker-main.js <job.json>`. Loads only what one run needs (not
// the whole CLI). Exit code 0 when the run's outcome was recorded (whatever its status), 1 otherwise, 2 bad job.
import { isInputError } from '../util/errors.js';
import { runWorker } from './worker.js';

const job = process.argv[2];
if (!job) {
  process.stderr.write('usage: worker-main.js <job.json>\n');
  process.exit(2);
}
try {
  process.exitCode = await runWorker(job);
} catch (e) {
  process.stderr.write(`worker: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = isInputError(e) ? 2 : 1;
}
