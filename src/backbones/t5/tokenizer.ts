// T5 tokenizers. The mini T5 uses a word-level vocabulary built from the procedural language's word list (the
// shared tokenizer room builds a BERT-style vocabulary with [CLS]/[SEP]/[MASK], which T5 does not use), laid out as
// T5's SentencePiece vocabulary is: <pad> = 0, </s> = 1, <unk> = 2, the words, and the span-corruption sentinels
// <extra_id_0> .. <extra_id_{K-1}> at the top of the vocabulary (extra_id_0 = vocab_size - 1, as T5).
// Pre-tokenization (after lower-casing): numbers with an optional decimal part ("3.4", an STS-B target), words that
// start with a letter and may contain digits ("sst2", "sentence1"), and every other non-space character alone
// ("." "," "?" ":"). Decoding joins tokens with spaces and removes the space before punctuation, so a generated
// label decodes to the exact string it was trained on. `tokenizer.json` holds the same vocabulary in the
// Hugging Face format (WordLevel model, Lowercase normalizer, whitespace + regex split, "$A </s>" template).
// Real T5 checkpoints (SentencePiece/Unigram tokenizer.json) are loaded through @huggingface/transformers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CheckpointError, parseJsonFile, requireFile } from '../hf/config.js';

export const T5_PAD = '<pad>';
export const T5_EOS = '</s>';
export const T5_UNK = '<unk>';
export const sentinelToken = (i: number): string => `<extra_id_${i}>`;

export interface T5TextTokenizer {
  readonly vocabSize: number;
  readonly padId: number;
  readonly eosId: number;
  readonly unkId: number;
  /** How many sentinel tokens the vocabulary has (0 when unknown). */
  readonly numSentinels: number;
  /** Token ids of a text, without the trailing </s>. */
  encode(text: string): number[];
  /** Text of token ids, special tokens (pad, </s>, sentinels) skipped, whitespace trimmed. */
  decode(ids: readonly number[]): string;
  /** The id of <extra_id_i>. */
  sentinelId(i: number): number;
  /** The token string of an id (for diagnostics). */
  token(id: number): string;
}

/** Words every text-to-text GLUE input or target uses (task prefixes, field names, label strings, STS-B scores). */
export const T5_GLUE_WORDS: readonly string[] = (() => {
  const words = ['cola', 'sst2', 'mrpc', 'qqp', 'stsb', 'mnli', 'qnli', 'rte', 'sentence', 'sentence1', 'sentence2', 'question',
    'question1', 'question2', 'premise', 'hypothesis', ':', '0', '1', '2'];
  // STS-B targets as LST's round_stsb_target writes them: one decimal between 0.0 and 5.0
  for (let i = 0; i <= 50; i++) words.push((i / 10).toFixed(1));
  return words;
})();

const PIECE = /[0-9]+(?:\.[0-9]+)?|[a-z_][a-z0-9_]*|[^\sa-z0-9_]/g;
const NO_SPACE_BEFORE = new Set(['.', ',', '?', '!', ':', ';']);

/** Lower-cased pieces of a text, as the mini tokenizer splits it. */
export function t5MiniPieces(text: string): string[] {
  return text.toLowerCase().match(PIECE) ?? [];
}

export class WordLevelT5Tokenizer implements T5TextTokenizer {
  readonly padId = 0;
  readonly eosId = 1;
  readonly unkId = 2;
  private readonly ids = new Map<string, number>();

  /** `words` = the ordinary vocabulary (duplicates and special tokens removed); sentinels go on top. */
  constructor(readonly vocab: readonly string[], readonly numSentinels: number) {
    vocab.forEach((w, i) => {
      if (this.ids.has(w)) throw new Error(`tokenizer vocabulary lists "${w}" twice (ids ${this.ids.get(w)} and ${i})`);
      this.ids.set(w, i);
    });
    if (vocab[0] !== T5_PAD || vocab[1] !== T5_EOS || vocab[2] !== T5_UNK) throw new Error('a T5 vocabulary must start with <pad>, </s>, <unk>');
    for (let i = 0; i < numSentinels; i++) {
      if (this.ids.get(sentinelToken(i)) !== vocab.length - 1 - i) throw new Error(`${sentinelToken(i)} must have id ${vocab.length - 1 - i}`);
    }
  }

