// Experiment files -> plans -> identities -> the local executor.
export { loadExperiment, ExperimentSchema, TrainOverridesSchema, type ExperimentDef, type VariantDef } from './experiment.js';
export { buildPlan, assignIdentities, planBackbones, type Plan, type PlanCell, type PlannedRun, type PlanFilters } from './plan.js';
export { runIdentity, identityVersions, identitySpec, hashIdentity, RUN_ID_LENGTH, type RunIdentity, type IdentityVersions } from './identity.js';
export { canonicalJson } from './canonical.js';
export { checkpointHash } from './checkpoint-hash.js';
export { startSweep, selectRuns, FAILURE_STATUSES, type SweepOptions, type SweepEvent, type SweepSummary, type SweepHandle, type SweepRun } from './scheduler.js';
export { preparePlan, finishPlan, sweepRuns, plannedRows, backboneReady } from './prepare.js';
export { runWorker, type WorkerJob } from './worker.js';
export { dataRoot, experimentsDir, resolveExperimentFile } from './paths.js';
