// Sentiment vocabulary helpers shared by the corpus and SST-2: intensifiers that match an adjective's strength,
// and the cue words whose co-occurrence tells the corpus reader an adjective's polarity.
import type { Rng } from '../../engine/rng.js';
import { lexicon, type NounConcept, type SentimentConcept } from './lexicon.js';
import type { Picker } from './grammar.js';

export const INTENSIFIERS: Record<1 | 2 | 3, string[]> = {
  1: ['somewhat', 'slightly', 'rather'],
  2: ['quite', 'really', 'very'],
  3: ['extremely', 'truly'],
};
/** Mood and reaction words, by polarity: the corpus puts them next to adjectives of that polarity. */
export const CUES = {
  mood: { 1: 'happy', [-1]: 'sad' },
  face: { 1: 'smiled', [-1]: 'frowned' },
  /** Reactions; "it" is replaced by "them" after a plural subject. */
  act: { 1: [['praised', 'it'], ['recommended', 'it'], ['cheered']], [-1]: [['avoided', 'it'], ['complained'], ['sighed']] },
  like: { 1: ['liked', 'loved'], [-1]: ['disliked', 'hated'] },
} as const;

/** An intensifier matching the adjective's strength (the corpus's graded-strength signal), or none. */
export function intensifierFor(rng: Rng, s: SentimentConcept, p = 0.5): string[] {
  return rng.next() < p ? [rng.pick(INTENSIFIERS[s.strength])] : [];
}

export function sentimentOf(p: Picker, polarity: 1 | -1, filter?: (s: SentimentConcept) => boolean): SentimentConcept {
  return p.concept(lexicon().sentiments, (s) => s.polarity === polarity && (!filter || filter(s)));
}

/** A noun an adjective is typically said of (its topic categories), sometimes any noun. */
export function topicNoun(p: Picker, s: SentimentConcept, pTopic = 0.7): NounConcept {
  const lex = lexicon();
  if (p.available(s.noun) && p.rng.next() < 0.3) return s.noun;
  const pool = p.rng.next() < pTopic ? s.topics.flatMap((c) => c.nouns) : lex.nouns;
  return p.concept(pool);
}