  /** Builds the vocabulary: specials, the words (first occurrence kept, order kept), then the sentinels. */
  static fromWords(words: Iterable<string>, numSentinels: number): WordLevelT5Tokenizer {
    const seen = new Set<string>([T5_PAD, T5_EOS, T5_UNK]);
    const vocab = [T5_PAD, T5_EOS, T5_UNK];
    for (const w0 of words) {
      const w = w0.toLowerCase();
      const pieces = t5MiniPieces(w);
      if (pieces.length !== 1 || pieces[0] !== w) throw new Error(`vocabulary word "${w0}" is not a single token under the mini T5 pre-tokenizer`);
      if (!seen.has(w)) { seen.add(w); vocab.push(w); }
    }
    for (let i = numSentinels - 1; i >= 0; i--) vocab.push(sentinelToken(i));
    return new WordLevelT5Tokenizer(vocab, numSentinels);
  }

  get vocabSize(): number { return this.vocab.length; }
  sentinelId(i: number): number {
    if (i < 0 || i >= this.numSentinels) throw new Error(`sentinel ${i} does not exist (the vocabulary has ${this.numSentinels})`);
    return this.vocab.length - 1 - i;
  }
  token(id: number): string { return this.vocab[id] ?? `<id ${id}>`; }
  has(word: string): boolean { return this.ids.has(word); }

  encode(text: string): number[] {
    return t5MiniPieces(text).map((p) => this.ids.get(p) ?? this.unkId);
  }

  decode(ids: readonly number[]): string {
    const firstSentinel = this.vocab.length - this.numSentinels;
    let out = '';
    for (const id of ids) {
      if (id === this.padId || id === this.eosId || id >= firstSentinel || id < 0 || id >= this.vocab.length) continue;
      const t = this.vocab[id];
      out += out && !NO_SPACE_BEFORE.has(t) ? ` ${t}` : t;
    }
    return out.trim();
  }

  /** The Hugging Face tokenizer.json of this vocabulary. */
  toJson(): Record<string, unknown> {
    const specials = [T5_PAD, T5_EOS, T5_UNK, ...Array.from({ length: this.numSentinels }, (_, i) => sentinelToken(i))];
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: specials.map((t) => ({ id: this.ids.get(t), content: t, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: { type: 'Lowercase' },
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [
          { type: 'WhitespaceSplit' },
          { type: 'Split', pattern: { Regex: PIECE.source }, behavior: 'Isolated', invert: false },
        ],
      },
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: T5_EOS, type_id: 0 } }],
        pair: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: T5_EOS, type_id: 0 } }, { Sequence: { id: 'B', type_id: 0 } }, { SpecialToken: { id: T5_EOS, type_id: 0 } }],
        special_tokens: { [T5_EOS]: { id: T5_EOS, ids: [this.eosId], tokens: [T5_EOS] } },
      },
      decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
      model: { type: 'WordLevel', vocab: Object.fromEntries(this.vocab.map((t, i) => [t, i])), unk_token: T5_UNK },
    };
  }

  /** tokenizer_config.json for transformers / transformers.js. */
  configJson(): Record<string, unknown> {
    return {
      tokenizer_class: 'T5Tokenizer', model_max_length: 512, pad_token: T5_PAD, eos_token: T5_EOS, unk_token: T5_UNK,
      extra_ids: this.numSentinels, additional_special_tokens: Array.from({ length: this.numSentinels }, (_, i) => sentinelToken(i)),
    };
  }

  /** Reads back a tokenizer.json written by toJson (WordLevel model with T5's special tokens). */
  static fromJson(json: unknown, where: string): WordLevelT5Tokenizer {
    const j = json as { model?: { type?: string; vocab?: Record<string, number> } };
    const v = j.model?.vocab;
    if (j.model?.type !== 'WordLevel' || !v || typeof v !== 'object') throw new CheckpointError(`${where}: key "model" must be a WordLevel model with a "vocab" object`);
    const vocab: string[] = [];
    for (const [t, i] of Object.entries(v)) {
      if (!Number.isInteger(i) || i < 0) throw new CheckpointError(`${where}: vocabulary entry "${t}" has id ${JSON.stringify(i)}, not a non-negative integer`);
      if (vocab[i] !== undefined) throw new CheckpointError(`${where}: id ${i} is given to both "${vocab[i]}" and "${t}"`);
      vocab[i] = t;
    }
    for (let i = 0; i < vocab.length; i++) if (vocab[i] === undefined) throw new CheckpointError(`${where}: the vocabulary has no token with id ${i} (ids must be 0..${vocab.length - 1})`);
    let k = 0;
    while (vocab[vocab.length - 1 - k] === sentinelToken(k)) k++;
    try { return new WordLevelT5Tokenizer(vocab, k); } catch (e) { throw new CheckpointError(`${where}: ${(e as Error).message}`); }
  }
}

