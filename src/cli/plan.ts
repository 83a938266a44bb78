// `unipt plan <experiment>`: what a sweep would do, without doing it: each cell with its state (to run, done,
// failed and kept, running elsewhere, not yet implemented, not applicable). Writes nothing, pretrains nothing.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { openStore } from '../store/index.js';
import { preparePlan } from '../sweep/prepare.js';
import { selectRuns } from '../sweep/scheduler.js';
import { addDbOption, dbPathOf, positiveInt, printJson, table } from './common.js';
import { addSelectionOptions, filtersOf, type SweepCliOptions } from './sweep.js';
import { parseSweepSets } from './sweep-args.js';

export async function planCommand(experiment: string, o: SweepCliOptions & { json?: boolean }): Promise<number> {
  const dbPath = dbPathOf(o);
  const sets = parseSweepSets(o.set ?? []);
  const maxRuns = positiveInt('--max-runs', o.maxRuns);
  const { plan, missingBackbones } = await preparePlan(experiment, { filters: filtersOf(o), train: sets.train, methodConfig: sets.methodConfig, pretrain: false, log: () => {} });
  const store = existsSync(dbPath) ? openStore(dbPath, { readonly: true }) : null;
  try {
    const runs = plan.runs.filter((r) => r.id).map((r) => ({ id: r.id!, run: r }));
    const sel = selectRuns(store, runs, { force: o.force, onlyFailed: o.onlyFailed, maxRuns, dryRun: true });
    const cells = plan.cells.map((c) => {
      const run = c.run === null ? null : plan.runs[c.run];
      const d = run?.id ? sel.decisions.get(run.id) : undefined;
      const state = c.capability !== 'supported' ? c.capability : !run?.id ? `to run (after pretraining ${run?.spec.backbone})` : d?.action ?? 'to run';
      return { task: c.task, method: c.method, variant: c.variant, seed: c.seed, backbone: c.backbone, state, storedStatus: d?.status ?? null, runId: run?.id ?? null, reason: c.reason };
    });
    const counts: Record<string, number> = {};
    for (const c of cells) counts[c.state] = (counts[c.state] ?? 0) + 1;
    if (o.json) {
      printJson({ experiment: plan.experiment, store: store ? dbPath : null, missingBackbones, counts, cells, runs: plan.runs.map((r) => ({ id: r.id, label: r.label, spec: r.spec, versions: r.versions, cells: r.cells })) });
      return 0;
    }
    process.stdout.write(`experiment ${plan.experiment.name}: ${plan.experiment.description ?? ''}\n`);
    process.stdout.write(`${plan.cells.length} cell(s), ${plan.runs.length} distinct run(s); store ${store ? dbPath : `${dbPath} (does not exist yet)`}\n`);
    if (missingBackbones.length) process.stdout.write(`mini backbones to pretrain first: ${missingBackbones.join(', ')} (run ids are known after that)\n`);
    process.stdout.write(`${table(['task', 'method', 'variant', 'seed', 'backbone', 'state', 'run'], cells.map((c) => [c.task, c.method, c.variant, c.seed, c.backbone, c.state, c.runId]))}\n`);
    process.stdout.write(`\n${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}\n`);
    const reasons = new Map<string, string>();
    for (const c of cells) if (c.reason) reasons.set(`${c.state} ${c.task}/${c.method}`, c.reason);
    if (reasons.size) {
      process.stdout.write('\nwhy some cells do not run:\n');
      const seen = new Set<string>();
      for (const [k, r] of reasons) { const line = `  ${k.split(' ')[0]}: ${r}`; if (!seen.has(line)) { seen.add(line); process.stdout.write(`${line}\n`); } }
    }
    return 0;
  } finally {
    store?.close();
  }
}

export function registerPlanCommand(program: Command): void {
  const cmd = program.command('plan <experiment>').description('show what `unipt sweep <experiment>` would run and what is already done (writes nothing)');
  addSelectionOptions(cmd).option('--json', 'print the plan as JSON');
  addDbOption(cmd).action(async (experiment: string, o: SweepCliOptions & { json?: boolean }) => {
    process.exitCode = await planCommand(experiment, o);
  });
}
