// The word-level datasets of glue-probe's lexicon probe: a mini checkpoint's input embedding rows of the nouns' and
// verbs' inflected forms, labelled with the morphology mini CoLA's violations turn on (noun number, verb form, verb
// transitivity). Train = the common lemmas (the only ones the mini GLUE training sets use), test = the rare lemmas
// (seen only in pretraining and in the evaluation sets), so a probe scores what pretraining put into the rare words.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors } from '../src/backbones/hf/safetensors.js';
import { lexicon } from '../src/data/language/index.js';

export interface LexiconProbeSet {
  name: 'noun number' | 'verb form' | 'transitivity';
  classes: number;
  train: { vector: Float32Array; label: number }[];
  test: { vector: Float32Array; label: number }[];
}

/** The input embedding matrix: T5's shared table or BERT's word embeddings. */
const EMBEDDING_NAMES = ['shared.weight', 'bert.embeddings.word_embeddings.weight', 'embeddings.word_embeddings.weight'];

/** The three probe sets for the checkpoint in `dir` (a WordLevel tokenizer.json and model.safetensors). */
export function lexiconProbeSets(dir: string): LexiconProbeSet[] {
  const weights = readSafetensors(join(dir, 'model.safetensors'));
  const name = EMBEDDING_NAMES.find((n) => weights.has(n));
  if (!name) throw new Error(`${dir}/model.safetensors: no input embedding table (looked for ${EMBEDDING_NAMES.join(', ')})`);
  const table = weights.get(name);
  if (table.dtype !== 'float32' || table.shape.length !== 2) throw new Error(`${dir}: ${name} is not a float matrix`);
  const [, width] = table.shape;
  const tok = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as { model: { type: string; vocab: Record<string, number> } };
  if (tok.model.type !== 'WordLevel') throw new Error(`${dir}/tokenizer.json: the lexicon probe needs a WordLevel vocabulary (got ${tok.model.type})`);
  const row = (word: string): Float32Array | null => {
    const id = tok.model.vocab[word];
    return id === undefined ? null : table.data.slice(id * width, (id + 1) * width) as Float32Array;
  };
  const lex = lexicon();
  const build = (name: LexiconProbeSet['name'], classes: number, items: { word: string; label: number; rare: boolean }[]): LexiconProbeSet => {
    const set: LexiconProbeSet = { name, classes, train: [], test: [] };
    for (const it of items) {
      const vector = row(it.word);
      if (vector) (it.rare ? set.test : set.train).push({ vector, label: it.label });
    }
    if (!set.train.length || !set.test.length) throw new Error(`${dir}: the ${name} probe found no ${set.train.length ? 'rare' : 'common'} lemma in the vocabulary`);
    return set;
  };
  const nouns = [...lex.nouns, ...lex.roles].flatMap((c) => c.lemmas);
  const verbs = lex.verbs.flatMap((v) => v.lemmas.map((l) => ({ ...l, transitive: v.transitive })));
  return [
    build('noun number', 2, nouns.flatMap((l) => [{ word: l.sg, label: 0, rare: l.rare }, { word: l.pl, label: 1, rare: l.rare }])),
    build('verb form', 3, verbs.flatMap((l) => [{ word: l.base, label: 0, rare: l.rare }, { word: l.s, label: 1, rare: l.rare }, { word: l.past, label: 2, rare: l.rare }])),
    build('transitivity', 2, verbs.flatMap((l) => [l.base, l.s, l.past].map((word) => ({ word, label: l.transitive ? 1 : 0, rare: l.rare })))),
  ];
}
