// text-mini: the project's own pretrained BERT-style encoder (4 layers x 64), trained by masked-language modelling
// on the procedural corpus and written in the Hugging Face layout with its tokenizer. Deterministic from its seed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../engine/rng.js';
import { corpusSampler, LANGUAGE_VERSION } from '../../data/language/index.js';
import { writeLanguageTokenizer, loadTokenizer, encodeBatch, type TextTokenizer } from '../../data/tokenizer/index.js';
import { TextEncoderConfigSchema } from '../../backbones/text/config.js';
import { pretrainMlm, packedCorpus, type MlmCorpus } from '../../backbones/text/pretrain.js';
import { saveTextEncoder } from '../../backbones/text/checkpoint.js';
import { findBackbone } from '../../registry/index.js';
import type { MiniRecipe } from './types.js';

/** Pretraining settings; changing any of them changes the checkpoint (and its hash, hence every run's identity). */
export const TEXT_MINI_RECIPE = {
  version: '1', seed: 0, steps: 1200, batchSize: 64, maxLength: 32, lr: 2e-3, warmup: 100,
  pairShare: 0.5, maskProb: 0.15, packed: false,
};

/** The procedural corpus as MLM batches: half the batches are sentence pairs (so segment embeddings learn too). */
export function languageCorpus(tok: TextTokenizer, pairShare = TEXT_MINI_RECIPE.pairShare): MlmCorpus {
  const sp = tok.specialIds;
  if (sp.cls === null || sp.sep === null || sp.mask === null) throw new Error(`tokenizer in ${tok.folder} lacks [CLS]/[SEP]/[MASK]`);
  return {
    vocabSize: tok.vocabSize,
    special: { pad: sp.pad, unk: sp.unk, cls: sp.cls, sep: sp.sep, mask: sp.mask },
    sample(rng: Rng, batchSize: number, maxLength: number) {
      const next = corpusSampler(rng);
      const enc = rng.next() < pairShare
        ? encodeBatch(tok, Array.from({ length: batchSize }, () => [next(), next()] as const), maxLength)
        : encodeBatch(tok, Array.from({ length: batchSize }, () => next()), maxLength);
      return { ids: enc.ids, mask: enc.mask, typeIds: enc.typeIds };
    },
  };
}

export const TEXT_MINI: MiniRecipe = {
  id: 'text-mini',
  version: TEXT_MINI_RECIPE.version,
  async build(dir, log) {
    const def = findBackbone('text-mini')!;
    writeLanguageTokenizer(dir, { modelMaxLength: Number(def.config.max_position_embeddings) });
    const tok = await loadTokenizer(dir);
    const config = TextEncoderConfigSchema.parse({ ...def.config, vocab_size: tok.vocabSize, pad_token_id: tok.specialIds.pad });
    const r = TEXT_MINI_RECIPE;
    log(`pretraining text-mini: MLM, ${r.steps} steps of ${r.batchSize} x ${r.maxLength} tokens, vocabulary ${tok.vocabSize}, seed ${r.seed}`);
    const res = pretrainMlm({
      config, seed: r.seed, steps: r.steps, batchSize: r.batchSize, maxLength: r.maxLength, lr: r.lr, warmup: r.warmup,
      corpus: r.packed ? packedCorpus(languageCorpus(tok)) : languageCorpus(tok), maskProb: r.maskProb, progressEvery: 100,
      onProgress: (p) => log(`  step ${p.step}/${p.steps}  loss ${p.loss.toFixed(3)}  (${p.stepsPerSecond.toFixed(1)} steps/s)`),
    });
    saveTextEncoder(dir, res.encoder, { mlmHead: res.mlmHead });
    const summary = {
      backbone: 'text-mini', recipe: r, language: LANGUAGE_VERSION, objective: 'masked-language modelling (BERT masking, 15%)',
      heldout: { maskedAccuracyBefore: res.initialAccuracy, maskedAccuracyAfter: res.accuracy, lossBefore: res.initialHeldoutLoss, lossAfter: res.heldoutLoss },
      seconds: res.seconds, stepsPerSecond: res.stepsPerSecond,
    };
    writeFileSync(join(dir, 'pretraining.json'), `${JSON.stringify(summary, null, 2)}\n`);
    log(`text-mini: held-out masked-token accuracy ${(100 * res.initialAccuracy).toFixed(1)}% -> ${(100 * res.accuracy).toFixed(1)}% in ${res.seconds.toFixed(0)} s`);
    res.encoder.dispose(); res.mlmHead.dispose();
  },
};
