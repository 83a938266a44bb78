// Hand-built RunResults for store tests: every field filled with values whose sums and counts the tests know.
import type { RunResult, RunSpec, RunStatus } from '../../src/train/spec.js';

export function specFor(i: number, over: Partial<RunSpec> = {}): RunSpec {
  return {
    task: 'glue-sst2', backbone: 'text-mini', method: { id: 'lora', config: { r: 8 } },
    train: { epochs: 2, batchSize: 8, lr: 1e-3, schedule: 'linear', warmupRatio: 0, weightDecay: 0, clipNorm: 0, maxSteps: null, maxTrainExamples: null },
    data: { source: 'mini' }, seed: i, backend: 'auto', memoryProtocol: 'mem-v1', ...over,
  };
}

export function resultFor(runId: string, i: number, status: RunStatus = 'succeeded', over: Partial<RunResult> = {}): RunResult {
  return {
    schema: 'unipt.run-result/v1', runId, spec: specFor(i), status,
    error: status === 'succeeded' ? null : { message: `${status} at step 3`, step: 3 },
    metricDefs: [{ name: 'accuracy', direction: 'max' }],
    epochs: [
      { epoch: 0, trainLoss: 0.7, steps: 5, validation: { accuracy: 60 + i }, seconds: 1.5 },
      { epoch: 1, trainLoss: 0.5, steps: 5, validation: { accuracy: 70 + i }, seconds: 1.25 },
    ],
    stepLosses: [0.8, 0.75, 0.7, 0.65, 0.6, 0.55, 0.5, 0.5, 0.45, 0.45],
    final: { validation: { accuracy: 70 + i }, bestEpoch: 1, test: { accuracy: 68 + i } },
    params: { total: 1000, trainable: 100, added: 120, backbone: 880, byModule: { backbone: { total: 880, trainable: 0 }, lora: { total: 100, trainable: 100 }, head: { total: 20, trainable: 0 } } },
    memory: {
      protocol: 'mem-v1', tracker: 'wasm-malloc', peakBytes: 4096 * (i + 1), persistentBytes: 3000,
      breakdown: { frozenParams: 1000, trainableParams: 500, optimizerState: 1000, extraCopies: 0, other: 500, transient: 4096 * (i + 1) - 3000 },
      steps: 10, vmHWMBytes: 1 << 27, wasmHeapBytes: 1 << 24,
    },
    timings: { totalSeconds: 4, trainSeconds: 2.75, evalSeconds: 1, msPerStep: 250, steps: 10 },
    env: { backend: null, versions: { task: 'glue-sst2@1' }, commit: 'abc', host: 'h', platform: 'linux', startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:04.000Z' },
    ...over,
  };
}
