// Storing what `unipt run` produced: the run's identity (computed before it starts), then its RunResult written
// atomically to results/runs/<id>.json and recorded in the store under the experiment "adhoc".
import { join } from 'node:path';
import { openStore, resultsDirFor } from '../store/index.js';
import { runIdentity, type RunIdentity } from '../sweep/identity.js';
import { ensureBackbone } from '../train/pretrain.js';
import type { RunResult, RunSpec } from '../train/spec.js';
import { writeFileAtomic } from '../util/fs.js';

export const ADHOC_EXPERIMENT = 'adhoc';

/** Pretrains the backbone if it is a missing mini one, then computes the run's identity (writes nothing else). */
export async function identityForRun(spec: RunSpec, log: (line: string) => void): Promise<RunIdentity> {
  await ensureBackbone(spec.backbone, log);
  return runIdentity(spec);
}

export function storeRunResult(identity: RunIdentity, result: RunResult, dbPath: string): { resultPath: string } {
  const resultPath = join(resultsDirFor(dbPath), 'runs', `${identity.id}.json`);
  writeFileAtomic(resultPath, `${JSON.stringify(result, null, 2)}\n`);
  const store = openStore(dbPath);
  try {
    store.recordResult(identity.id, result, { versions: { ...identity.versions }, resultPath, link: { experiment: ADHOC_EXPERIMENT, variant: 'default', task: result.spec.task } });
  } finally { store.close(); }
  return { resultPath };
}
