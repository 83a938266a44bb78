// The words scene text uses. Most come from the project's procedural language (function words, colours, numbers);
// the language has no words for shapes, sizes, spatial relations or motion, so those form a small scene vocabulary
// that is appended AFTER the language's words when a tokenizer is written: the language's token ids stay the same,
// so an encoder pretrained on the language (text-mini) keeps every row of its embedding table and only gains rows
// for the new words (see src/train/mini-backbones/vse-mini.ts, which grows the table).
import { languageVocabulary } from '../language/index.js';
import { writeTokenizer } from '../tokenizer/index.js';
import { SHAPES, SCENE_COLORS, SIZES } from './types.js';

export const SHAPE_PLURAL: Record<string, string> = {
  circle: 'circles', square: 'squares', triangle: 'triangles', diamond: 'diamonds', cross: 'crosses', star: 'stars',
};

/** Words the scene generators use that the procedural language lacks (order fixed: it sets their token ids). */
export const SCENE_EXTRA_WORDS: readonly string[] = [
  ...SHAPES.flatMap((s) => [s, SHAPE_PLURAL[s]]),
  'shape', 'shapes', 'object', 'objects', 'picture',
  'small', 'large', 'striped', 'solid',
  'left', 'right', 'above', 'below', 'top', 'bottom', 'middle', 'next', 'side',
  'color', 'zero', 'size',
  'moves', 'appears', 'disappears', 'turns', 'stays', 'stay', 'still', 'up', 'down',
];

/** Every word scene text can contain (for tests: each must be in sceneTokenizerVocabulary()). */
export const SCENE_WORDS: readonly string[] = [
  ...SCENE_EXTRA_WORDS, ...SCENE_COLORS, ...SIZES,
  'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine',
  'a', 'an', 'the', 'is', 'are', 'there', 'and', 'with', 'of', 'to', 'at', 'in', 'on', 'how', 'many', 'what', 'which',
  'yes', 'no', 'or', 'that', 'it', 'other', 'both', 'than', 'more', 'then', 'by', 'each', 'all', 'nothing',
  '.', ',', '?',
];

/** The language's vocabulary followed by the scene words it lacks (language ids unchanged). */
export function sceneTokenizerVocabulary(): string[] {
  const lang = languageVocabulary();
  const have = new Set(lang);
  return [...lang, ...SCENE_EXTRA_WORDS.filter((w) => !have.has(w))];
}

/** Writes the WordLevel tokenizer covering the language and the scene words into `folder`. */
export function writeSceneTokenizer(folder: string, opts: { modelMaxLength?: number } = {}): { vocabSize: number } {
  return writeTokenizer(folder, sceneTokenizerVocabulary(), opts);
}

/** Number words; index = count (0..9). */
export const COUNT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;
export function countWord(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= COUNT_WORDS.length) throw new Error(`countWord: ${n} has no number word (0..9)`);
  return COUNT_WORDS[n];
}
