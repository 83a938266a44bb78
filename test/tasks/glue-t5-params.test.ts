// The methods on T5-base as a GLUE run attaches them, against the trainable-parameter counts computed from LST's
// configs (reference §4: T5-base 222,903,552; BitFit 282,496; Adapters 3,625,728; LoRA 3,821,440; Prompt 76,800;
// LST 3,878,712). Constant-initialised: counts do not depend on values.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { T5Model } from '../../src/backbones/t5/model.js';
import { t5PresetConfig } from '../../src/backbones/t5/config.js';
import { t5NeedsBiases } from '../../src/petl/hosts/t5.js';
import { attachT5Method } from '../../src/tasks/glue-t5/run.js';
import { T5Seq2SeqModel } from '../../src/tasks/glue-t5/model.js';

before(async () => { await initBackend('wasm'); });

const LST_COUNTS: [string, number][] = [['full', 222_903_552], ['adapter', 3_625_728], ['prompt', 76_800], ['lst', 3_878_712], ['bitfit', 282_496], ['lora', 3_821_440]];

test('trainable parameters on T5-base match the counts from LST\'s configs', () => {
  const cfg = t5PresetConfig('t5-base');
  for (const biases of [false, true]) {
    const model = new T5Model(cfg, 0, { init: 'constant', biases });
    if (!biases) assert.equal(model.parameters().reduce((a, p) => a + p.size, 0), 222_903_552);
    for (const [id, want] of LST_COUNTS) {
      if (t5NeedsBiases(id, {}) !== biases) continue;
      const runtime = attachT5Method(model, id, {}, new Rng(1));
      const m = new T5Seq2SeqModel(model, runtime);
      const acc = m.accounting();
      assert.equal(acc.trainable, want, `${id}: ${acc.trainable} trainable (by module ${JSON.stringify(acc.byModule)})`);
      // undo the method before the next one: hooks removed, flags restored, added modules disposed
      if (runtime.mode === 'through-backbone') { runtime.detach(); for (const mod of Object.values(runtime.modules)) mod.dispose(); }
      else runtime.side.module.dispose();
      model.setTrainable(false);
    }
    model.dispose();
  }
});

