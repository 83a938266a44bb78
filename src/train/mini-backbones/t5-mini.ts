// t5-mini: the project's own T5 (4 + 4 layers x 64), pretrained by span corruption on the procedural corpus mixed
// with supervised text-to-text rows from the mini GLUE training sets (as T5 v1.0's multi-task pretraining; see
// tasks/glue-t5/pretraining-mixture.ts), written in the Hugging Face layout with its tokenizer (see
// backbones/t5/pretrain.ts). Deterministic from its seed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pretrainT5Mini, T5_MINI_PRETRAIN, T5_MINI_PRETRAIN_VERSION, T5_MINI_OBJECTIVE } from '../../backbones/t5/pretrain.js';
import { glueMixture, T5_MIXTURE_DATA_SEED } from '../../tasks/glue-t5/pretraining-mixture.js';
import type { MiniRecipe } from './types.js';

export const T5_MINI: MiniRecipe = {
  id: 't5-mini',
  version: T5_MINI_PRETRAIN_VERSION,
  async build(dir, log) {
    const o = T5_MINI_PRETRAIN;
    const mixture = await glueMixture();
    log(`pretraining t5-mini: span corruption + ${100 * o.supervisedShare}% mini GLUE training rows (data seed ${T5_MIXTURE_DATA_SEED}), ${o.steps} steps of ${o.batchSize} x ${o.rawLength} tokens, seed ${o.seed}`);
    const r = pretrainT5Mini(dir, {
      supervised: { sample: mixture.sample, maxSourceLength: mixture.maxSourceLength },
      progressEvery: 100,
      onProgress: (p) => log(`  step ${p.step}/${p.steps}  loss ${p.loss.toFixed(3)}  (${p.stepsPerSecond.toFixed(1)} steps/s)`),
    });
    // pretraining.json is what every other mini folder carries; pretrain.json (written by pretrainT5Mini) stays too.
    writeFileSync(join(dir, 'pretraining.json'), `${JSON.stringify({
      backbone: 't5-mini', recipe: { version: T5_MINI_PRETRAIN_VERSION, ...o }, objective: T5_MINI_OBJECTIVE,
      mixture: { dataSeed: T5_MIXTURE_DATA_SEED, tasks: mixture.tasks },
      heldout: { accuracyBefore: r.initialHeldoutAccuracy, accuracyAfter: r.heldoutAccuracy, lossBefore: r.initialHeldoutLoss, lossAfter: r.heldoutLoss },
      heldoutSupervised: r.heldoutSupervised,
      seconds: r.seconds, stepsPerSecond: r.stepsPerSecond,
    }, null, 2)}\n`);
    const sup = r.heldoutSupervised;
    log(`t5-mini: held-out span accuracy ${(100 * r.initialHeldoutAccuracy).toFixed(1)}% -> ${(100 * r.heldoutAccuracy).toFixed(1)}%${sup ? `, supervised rows ${(100 * sup.accuracyBefore).toFixed(1)}% -> ${(100 * sup.accuracyAfter).toFixed(1)}%` : ''} in ${r.seconds.toFixed(0)} s`);
  },
};