/** The mini T5's tokenizer: the procedural language's words plus the text-to-text GLUE words, 32 sentinels. */
export const T5_MINI_SENTINELS = 32;
export function buildMiniT5Tokenizer(languageWords: Iterable<string>): WordLevelT5Tokenizer {
  return WordLevelT5Tokenizer.fromWords([...languageWords, ...T5_GLUE_WORDS], T5_MINI_SENTINELS);
}

interface HfTokenizerLike {
  encode(text: string, opts?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], opts?: { skip_special_tokens?: boolean }): string;
  model: { vocab?: unknown; tokens_to_ids?: Map<string, number> };
}

/** A SentencePiece T5 tokenizer (real checkpoints) through @huggingface/transformers. */
class HfT5Tokenizer implements T5TextTokenizer {
  readonly padId: number; readonly eosId: number; readonly unkId: number; readonly numSentinels: number;
  private readonly toId: Map<string, number>;
  private readonly toTok: string[] = [];
  constructor(private readonly tok: HfTokenizerLike, readonly vocabSize: number, toId: Map<string, number>, where: string) {
    this.toId = toId;
    for (const [t, i] of toId) this.toTok[i] = t;
    const need = (t: string) => {
      const i = toId.get(t);
      if (i === undefined) throw new CheckpointError(`${where}: the tokenizer has no "${t}" token; T5 needs <pad>, </s> and <unk>`);
      return i;
    };
    this.padId = need(T5_PAD); this.eosId = need(T5_EOS); this.unkId = need(T5_UNK);
    let k = 0;
    while (toId.has(sentinelToken(k))) k++;
    this.numSentinels = k;
  }
  encode(text: string): number[] { return this.tok.encode(text, { add_special_tokens: false }); }
  decode(ids: readonly number[]): string {
    const keep = ids.filter((i) => i !== this.padId && i !== this.eosId && !(this.toTok[i] ?? '').startsWith('<extra_id_'));
    return this.tok.decode(keep, { skip_special_tokens: true }).trim();
  }
  sentinelId(i: number): number {
    const id = this.toId.get(sentinelToken(i));
    if (id === undefined) throw new Error(`sentinel ${i} does not exist in this tokenizer`);
    return id;
  }
  token(id: number): string { return this.toTok[id] ?? `<id ${id}>`; }
}

/**
 * Loads a checkpoint folder's tokenizer.json: the mini word-level one directly, any other through
 * @huggingface/transformers (T5Tokenizer, with tokenizer_config.json when present).
 */
export async function loadT5Tokenizer(folder: string, hint?: string): Promise<T5TextTokenizer> {
  const path = requireFile(folder, 'tokenizer.json', 'the tokenizer', hint);
  const json = parseJsonFile(readFileSync(path, 'utf8'), path) as { model?: { type?: string } };
  if (json?.model?.type === 'WordLevel') return WordLevelT5Tokenizer.fromJson(json, path);
  let config: Record<string, unknown> = {};
  try { config = parseJsonFile(readFileSync(join(folder, 'tokenizer_config.json'), 'utf8'), join(folder, 'tokenizer_config.json')) as Record<string, unknown>; } catch { /* optional */ }
  const hf = await import('@huggingface/transformers') as unknown as { T5Tokenizer: new (j: unknown, c: unknown) => HfTokenizerLike };
  const tok = new hf.T5Tokenizer(json, { tokenizer_class: 'T5Tokenizer', ...config });
  const model = (json as { model?: { vocab?: unknown } }).model;
  const toId = new Map<string, number>();
  if (Array.isArray(model?.vocab)) (model!.vocab as [string, number][]).forEach(([t], i) => toId.set(t, i));
  else if (model?.vocab && typeof model.vocab === 'object') for (const [t, i] of Object.entries(model.vocab as Record<string, number>)) toId.set(t, i);
  for (const a of ((json as { added_tokens?: { id: number; content: string }[] }).added_tokens ?? [])) toId.set(a.content, a.id);
  if (!toId.size) throw new CheckpointError(`${path}: no vocabulary found under "model.vocab"`);
  const vocabSize = Math.max(...toId.values()) + 1;
  return new HfT5Tokenizer(tok, vocabSize, toId, path);
}
