// The project's procedural mini language: lexicon, grammar, pretraining corpus.
//
// Design: why pretraining on the corpus helps the mini GLUE tasks (transfer is real, not assumed)
// ----------------------------------------------------------------------------------------------
// * Content words are pseudo-words (nouns, verbs, places, names, roles, sentiment adjectives); function words,
//   colours, numbers, category words ("fruit", "tool") and polarity cue words ("happy", "frowned") are English.
//   With a WordLevel tokenizer every inflected form is its own token, so even "kelpo" vs "kelpos" (number) is a
//   fact about two unrelated ids that only usage reveals.
// * Every lemma carries a `rare` flag (lexicon.ts): a concept's first lemma is common, extra synonyms are rare with
//   p=0.6, single-lemma concepts are rare with p=0.35 (about 4 in 10 content lemmas in all). Mini GLUE *training*
//   splits are generated with Picker pool 'train' (common lemmas only); validation/test use pool 'eval' (every
//   lemma). The pretraining corpus uses every lemma. So a rare word's embedding gets no task gradient at all: a
//   randomly initialised encoder sees it as noise, a pretrained one knows it from the corpus.
// * What the corpus teaches, and which task needs it:
//   - polarity and strength of sentiment adjectives (next to happy/sad, smiled/frowned, praised/complained, and
//     strength-matched intensifiers; under negation and "but" contrast): SST-2, STS-B;
//   - synonymy (synonyms share each concept's signature contexts, unique within its class: a noun's home place,
//     usual colour, owner and typical verb; a verb's object categories, usual doer and place; an adjective's
//     topics and favourite noun; plus "in other words" paraphrase passages and occasional "X is another word
//     for Y"): MRPC, QQP, STS-B, QNLI, MNLI, RTE (a synonym swap preserves meaning, a co-hyponym swap does not);
//   - hypernymy ("a kelpo is a kind of fruit"): MNLI/RTE entailment by generalisation, QNLI "which fruit"
//     questions, STS-B partial similarity of co-hyponyms;
//   - noun number, verb transitivity and agreement (also across relative clauses): CoLA;
//   - question/answer and paraphrase/entailment passages: the pair tasks' formats.
// * Tasks are built so that no single keyword decides the label (negation that flips and "not just" that does
//   not; "but" clauses; paraphrases with voice changes vs near-misses with one swapped word; negated premises).
export * from './lexicon.js';
export * from './grammar.js';
export * from './facts.js';
export * from './sentiment.js';
export { corpusSampler, corpusSentences } from './corpus.js';

import { lexicon, PUNCTUATION } from './lexicon.js';
/** Every token the language can produce (the tokenizer's vocabulary, without special tokens). */
export function languageVocabulary(): string[] {
  const words = lexicon().words;
  return [...PUNCTUATION, ...words.filter((w) => !PUNCTUATION.includes(w))];
}
