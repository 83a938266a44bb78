// The generic training loop: for each step, frozen-only work outside the tape (in a tidy), the loss and its
// gradients inside the tape, one optimizer update; every step is a mem-v1 window. Validation after each epoch;
// the best epoch's trainable weights are restored before the test evaluation (as Hugging Face's
// load_best_model_at_end, which LST uses). Snapshots live in plain JS arrays so they never count as tensor memory.
import { tf, type Tensor } from '../engine/tf.js';
import type { Rng } from '../engine/rng.js';
import type { MemoryProbe } from '../engine/memory/probe.js';
import type { ForwardCtx } from '../nn/module.js';
import type { Param } from '../nn/param.js';
import type { Batch, TaskRun } from '../tasks/types.js';
import { AdamW } from './optim.js';
import { lrAt } from './schedule.js';
import type { EpochRecord, RunSpec } from './spec.js';

export class DivergedError extends Error {
  constructor(readonly step: number, readonly loss: number) { super(`loss became ${loss} at step ${step}`); this.name = 'DivergedError'; }
}
export class TimeoutError extends Error {
  constructor(readonly step: number, limitSeconds: number) { super(`time limit of ${limitSeconds} s exceeded at step ${step}`); this.name = 'TimeoutError'; }
}
export class CancelledError extends Error {
  constructor(readonly step: number) { super(`cancelled at step ${step}`); this.name = 'CancelledError'; }
}

export interface StepInfo { epoch: number; step: number; totalSteps: number; loss: number; lr: number }

export interface TrainOptions<B extends Batch> {
  spec: RunSpec;
  run: TaskRun<B>;
  probe: MemoryProbe;
  rng: Rng;
  onStep?: (s: StepInfo) => void;
  onEpoch?: (e: EpochRecord) => void;
  /** Wall-clock limit for the whole run (seconds, measured from `startedAt`). */
  timeLimitSeconds?: number;
  startedAt?: number;
  /** Checked between steps; when aborted the run ends `cancelled`. */
  signal?: AbortSignal;
  /** Restore the best validation epoch before testing (default true). */
  selectBest?: boolean;
  /** Filled as training goes, so a run that fails midway still reports what it did. */
  record?: { epochs: EpochRecord[]; stepLosses: number[] };
}

export interface TrainOutcome {
  epochs: EpochRecord[];
  stepLosses: number[];
  bestEpoch: number | null;
  bestValidation: Record<string, number>;
  steps: number;
  msPerStep: number | null;
  trainSeconds: number;
  evalSeconds: number;
  optimizer: AdamW;
}

function snapshot(params: Param[]): Float32Array[] { return params.map((p) => p.value.dataSync() as Float32Array).map((a) => a.slice()); }
function restore(params: Param[], snap: Float32Array[]): void {
  params.forEach((p, i) => tf.tidy(() => p.variable.assign(tf.tensor(snap[i], p.shape))));
}

export async function train<B extends Batch>(o: TrainOptions<B>): Promise<TrainOutcome> {
  const { spec, run, probe } = o;
  const cfg = spec.train;
  const groups = run.model.paramGroups();
  const trainable = groups.flatMap((g) => g.params);
  if (!trainable.length) throw new Error('the model has no trainable parameters');
  const opt = new AdamW(groups, { lr: cfg.lr, weightDecay: cfg.weightDecay, clipNorm: cfg.clipNorm });
  const totalSteps = cfg.maxSteps ? Math.min(cfg.maxSteps, cfg.epochs * run.stepsPerEpoch) : cfg.epochs * run.stepsPerEpoch;
  const headline = run.metricDefs[0];
  const better = (a: number, b: number) => (headline.direction === 'max' ? a > b : a < b);
  const ctx: ForwardCtx = { training: true, rng: o.rng.fork('dropout') };
  const dataRng = o.rng.fork('batches');
  const started = o.startedAt ?? Date.now();
  const epochs: EpochRecord[] = o.record?.epochs ?? [];
  const stepLosses: number[] = o.record?.stepLosses ?? [];
  let best: { epoch: number; value: number; validation: Record<string, number>; weights: Float32Array[] } | null = null;
  let step = 0, trainMs = 0, evalMs = 0, stepMsSum = 0, timedSteps = 0;

  outer: for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    const t0 = performance.now();
    let lossSum = 0, n = 0;
    for (const batch of run.trainBatches(epoch, dataRng)) {
      if (step >= totalSteps) { run.disposeBatch(batch); break outer; }
      if (o.signal?.aborted) { run.disposeBatch(batch); throw new CancelledError(step); }
      if (o.timeLimitSeconds && (Date.now() - started) / 1000 > o.timeLimitSeconds) { run.disposeBatch(batch); throw new TimeoutError(step, o.timeLimitSeconds); }
      opt.lr = lrAt(cfg, step, totalSteps, run.stepsPerEpoch);
      const s0 = performance.now();
      const loss = probe.step(() => {
        const prepared: Tensor[] = tf.tidy(() => run.model.prepare(batch, ctx));
        try {
          const { value, grads } = tf.variableGrads(() => run.model.loss(batch, prepared, ctx) as tf.Scalar, trainable.map((p) => p.variable));
          const v = value.dataSync()[0];
          if (!Number.isFinite(v)) { tf.dispose([value, ...Object.values(grads)]); throw new DivergedError(step, v); }
          opt.apply(grads);
          tf.dispose([value, ...Object.values(grads)]);
          return v;
        } finally {
          tf.dispose(prepared);
        }
      });
      run.disposeBatch(batch);
      const ms = performance.now() - s0;
      if (step > 0) { stepMsSum += ms; timedSteps++; }   // the first step includes one-time kernel set-up
      stepLosses.push(loss);
      lossSum += loss; n++; step++;
      o.onStep?.({ epoch, step, totalSteps, loss, lr: opt.lr });
    }
    trainMs += performance.now() - t0;
    const e0 = performance.now();
    const validation = await run.evaluate('validation');
    evalMs += performance.now() - e0;
    const rec: EpochRecord = { epoch, trainLoss: n ? lossSum / n : NaN, steps: n, validation, seconds: (performance.now() - t0) / 1000 };
    epochs.push(rec);
    o.onEpoch?.(rec);
    const v = validation[headline.name];
    if (v === undefined) throw new Error(`evaluate() did not return the headline metric "${headline.name}"`);
    if (o.selectBest !== false && (!best || better(v, best.value))) {
      best = { epoch, value: v, validation, weights: epochs.length < cfg.epochs && step < totalSteps ? snapshot(trainable) : [] };
    }
    if (step >= totalSteps) break;
  }
  // restore the best epoch's weights unless it was the last one (whose weights are current)
  const last = epochs[epochs.length - 1];
  if (best && last && best.epoch !== last.epoch && best.weights.length) restore(trainable, best.weights);
  return {
    epochs, stepLosses, steps: step, optimizer: opt,
    bestEpoch: best?.epoch ?? (last ? last.epoch : null),
    bestValidation: best?.validation ?? last?.validation ?? {},
    msPerStep: timedSteps ? stepMsSum / timedSteps : null,
    trainSeconds: trainMs / 1000, evalSeconds: evalMs / 1000,
  };
}
