// runOnce(spec) -> RunResult: one experiment end to end in this process. Input problems (bad spec, unknown ids,
// missing checkpoint or data) throw InputError-like errors before anything runs; problems during training end the
// run as failed / diverged / timed-out / cancelled with whatever was measured so far.
import { initBackend, type BackendInfo } from '../engine/backend.js';
import { Rng } from '../engine/rng.js';
import { installTracker } from '../engine/memory/tracker.js';
import { MemoryProbe, type MemoryReport } from '../engine/memory/probe.js';
import { getTask } from '../registry/index.js';
import { getFamily } from '../tasks/index.js';
import type { TaskRun } from '../tasks/types.js';
import { resolveBackbone } from './backbone-dir.js';
import { gitCommit, hostInfo } from './env.js';
import { RunSpecSchema, type EpochRecord, type ParamAccounting, type RunResult, type RunSpec, type RunStatus } from './spec.js';
import { train, DivergedError, TimeoutError, CancelledError, type StepInfo, type TrainOutcome } from './trainer.js';

export class SpecError extends Error {
  constructor(message: string) { super(message); this.name = 'SpecError'; }
}

/** Validates a RunSpec, turning zod issues into one message naming each bad key. */
export function parseRunSpec(input: unknown, where = 'RunSpec'): RunSpec {
  const r = RunSpecSchema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new SpecError(`invalid ${where}:\n  ${lines.join('\n  ')}`);
}

export interface RunOnceOptions {
  runId?: string | null;
  timeLimitSeconds?: number;
  signal?: AbortSignal;
  onStep?: (s: StepInfo) => void;
  onEpoch?: (e: EpochRecord) => void;
  log?: (line: string) => void;
}

/** Builds the task run (all input validation happens here, before any training). */
export async function prepareRun(spec: RunSpec): Promise<{ run: TaskRun; backend: BackendInfo; probe: MemoryProbe; rng: Rng }> {
  const task = getTask(spec.task);
  const family = getFamily(task.family);
  const backend = await initBackend(spec.backend);
  const tracker = installTracker();
  const backbone = resolveBackbone(spec.backbone);
  const rng = new Rng(spec.seed);
  const run = await family.build({ spec, backboneDir: backbone.dir, rng: rng.fork('build') });
  return { run, backend, probe: new MemoryProbe(tracker), rng };
}

export async function runOnce(specInput: unknown, o: RunOnceOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const spec = parseRunSpec(specInput);
  const { run, backend, probe, rng } = await prepareRun(spec);
  const log = o.log ?? (() => {});
  const record = { epochs: [] as EpochRecord[], stepLosses: [] as number[] };
  let status: RunStatus = 'succeeded';
  let error: RunResult['error'] = null;
  let outcome: TrainOutcome | null = null;
  let test: Record<string, number> = {};
  let memory: MemoryReport | null = null;
  let params: ParamAccounting | null = null;
  let evalSeconds = 0;
  try {
    params = run.model.accounting();
    log(`parameters: ${params.trainable.toLocaleString('en-US')} trainable of ${params.total.toLocaleString('en-US')}`);
    outcome = await train({
      spec, run, probe, rng: rng.fork('train'), record, startedAt: started,
      timeLimitSeconds: o.timeLimitSeconds, signal: o.signal, onStep: o.onStep, onEpoch: o.onEpoch,
    });
    const t0 = performance.now();
    test = await run.evaluate('test');
    evalSeconds = (performance.now() - t0) / 1000;
  } catch (e) {
    const err = e as Error;
    if (e instanceof DivergedError) { status = 'diverged'; error = { message: err.message, step: e.step }; }
    else if (e instanceof TimeoutError) { status = 'timed-out'; error = { message: err.message, step: e.step }; }
    else if (e instanceof CancelledError) { status = 'cancelled'; error = { message: err.message, step: e.step }; }
    else { status = 'failed'; error = { message: err.message, stack: err.stack }; }
  }
  if (probe.stepsMeasured > 0) {
    const all = run.model.allParams();
    const sum = (xs: typeof all) => xs.reduce((a, p) => a + p.bytes, 0);
    memory = probe.report({
      frozenParams: sum(all.filter((p) => !p.trainable)),
      trainableParams: sum(all.filter((p) => p.trainable)),
      optimizerState: outcome?.optimizer.stateBytes ?? 0,
    });
  }
  outcome?.optimizer.dispose();
  run.dispose();
  const finished = Date.now();
  return {
    schema: 'unipt.run-result/v1',
    runId: o.runId ?? null,
    spec,
    status,
    error,
    metricDefs: run.metricDefs,
    epochs: record.epochs,
    stepLosses: record.stepLosses,
    final: { validation: outcome?.bestValidation ?? {}, bestEpoch: outcome?.bestEpoch ?? null, test },
    params,
    memory,
    timings: {
      totalSeconds: (finished - started) / 1000,
      trainSeconds: outcome?.trainSeconds ?? 0,
      evalSeconds: (outcome?.evalSeconds ?? 0) + evalSeconds,
      msPerStep: outcome?.msPerStep ?? null,
      steps: record.stepLosses.length,
    },
    env: {
      backend,
      versions: { ...run.versions, memoryProtocol: spec.memoryProtocol, ...backend.versions },
      commit: gitCommit(),
      ...hostInfo(),
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
    },
  };
}
