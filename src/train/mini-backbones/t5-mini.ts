// t5-mini: the project's own T5 (4 + 4 layers x 64), pretrained by span corruption on the procedural corpus and
// written in the Hugging Face layout with its tokenizer (see backbones/t5/pretrain.ts). Deterministic from its seed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pretrainT5Mini, T5_MINI_PRETRAIN, T5_MINI_PRETRAIN_VERSION } from '../../backbones/t5/pretrain.js';
import type { MiniRecipe } from './types.js';

export const T5_MINI: MiniRecipe = {
  id: 't5-mini',
  version: T5_MINI_PRETRAIN_VERSION,
  async build(dir, log) {
    const o = T5_MINI_PRETRAIN;
    log(`pretraining t5-mini: span corruption, ${o.steps} steps of ${o.batchSize} x ${o.rawLength} tokens, seed ${o.seed}`);
    const r = pretrainT5Mini(dir, {
      progressEvery: 100,
      onProgress: (p) => log(`  step ${p.step}/${p.steps}  loss ${p.loss.toFixed(3)}  (${p.stepsPerSecond.toFixed(1)} steps/s)`),
    });
    // pretraining.json is what every other mini folder carries; pretrain.json (written by pretrainT5Mini) stays too.
    writeFileSync(join(dir, 'pretraining.json'), `${JSON.stringify({
      backbone: 't5-mini', recipe: { version: T5_MINI_PRETRAIN_VERSION, ...o }, objective: 'span corruption (15% noise, mean span 3)',
      heldout: { accuracyBefore: r.initialHeldoutAccuracy, accuracyAfter: r.heldoutAccuracy, lossBefore: r.initialHeldoutLoss, lossAfter: r.heldoutLoss },
      seconds: r.seconds, stepsPerSecond: r.stepsPerSecond,
    }, null, 2)}\n`);
    log(`t5-mini: held-out span accuracy ${(100 * r.initialHeldoutAccuracy).toFixed(1)}% -> ${(100 * r.heldoutAccuracy).toFixed(1)}% in ${r.seconds.toFixed(0)} s`);
  },
};
