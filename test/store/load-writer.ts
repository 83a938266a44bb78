// A worker for the load test: opens the store and, for each of its runs, claims it, heartbeats, and records its
// result, like a sweep worker does. Exits 1 on any error (e.g. SQLITE_BUSY).
import { openStore } from '../../src/store/index.js';
import { resultFor, specFor } from './fixtures.js';

const [dbPath, who, count] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
try {
  const store = openStore(dbPath);
  for (let k = 0; k < count; k++) {
    const id = `${who.toString(16).padStart(4, '0')}${k.toString(16).padStart(12, '0')}`;
    store.planRuns([{ id, spec: specFor(who * 1000 + k), versions: { method: 'lora@1' }, experiment: 'load', variant: 'default', taskView: 'glue-sst2' }]);
    if (!store.claimRun(id, { ownerPid: process.pid, host: 'load', logPath: '/dev/null' }, () => false)) throw new Error(`could not claim ${id}`);
    for (let h = 0; h < 5; h++) store.heartbeat(id, { epoch: 0, step: h, totalSteps: 5, loss: 1 / (h + 1), lr: 1e-3 });
    store.recordResult(id, resultFor(id, who * 1000 + k));
  }
  store.close();
} catch (e) {
  process.stderr.write(`writer ${who}: ${(e as Error).stack}\n`);
  process.exit(1);
}
