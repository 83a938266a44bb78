// `unipt rerun <run-id>`: runs one stored run again (same spec, a fresh worker), replacing its record. If the code's
// versions changed since (method, task, data, checkpoint), the spec now has a new identity and is stored as a new run
// linked to the same experiment cells.
import type { Command } from 'commander';
import { openStore } from '../store/index.js';
import { runIdentity } from '../sweep/identity.js';
import type { PlannedRun } from '../sweep/plan.js';
import { ensureBackbone } from '../train/pretrain.js';
import { InputError } from '../util/errors.js';
import { addDbOption, dbPathOf, positiveNumber } from './common.js';
import { executeRuns, exitCodeOf, printSummary } from './sweep.js';

export async function rerunCommand(runId: string, o: { db?: string; timeLimit?: string }): Promise<number> {
  const dbPath = dbPathOf(o);
  const timeLimit = positiveNumber('--time-limit', o.timeLimit);
  const store = openStore(dbPath, { create: false });
  try {
    const row = store.getRun(runId, false);
    if (!row) throw new InputError(`no run "${runId}" in ${dbPath}; \`unipt status <experiment>\` lists run ids`);
    await ensureBackbone(row.spec.backbone, (l) => process.stderr.write(`${l}\n`));
    const identity = runIdentity(row.spec);
    const links = row.links.length ? row.links : [{ experiment: row.experiment ?? 'adhoc', variant: 'default', task: row.task }];
    if (identity.id !== row.id) {
      const changed = Object.entries(identity.versions).filter(([k, v]) => row.versions[k] !== v).map(([k, v]) => `${k} ${row.versions[k] ?? '?'} -> ${v}`);
      process.stderr.write(`the versions of run ${row.id} changed since it ran (${changed.join(', ') || 'spec canonical form'}): the rerun is the new run ${identity.id}\n`);
    }
    store.planRuns(links.map((l) => ({ id: identity.id, spec: row.spec, versions: { ...identity.versions }, experiment: l.experiment, variant: l.variant, taskView: l.task })));
    const planned: PlannedRun = { spec: row.spec, id: identity.id, versions: identity.versions, cells: links.map((l) => ({ variant: l.variant, task: l.task })), label: `${row.task}/${row.method} seed ${row.seed}` };
    const summary = await executeRuns(store, [{ id: identity.id, run: planned }], { dbPath, concurrency: 1, force: true, timeLimitSeconds: timeLimit ?? null });
    printSummary(summary, dbPath);
    return exitCodeOf(summary);
  } finally {
    store.close();
  }
}

export function registerRerunCommand(program: Command): void {
  const cmd = program.command('rerun <run-id>').description('run one stored run again (by id or unambiguous id prefix), replacing its record')
    .option('--time-limit <seconds>', 'end the run timed-out after this many seconds');
  addDbOption(cmd).action(async (runId: string, o: { db?: string; timeLimit?: string }) => { process.exitCode = await rerunCommand(runId, o); });
}
