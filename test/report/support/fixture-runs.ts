// A small GLUE experiment for chart and HTML tests: seven methods on two mini tasks with two seeds, plus a UniPT
// downsample-factor ablation. Real RunResults recorded by `unipt run` (test/fixtures/report/runs/*.json) are used
// when present; the generated ones have the same shape.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../../../src/train/spec.js';
import type { ReportRun } from '../../../src/report/types.js';
import { makeRun } from './make-run.js';

const REAL_DIR = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'report', 'runs');

export function realFixtureRuns(): ReportRun[] {
  if (!existsSync(REAL_DIR)) return [];
  return readdirSync(REAL_DIR).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const result = JSON.parse(readFileSync(join(REAL_DIR, f), 'utf8')) as RunResult;
    return { runId: result.runId ?? f.replace(/\.json$/, ''), result };
  });
}

/** Method -> [headline value, peak MiB, trainable params, train seconds], shaped like the mini sweep's numbers. */
const METHODS: Record<string, [number, number, number, number]> = {
  full: [84, 40, 250_000, 30], adapter: [83, 22, 9_000, 20], lora: [82.5, 21, 6_000, 19], bitfit: [80, 18, 1_500, 15],
  prompt: [70, 19, 800, 16], lst: [81, 9, 12_000, 9], unipt: [82, 8, 15_000, 8],
};

export function fixtureRuns(): ReportRun[] {
  const real = realFixtureRuns();
  if (real.length) return real;
  const runs: ReportRun[] = [];
  const tasks = ['glue-sst2', 'glue-rte'];
  for (const [m, [v, mib, tr, t]] of Object.entries(METHODS)) {
    for (const [ti, task] of tasks.entries()) {
      for (const seed of [0, 1]) {
        runs.push(makeRun({ task, method: m, seed, value: v - 8 * ti + 0.6 * seed, peakBytes: mib * 2 ** 20 * (1 + 0.1 * ti), trainable: tr, trainSeconds: t, config: m === 'unipt' ? { downsample: 2 } : {} }));
      }
    }
  }
  for (const D of [1, 4, 8]) {
    for (const task of tasks) runs.push({ ...makeRun({ task, method: 'unipt', config: { downsample: D }, value: 82.5 - 0.6 * Math.log2(D), peakBytes: (6 + 8 / D) * 2 ** 20, trainable: 30_000 / D, trainSeconds: 8 }), variant: `D${D}` });
  }
  return runs;
}
