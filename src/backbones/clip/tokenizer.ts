// Tokenizers for the CLIP text tower.
// * Mini: a WordLevel tokenizer over the procedural vocabulary with CLIP's special tokens. The shared writer
//   (src/data/tokenizer/write.ts) fixes BERT's specials and [CLS] A [SEP] template, so this small writer is CLIP's
//   own: ids [PAD] = 0 (CLIP4Clip pads with 0 and masks `input_ids != 0`), [UNK] = 1, the words, then
//   <|startoftext|> and <|endoftext|> as the two LARGEST ids, as in CLIP's BPE vocabulary (49406, 49407), so pooling
//   at argmax(ids) finds the end token. Template "<|startoftext|> A <|endoftext|>". Same normaliser and
//   pre-tokenizer as the project's BERT tokenizer (lowercase, BERT pre-tokenizer), so it loads with
//   @huggingface/transformers' AutoTokenizer and Python's tokenizers alike.
// * Real: OpenAI CLIP's BPE tokenizer folder (tokenizer.json from openai/clip-vit-base-patch32) loads through
//   @huggingface/transformers' AutoTokenizer, offline, via the shared `loadTokenizer`. That loader reads the
//   special-token template by encoding two single-token words from the vocabulary, which CLIP's byte-level BPE does
//   not have in that form (every word-final piece ends in "</w>"), so `loadClipTokenizer` falls back to CLIP's known
//   template, <|startoftext|> A <|endoftext|>, taken from the tokenizer's own bos/eos tokens.
import { join, resolve } from 'node:path';
import { AutoTokenizer } from '@huggingface/transformers';
import { writeFileAtomic } from '../../util/fs.js';
import { InputError } from '../../util/errors.js';
import { encodeBatch, loadTokenizer, configureOfflineHf, type TextTokenizer } from '../../data/tokenizer/index.js';
import { eotPositions } from './text.js';

export const CLIP_SOT = '<|startoftext|>';
export const CLIP_EOT = '<|endoftext|>';
export const CLIP_MINI_SPECIALS = { pad: '[PAD]', unk: '[UNK]' } as const;

/** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json; returns the vocabulary size. */
export function writeClipWordTokenizer(folder: string, words: readonly string[], opts: { modelMaxLength?: number } = {}): { vocabSize: number; sot: number; eot: number } {
  const ids: Record<string, number> = { [CLIP_MINI_SPECIALS.pad]: 0, [CLIP_MINI_SPECIALS.unk]: 1 };
  for (const w of words) {
    const word = w.toLowerCase();
    if (!word || /\s/.test(word)) throw new Error(`writeClipWordTokenizer: vocabulary entry ${JSON.stringify(w)} is empty or contains whitespace`);
    if (word === CLIP_SOT || word === CLIP_EOT) throw new Error(`writeClipWordTokenizer: ${word} is a special token, not a word`);
    if (!(word in ids)) ids[word] = Object.keys(ids).length;
  }
  const sot = Object.keys(ids).length; ids[CLIP_SOT] = sot;
  const eot = sot + 1; ids[CLIP_EOT] = eot;
  const special = (t: string) => ({ id: ids[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [CLIP_MINI_SPECIALS.pad, CLIP_MINI_SPECIALS.unk, CLIP_SOT, CLIP_EOT].map(special),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: CLIP_SOT, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: CLIP_EOT, type_id: 0 } }],
      pair: [
        { SpecialToken: { id: CLIP_SOT, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: CLIP_EOT, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: CLIP_EOT, type_id: 0 } },
      ],
      special_tokens: {
        [CLIP_SOT]: { id: CLIP_SOT, ids: [sot], tokens: [CLIP_SOT] },
        [CLIP_EOT]: { id: CLIP_EOT, ids: [eot], tokens: [CLIP_EOT] },
      },
    },
    decoder: null,
    model: { type: 'WordLevel', vocab: ids, unk_token: CLIP_MINI_SPECIALS.unk },
  };
  const specialMap = { bos_token: CLIP_SOT, eos_token: CLIP_EOT, pad_token: CLIP_MINI_SPECIALS.pad, unk_token: CLIP_MINI_SPECIALS.unk };
  const config = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: opts.modelMaxLength ?? 77,
    do_lower_case: true,
    padding_side: 'right',
    truncation_side: 'right',
    model_input_names: ['input_ids', 'attention_mask'],
    clean_up_tokenization_spaces: false,
    ...specialMap,
  };
  writeFileAtomic(join(folder, 'tokenizer.json'), `${JSON.stringify(tokenizerJson, null, 1)}\n`);
  writeFileAtomic(join(folder, 'tokenizer_config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileAtomic(join(folder, 'special_tokens_map.json'), `${JSON.stringify(specialMap, null, 2)}\n`);
  return { vocabSize: eot + 1, sot, eot };
}

export interface ClipEncodedText {
  /** Row-major [B, T] ids, padded with the tokenizer's pad id. */
  ids: Int32Array;
  /** 1 for real tokens (CLIP4Clip's input_ids != 0), 0 for padding. */
  mask: Int32Array;
  /** End-of-text index per row: the first largest id among the row's real tokens. */
  eot: number[];
  shape: [number, number];
  truncated: number;
}

/**
 * Encodes captions as CLIP4Clip does: <|startoftext|> words <|endoftext|>, at most `maxLength` tokens (CLIP4Clip's
 * max_words, the specials included; the end token survives truncation), padded to `maxLength` (or, with padding
 * 'longest', to the batch's longest row: the causal mask makes the result the same, at lower cost).
 */
export function encodeClipText(tok: TextTokenizer, texts: readonly string[], maxLength: number, padding: 'max_length' | 'longest' = 'max_length'): ClipEncodedText {
  const enc = encodeBatch(tok, texts, maxLength, { padding });
  const [B, T] = enc.shape;
  // the end token is the largest id among real tokens; padding (any id) is excluded by masking it to -1 first
  const masked = Int32Array.from(enc.ids, (v, i) => (enc.mask[i] ? v : -1));
  return { ids: enc.ids, mask: enc.mask, eot: eotPositions(masked, B, T), shape: [B, T], truncated: enc.truncated };
}

/**
 * Loads a CLIP text tokenizer folder offline: the shared loader, or, for CLIP's byte-level BPE whose template the
 * shared loader cannot probe, AutoTokenizer with CLIP's template from bos_token / eos_token.
 */
export async function loadClipTokenizer(folder: string): Promise<TextTokenizer> {
  try {
    return await loadTokenizer(folder);
  } catch (e) {
    if (!/could not find two plain word tokens/.test((e as Error).message)) throw e;
  }
  configureOfflineHf();
  const dir = resolve(folder);
  const hf = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
  const vocab = hf.get_vocab();
  const cfg = hf.config as Record<string, unknown>;
  const name = (k: string): string | null => {
    const v = cfg[k];
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
    return null;
  };
  const id = (k: string): number => {
    const t = name(k);
    const i = t === null ? undefined : vocab.get(t);
    if (i === undefined) throw new InputError(`tokenizer in ${dir}: tokenizer_config.json's ${k} (${JSON.stringify(t)}) is not in the vocabulary; a CLIP tokenizer needs bos_token, eos_token, pad_token and unk_token`);
    return i;
  };
  const bos = id('bos_token'), eos = id('eos_token'), pad = id('pad_token'), unk = id('unk_token');
  let maxId = -1;
  for (const v of vocab.values()) if (v > maxId) maxId = v;
  const cache = new Map<string, Int32Array>();
  return {
    folder: dir, hf, vocabSize: maxId + 1,
    specialIds: { pad, unk, cls: bos, sep: eos, mask: null },
    template: {
      single: [{ kind: 'special', id: bos, type: 0 }, { kind: 'A', type: 0 }, { kind: 'special', id: eos, type: 0 }],
      pair: [{ kind: 'special', id: bos, type: 0 }, { kind: 'A', type: 0 }, { kind: 'special', id: eos, type: 0 }, { kind: 'special', id: eos, type: 0 }, { kind: 'B', type: 0 }, { kind: 'special', id: eos, type: 0 }],
    },
    textIds(text: string): Int32Array {
      let r = cache.get(text);
      if (!r) { r = Int32Array.from(hf.encode(text, { add_special_tokens: false })); if (cache.size > 100_000) cache.clear(); cache.set(text, r); }
      return r;
    },
    tokenToId: (t) => vocab.get(t),
  };
}
