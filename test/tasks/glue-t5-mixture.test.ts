// t5-mini's supervised pretraining rows: the eight mini GLUE tasks' training sets at a seed of their own, in LST's
// text-to-text format, never one of the fine-tuning data's validation or test sources.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { GLUE_TASK_IDS, loadGlue, type GlueTaskId } from '../../src/tasks/glue/data/index.js';
import { GLUE_DATA_SEED } from '../../src/tasks/glue/family.js';
import { t5LabelStrings, t5Source } from '../../src/tasks/glue-t5/format.js';
import { glueMixture, T5_MIXTURE_DATA_SEED } from '../../src/tasks/glue-t5/pretraining-mixture.js';

before(async () => { await initBackend('wasm'); });

test('the mixture draws every task, valid targets, no evaluation source; refuses the fine-tuning seed', async () => {
  const m = await glueMixture();
  assert.deepEqual(Object.keys(m.tasks).sort(), [...GLUE_TASK_IDS].sort());
  const held = new Set<string>();
  const labels = new Set<string>();
  for (const task of GLUE_TASK_IDS as readonly GlueTaskId[]) {
    const d = await loadGlue(task, { source: 'mini' }, GLUE_DATA_SEED);
    for (const x of [...d.validation, ...d.test]) held.add(t5Source(task, x));
    if (task !== 'glue-stsb') for (const l of t5LabelStrings(task)) labels.add(l);
    assert.ok(m.tasks[task].kept > 100, `${task}: ${JSON.stringify(m.tasks[task])}`);
  }
  const rng = new Rng(1), prefixes = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const { source, target } = m.sample(rng);
    assert.ok(!held.has(source), `an evaluation source in the mixture: ${source}`);
    prefixes.add(source.split(' ')[0]);
    if (source.startsWith('stsb ')) assert.match(target, /^\d\.\d$/); else assert.ok(labels.has(target), target);
  }
  assert.equal(prefixes.size, 8);
  await assert.rejects(glueMixture(GLUE_DATA_SEED), /fine-tuning data seed/);
  assert.notEqual(T5_MIXTURE_DATA_SEED, GLUE_DATA_SEED);
});
