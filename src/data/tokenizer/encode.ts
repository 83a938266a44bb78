// Batches of token ids for the encoder. Truncation happens on the texts *before* the special tokens are added
// (Hugging Face's "longest_first": drop the last token of the longer text until the pair fits), so the final
// [SEP] always survives; @huggingface/transformers' own truncation cuts it off (engine notes section 5).
import type { TextTokenizer, TemplatePiece } from './load.js';

export interface EncodedBatch {
  /** Row-major [B, T] token ids, padded with the pad id. */
  ids: Int32Array;
  /** 1 for real tokens, 0 for padding. */
  mask: Int32Array;
  /** Token type (segment) ids: 0 for the first text and its specials, 1 for the second (BERT). */
  typeIds: Int32Array;
  /** Real (unpadded) length of each row. */
  lengths: Int32Array;
  shape: [number, number];
  /** How many rows lost tokens to truncation. */
  truncated: number;
}

export interface EncodeOptions {
  /** 'max_length' (default) pads every batch to maxLength; 'longest' to the longest row. */
  padding?: 'max_length' | 'longest';
}

/** Lengths of two texts after longest-first truncation to `budget` tokens in total. */
export function longestFirst(la: number, lb: number, budget: number): [number, number] {
  while (la + lb > budget) {
    if (la > lb) la--; else lb--;
  }
  return [la, lb];
}

export function encodeBatch(tok: TextTokenizer, inputs: readonly string[] | readonly (readonly [string, string])[], maxLength: number, opts: EncodeOptions = {}): EncodedBatch {
  const B = inputs.length;
  const isPair = B > 0 && Array.isArray(inputs[0]);
  const template: TemplatePiece[] = isPair ? tok.template.pair : tok.template.single;
  const nSpecial = template.filter((p) => p.kind === 'special').length;
  const budget = maxLength - nSpecial;
  if (budget < (isPair ? 2 : 1)) throw new Error(`encodeBatch: maxLength ${maxLength} leaves no room for text next to ${nSpecial} special tokens`);
  const rows: { a: Int32Array; b: Int32Array | null; la: number; lb: number }[] = [];
  let truncated = 0; let longest = 0;
  for (const x of inputs) {
    const pair = Array.isArray(x) !== isPair ? null : x;
    if (pair === null) throw new Error('encodeBatch: mix of single texts and pairs in one batch');
    const a = tok.textIds(isPair ? (x as readonly [string, string])[0] : (x as string));
    const b = isPair ? tok.textIds((x as readonly [string, string])[1]) : null;
    const [la, lb] = b ? longestFirst(a.length, b.length, budget) : [Math.min(a.length, budget), 0];
    if (la < a.length || (b && lb < b.length)) truncated++;
    rows.push({ a, b, la, lb });
    longest = Math.max(longest, la + lb + nSpecial);
  }
  const T = opts.padding === 'longest' ? Math.max(longest, 1) : maxLength;
  const ids = new Int32Array(B * T).fill(tok.specialIds.pad);
  const mask = new Int32Array(B * T);
  const typeIds = new Int32Array(B * T);
  const lengths = new Int32Array(B);
  rows.forEach((r, i) => {
    let t = i * T;
    for (const piece of template) {
      if (piece.kind === 'special') { ids[t] = piece.id; typeIds[t] = piece.type; mask[t] = 1; t++; continue; }
      const src = piece.kind === 'A' ? r.a : r.b!;
      const n = piece.kind === 'A' ? r.la : r.lb;
      for (let k = 0; k < n; k++, t++) { ids[t] = src[k]; typeIds[t] = piece.type; mask[t] = 1; }
    }
    lengths[i] = t - i * T;
  });
  return { ids, mask, typeIds, lengths, shape: [B, T], truncated };
}
