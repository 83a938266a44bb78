// Writes a BERT-style WordLevel tokenizer in the Hugging Face layout (tokenizer.json, tokenizer_config.json,
// special_tokens_map.json): lowercase normaliser, BERT pre-tokenizer (whitespace, each punctuation mark a token),
// WordLevel model with [UNK], and TemplateProcessing "[CLS] A [SEP]" / "[CLS] A [SEP] B [SEP]" with token type
// ids 0 for A and 1 for B. Python's tokenizers/transformers and @huggingface/transformers both read it.
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/fs.js';

export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
export type SpecialToken = (typeof SPECIAL_TOKENS)[number];
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'] as const;

export interface WriteTokenizerOptions { modelMaxLength?: number }

/**
 * Writes the three files into `folder` (created if needed). `vocab` is the word list without special tokens;
 * ids are [PAD]=0, [UNK]=1, [CLS]=2, [SEP]=3, [MASK]=4, then the words in the given order (lowercased,
 * duplicates dropped). Returns the vocabulary size.
 */
export function writeTokenizer(folder: string, vocab: readonly string[], opts: WriteTokenizerOptions = {}): { vocabSize: number } {
  const ids: Record<string, number> = {};
  for (const t of SPECIAL_TOKENS) ids[t] = Object.keys(ids).length;
  for (const w of vocab) {
    const word = w.toLowerCase();
    if (!word || /\s/.test(word)) throw new Error(`writeTokenizer: vocabulary entry ${JSON.stringify(w)} is empty or contains whitespace`);
    if (!(word in ids)) ids[word] = Object.keys(ids).length;
  }
  const special = (t: SpecialToken) => ({ id: ids[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIAL_TOKENS.map(special),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [ids['[CLS]']], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [ids['[SEP]']], tokens: ['[SEP]'] },
      },
    },
    decoder: null,
    model: { type: 'WordLevel', vocab: ids, unk_token: '[UNK]' },
  };
  const specialMap = { pad_token: '[PAD]', unk_token: '[UNK]', cls_token: '[CLS]', sep_token: '[SEP]', mask_token: '[MASK]' };
  const config = {
    // "PreTrainedTokenizerFast" makes Python's AutoTokenizer use tokenizer.json as is; transformers.js maps it to
    // its base PreTrainedTokenizer.
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: opts.modelMaxLength ?? 512,
    do_lower_case: true,
    padding_side: 'right',
    truncation_side: 'right',
    model_input_names: ['input_ids', 'token_type_ids', 'attention_mask'],
    clean_up_tokenization_spaces: false,
    ...specialMap,
  };
  writeFileAtomic(join(folder, 'tokenizer.json'), `${JSON.stringify(tokenizerJson, null, 1)}\n`);
  writeFileAtomic(join(folder, 'tokenizer_config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileAtomic(join(folder, 'special_tokens_map.json'), `${JSON.stringify(specialMap, null, 2)}\n`);
  return { vocabSize: Object.keys(ids).length };
}
