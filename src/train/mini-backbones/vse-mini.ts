// vse-mini: the mini VSE∞ backbone folder = the text-mini encoder with its vocabulary grown by the scene words (the
// scene tokenizer keeps the language's ids and appends SCENE_EXTRA_WORDS; their new embedding rows start as
// N(0, initializer_range), like BERT's own init) + image/ = cnn-mini. Both parts are deterministic recipes; when
// models/text-mini or models/cnn-mini already exist they are reused (same bytes), otherwise built here.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { TextEncoder } from '../../backbones/text/bert.js';
import { loadTextEncoder, saveTextEncoder } from '../../backbones/text/checkpoint.js';
import { writeSceneTokenizer, SCENE_EXTRA_WORDS } from '../../data/scenes/index.js';
import { modelsDir } from '../backbone-dir.js';
import type { MiniRecipe } from './types.js';
import { TEXT_MINI } from './text-mini.js';
import { CNN_MINI } from './cnn-mini.js';
import * as init from '../../nn/init.js';

export const VSE_MINI_RECIPE = { version: '1', seed: 0 };

/**
 * A copy of `encoder` whose word-embedding table has `vocabSize` rows: the old rows copied, the new ones drawn from
 * N(0, initializer_range) with `seed`. Every other parameter is copied unchanged.
 */
export function growTextVocabulary(encoder: TextEncoder, vocabSize: number, seed: number): TextEncoder {
  const old = encoder.config.vocab_size;
  if (vocabSize < old) throw new Error(`growTextVocabulary: ${vocabSize} rows is fewer than the encoder's ${old}`);
  const grown = new TextEncoder({ ...encoder.config, vocab_size: vocabSize }, seed);
  for (const [name, p] of grown.namedParameters()) {
    const src = encoder.getParam(name);
    if (name === 'embeddings.word_embeddings.weight') {
      const H = encoder.hiddenSize;
      const fresh = init.normal([vocabSize - old, H], encoder.config.initializer_range, new Rng(seed).fork('new-words'));
      tf.tidy(() => p.assign(tf.concat([src.value, fresh], 0)));
      fresh.dispose();
    } else {
      p.assign(src.value);
    }
  }
  return grown;
}

/** A complete mini folder of `recipe`: models/<id> when it exists, else built into `scratch`. */
async function miniFolder(recipe: MiniRecipe, scratch: string, log: (l: string) => void): Promise<string> {
  const existing = join(modelsDir(), recipe.id);
  if (['config.json', 'model.safetensors', 'tokenizer.json'].every((f) => existsSync(join(existing, f)))) {
    log(`vse-mini: using ${existing}`);
    return existing;
  }
  log(`vse-mini: building ${recipe.id} first`);
  mkdirSync(scratch, { recursive: true });
  await recipe.build(scratch, log);
  return scratch;
}

export const VSE_MINI: MiniRecipe = {
  id: 'vse-mini',
  version: VSE_MINI_RECIPE.version,
  async build(dir, log) {
    const scratch = join(dir, '.parts');
    try {
      const textDir = await miniFolder(TEXT_MINI, join(scratch, 'text-mini'), log);
      const { encoder } = loadTextEncoder(textDir, { seed: VSE_MINI_RECIPE.seed, mlmHead: false });
      const { vocabSize: vocab } = writeSceneTokenizer(dir, { modelMaxLength: encoder.config.max_position_embeddings });
      const grown = growTextVocabulary(encoder, vocab, VSE_MINI_RECIPE.seed);
      encoder.dispose();
      saveTextEncoder(dir, grown);
      grown.dispose();
      const cnnDir = await miniFolder(CNN_MINI, join(scratch, 'cnn-mini'), log);
      cpSync(cnnDir, join(dir, 'image'), { recursive: true });
      writeFileSync(join(dir, 'pretraining.json'), `${JSON.stringify({
        backbone: 'vse-mini', recipe: VSE_MINI_RECIPE,
        text: 'text-mini (MLM on the procedural language) with the word-embedding table grown by the scene words',
        sceneWords: SCENE_EXTRA_WORDS.length, vocabSize: vocab, image: 'image/ = cnn-mini (multi-label scene tagging)',
      }, null, 2)}\n`);
      log(`vse-mini: text-mini + ${vocab - encoder.config.vocab_size} scene words, image/ = cnn-mini`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};
