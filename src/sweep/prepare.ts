// The steps every sweep-like command shares: read and validate the experiment, expand it into a plan, make sure its
// mini backbones exist (pretrained once, here, before any worker starts) and give every run its identity.
// Everything up to the identities writes nothing to the store, so bad input leaves it untouched.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { currentCapabilityContext } from '../registry/implementation.js';
import { modelsDir } from '../train/backbone-dir.js';
import { ensureBackbone } from '../train/pretrain.js';
import type { PlannedRunInput } from '../store/types.js';
import { loadExperiment, type ExperimentDef, type TrainOverrides } from './experiment.js';
import { resolveExperimentFile } from './paths.js';
import { assignIdentities, buildPlan, planBackbones, type Plan, type PlanFilters } from './plan.js';
import type { SweepRun } from './scheduler.js';

export interface PrepareOptions {
  filters?: PlanFilters;
  train?: TrainOverrides;
  methodConfig?: Record<string, Record<string, unknown>>;
  /** Pretrain missing mini backbones (sweep) or leave ids unassigned for runs that need one (plan preview). */
  pretrain: boolean;
  log: (line: string) => void;
}

export interface PreparedPlan { exp: ExperimentDef; plan: Plan; missingBackbones: string[] }

export function backboneReady(id: string): boolean { return existsSync(join(modelsDir(), id, 'config.json')); }

export async function preparePlan(experiment: string, o: PrepareOptions): Promise<PreparedPlan> {
  const exp = loadExperiment(resolveExperimentFile(experiment));
  const plan = buildPlan(exp, { filters: o.filters, train: o.train, methodConfig: o.methodConfig, capability: currentCapabilityContext() });
  return finishPlan(exp, plan, o);
}

export async function finishPlan(exp: ExperimentDef, plan: Plan, o: Pick<PrepareOptions, 'pretrain' | 'log'>): Promise<PreparedPlan> {
  const missing = planBackbones(plan).filter((b) => !backboneReady(b));
  if (o.pretrain) {
    for (const b of missing) {
      o.log(`pretraining the mini backbone ${b} (once, before any run starts)...`);
      await ensureBackbone(b, o.log);
    }
    assignIdentities(plan);
    return { exp, plan, missingBackbones: [] };
  }
  if (!missing.length) assignIdentities(plan);
  return { exp, plan, missingBackbones: missing };
}

export function sweepRuns(plan: Plan): SweepRun[] {
  return plan.runs.filter((r) => r.id !== null).map((r) => ({ id: r.id!, run: r }));
}

export function plannedRows(plan: Plan): PlannedRunInput[] {
  return plan.runs.filter((r) => r.id !== null).flatMap((r) => r.cells.map((c) => ({
    id: r.id!, spec: r.spec, versions: { ...r.versions! }, experiment: plan.experiment.name, variant: c.variant, taskView: c.task,
  })));
}
