// Loads a Hugging Face tokenizer folder through @huggingface/transformers' AutoTokenizer, strictly offline:
// remote loading is switched off and the folder is passed as an absolute path, so no hub request is ever made.
// The library's own error for a missing file is unhelpful, so the files are checked first.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { InputError } from '../../util/errors.js';

/** One position of the special-token template: a text (A, B) or a special token, with its token type id. */
export type TemplatePiece = { kind: 'A' | 'B'; type: number } | { kind: 'special'; id: number; type: number };

export interface TextTokenizer {
  readonly folder: string;
  readonly hf: PreTrainedTokenizer;
  /** Embedding rows needed: the largest id + 1. */
  readonly vocabSize: number;
  readonly specialIds: { pad: number; unk: number; cls: number | null; sep: number | null; mask: number | null };
  /** Where special tokens go for one text and for a pair (probed from the library's post-processor). */
  readonly template: { single: TemplatePiece[]; pair: TemplatePiece[] };
  /** Token ids of one text without special tokens (cached per text). */
  textIds(text: string): Int32Array;
  tokenToId(token: string): number | undefined;
}

const REQUIRED = ['tokenizer.json', 'tokenizer_config.json'];
const CACHE_LIMIT = 500_000;

/** Switches @huggingface/transformers to local-only loading (idempotent; the project never fetches models). */
export function configureOfflineHf(): void {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.useFSCache = false;
}

export async function loadTokenizer(folder: string): Promise<TextTokenizer> {
  const dir = resolve(folder);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`tokenizer folder ${dir} does not exist (expected ${REQUIRED.join(' and ')} in it)`);
  for (const f of REQUIRED) {
    if (!existsSync(join(dir, f))) {
      throw new InputError(`tokenizer folder ${dir} has no ${f}; a Hugging Face tokenizer folder needs ${REQUIRED.join(' and ')} (write them with writeTokenizer, or in Python AutoTokenizer.from_pretrained(...).save_pretrained("${dir}"))`);
    }
  }
  configureOfflineHf();
  let hf: PreTrainedTokenizer;
  try {
    hf = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
  } catch (e) {
    throw new InputError(`cannot load the tokenizer in ${dir}: ${(e as Error).message}`);
  }
  return wrap(dir, hf);
}

function wrap(folder: string, hf: PreTrainedTokenizer): TextTokenizer {
  const vocab = hf.get_vocab();
  let maxId = -1;
  for (const id of vocab.values()) if (id > maxId) maxId = id;
  const idOf = (t: string | undefined | null): number | null => {
    if (!t) return null;
    const id = vocab.get(t);
    return id === undefined ? null : id;
  };
  const cfg = hf.config as Record<string, unknown>;
  const tokenName = (k: string): string | null => {
    const v = cfg[k];
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
    return null;
  };
  const pad = idOf(tokenName('pad_token'));
  const unk = idOf(tokenName('unk_token'));
  if (pad === null || unk === null) throw new InputError(`tokenizer in ${folder}: the pad and unk tokens must be set in tokenizer_config.json and be in the vocabulary`);
  const cache = new Map<string, Int32Array>();
  const textIds = (text: string): Int32Array => {
    let r = cache.get(text);
    if (!r) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      r = Int32Array.from(hf.encode(text, { add_special_tokens: false }));
      cache.set(text, r);
    }
    return r;
  };
  return {
    folder, hf, vocabSize: maxId + 1,
    specialIds: { pad, unk, cls: idOf(tokenName('cls_token')), sep: idOf(tokenName('sep_token')), mask: idOf(tokenName('mask_token')) },
    template: probeTemplate(folder, hf, vocab),
    textIds,
    tokenToId: (t) => vocab.get(t),
  };
}

/**
 * The special-token layout, read off the library's own encoding of two known one-token texts, so the template
 * of any tokenizer.json (BERT, RoBERTa, ours) is honoured without reimplementing its post-processor.
 */
function probeTemplate(folder: string, hf: PreTrainedTokenizer, vocab: Map<string, number>): { single: TemplatePiece[]; pair: TemplatePiece[] } {
  const special = new Set(hf.all_special_ids);
  const probes: [string, number][] = [];
  for (const [tok, id] of [...vocab].sort((a, b) => a[1] - b[1])) {
    if (special.has(id) || !/^[a-z]+$/i.test(tok)) continue;
    const ids = hf.encode(tok, { add_special_tokens: false });
    if (ids.length === 1 && ids[0] === id) probes.push([tok, id]);
    if (probes.length === 2) break;
  }
  if (probes.length < 2) throw new InputError(`tokenizer in ${folder}: could not find two plain word tokens to read its special-token template`);
  const [[ta, a], [tb, b]] = probes;
  const read = (text: string, pair: string | null): TemplatePiece[] => {
    const enc = hf._call(text, { text_pair: pair, add_special_tokens: true, return_token_type_ids: true, return_tensor: false }) as unknown as { input_ids: number[]; token_type_ids?: number[] };
    return enc.input_ids.map((id, i): TemplatePiece => {
      const type = enc.token_type_ids?.[i] ?? 0;
      if (id === a) return { kind: 'A', type };
      if (id === b && pair !== null) return { kind: 'B', type };
      return { kind: 'special', id, type };
    });
  };
  const single = read(ta, null); const pair = read(ta, tb);
  const count = (t: TemplatePiece[], k: 'A' | 'B') => t.filter((p) => p.kind === k).length;
  if (count(single, 'A') !== 1 || count(pair, 'A') !== 1 || count(pair, 'B') !== 1) {
    throw new InputError(`tokenizer in ${folder}: unexpected special-token template (probe "${ta}"/"${tb}" gave ${JSON.stringify(pair)})`);
  }
  return { single, pair };
}
