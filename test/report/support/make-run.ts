// Builds RunResults of the real shape (as runOnce writes them) with chosen numbers, for table tests whose expected
// values are computed by hand from those numbers. Defaults mirror a mini GLUE run on text-mini.
import { RunSpecSchema, type RunResult, type RunStatus } from '../../../src/train/spec.js';
import { GLUE_TASKS } from '../../../src/registry/glue-tasks.js';
import type { ReportRun } from '../../../src/report/types.js';

export interface MakeRun {
  task?: string;
  method?: string;
  config?: Record<string, unknown>;
  backbone?: string;
  seed?: number;
  /** Test value of the headline metric (others derived from it). */
  value?: number;
  status?: RunStatus;
  peakBytes?: number;
  trainable?: number;
  backboneParams?: number;
  trainSeconds?: number;
  epochs?: number;
  lr?: number;
  runId?: string;
  commit?: string;
  /** Metric definitions for tasks outside the registry (headline first). */
  metricDefs?: { name: string; direction: 'max' | 'min' }[];
}

let counter = 0;

export function makeRun(o: MakeRun = {}): ReportRun {
  const task = o.task ?? 'glue-sst2';
  const def = GLUE_TASKS.find((t) => t.id === task);
  const metricDefs = o.metricDefs ?? (def ? def.metrics : [{ name: 'accuracy', direction: 'max' as const }]);
  const seed = o.seed ?? 0;
  const method = o.method ?? 'lora';
  const status = o.status ?? 'succeeded';
  const value = o.value ?? 80;
  const nEpochs = o.epochs ?? 3;
  const spec = RunSpecSchema.parse({
    task, backbone: o.backbone ?? 'text-mini', method: { id: method, config: o.config ?? {} },
    train: { epochs: nEpochs, batchSize: 32, lr: o.lr ?? 1e-3, schedule: 'linear', warmupRatio: 0.06 },
    data: { source: 'mini' }, seed, backend: 'wasm',
  });
  const metrics = (v: number) => Object.fromEntries(metricDefs.map((m, i) => [m.name, v - i * 0.5]));
  const stepsPerEpoch = 8;
  const epochs = status === 'succeeded' ? Array.from({ length: nEpochs }, (_, e) => ({
    epoch: e, trainLoss: 0.7 / (e + 1) + 0.01 * seed, steps: stepsPerEpoch, validation: metrics(value - (nEpochs - 1 - e) * 2 + 0.3), seconds: 1.5,
  })) : [];
  const peak = o.peakBytes ?? 6 * 2 ** 20;
  const trainable = o.trainable ?? 20_000;
  const backboneParams = o.backboneParams ?? 250_000;
  const frozen = 4 * backboneParams;
  const trainableBytes = 4 * trainable;
  const optimizer = 2 * trainableBytes;
  const id = o.runId ?? `${(++counter).toString(16).padStart(4, '0')}${task.replace(/\W/g, '')}${method}${seed}`.slice(0, 16);
  const result: RunResult = {
    schema: 'unipt.run-result/v1',
    runId: id,
    spec,
    status,
    error: status === 'succeeded' ? null : { message: status === 'diverged' ? 'loss is NaN at step 5' : 'out of memory', step: 5 },
    metricDefs,
    epochs,
    stepLosses: epochs.flatMap((e) => Array.from({ length: stepsPerEpoch }, (_, i) => e.trainLoss + 0.02 * (stepsPerEpoch / 2 - i))),
    final: status === 'succeeded'
      ? { validation: metrics(value + 0.3), bestEpoch: nEpochs - 1, test: metrics(value) }
      : { validation: {}, bestEpoch: null, test: {} },
    params: { total: backboneParams + trainable, trainable, added: method === 'full' ? 130 : trainable, backbone: backboneParams, byModule: { backbone: { total: backboneParams, trainable: method === 'full' ? backboneParams : 0 }, head: { total: 130, trainable: 130 } } },
    memory: {
      protocol: 'mem-v1', tracker: 'wasm-malloc', peakBytes: peak, persistentBytes: frozen + trainableBytes + optimizer,
      breakdown: { frozenParams: frozen, trainableParams: trainableBytes, optimizerState: optimizer, extraCopies: 0, other: 0, transient: peak - frozen - trainableBytes - optimizer },
      steps: nEpochs * stepsPerEpoch, vmHWMBytes: 300 * 2 ** 20, wasmHeapBytes: 64 * 2 ** 20,
    },
    timings: { totalSeconds: (o.trainSeconds ?? 12) + 2, trainSeconds: o.trainSeconds ?? 12, evalSeconds: 2, msPerStep: 50, steps: nEpochs * stepsPerEpoch },
    env: {
      backend: { requested: 'wasm', name: 'wasm', tfjsBackend: 'wasm', fallbacks: [], versions: { 'tfjs-core': '4.22.0' }, wasm: { threads: 1, simd: true } } as RunResult['env']['backend'],
      versions: { method: `${method}@1`, task: `${task}@1`, memoryProtocol: 'mem-v1' },
      commit: o.commit ?? 'c8cb3121f00dfeedc0ffee000000000000000000',
      host: 'ci-host', platform: 'linux 6.1 x64',
      startedAt: `2025-01-0${1 + (seed % 9)}T10:00:00.000Z`, finishedAt: `2025-01-0${1 + (seed % 9)}T10:01:00.000Z`,
    },
  };
  return { runId: id, result };
}
