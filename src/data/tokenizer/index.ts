// Tokenizers: writing the mini language's WordLevel tokenizer in the Hugging Face layout, loading any HF tokenizer
// folder offline, and encoding batches with truncation that keeps the final [SEP].
export { writeTokenizer, SPECIAL_TOKENS, TOKENIZER_FILES, type SpecialToken, type WriteTokenizerOptions } from './write.js';
export { loadTokenizer, configureOfflineHf, type TextTokenizer, type TemplatePiece } from './load.js';
export { encodeBatch, longestFirst, type EncodedBatch, type EncodeOptions } from './encode.js';

import { languageVocabulary } from '../language/index.js';
import { writeTokenizer } from './write.js';
/** Writes the tokenizer of the project's mini language (its whole vocabulary) into `folder`. */
export function writeLanguageTokenizer(folder: string, opts: { modelMaxLength?: number } = {}): { vocabSize: number } {
  return writeTokenizer(folder, languageVocabulary(), opts);
}
