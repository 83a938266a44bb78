// From character spans of an expression to token positions of its encoding (MDETR's tokenized.char_to_token), and
// the soft positive maps of the class head. Positions count the encoded sequence, special tokens included ([CLS] /
// <s> is position 0). A span's tokens are found by tokenizing the caption up to the span's start and end: the
// WordLevel (whitespace) and byte-level BPE tokenizers both tokenize a prefix that ends at a word boundary exactly as
// the same words in context, and MDETR's spans start and end at word boundaries.
import type { TextTokenizer } from '../../../data/tokenizer/index.js';

/** Encoded positions of the first text token (number of special tokens the template puts before text A). */
export function textOffset(tok: TextTokenizer): number {
  const i = tok.template.single.findIndex((p) => p.kind === 'A');
  if (i < 0) throw new Error(`tokenizer in ${tok.folder}: its single-text template has no text slot`);
  return i;
}

/**
 * Sorted token positions covered by the character spans (the whole caption when `spans` is empty), limited to
 * positions < maxPosition (tokens lost to truncation are dropped).
 */
export function spanTokenPositions(tok: TextTokenizer, caption: string, spans: readonly (readonly [number, number])[], maxPosition: number): number[] {
  const off = textOffset(tok);
  const ranges = spans.length ? spans : [[0, caption.length] as const];
  const out = new Set<number>();
  for (const [b, e] of ranges) {
    if (b < 0 || e > caption.length || b >= e) throw new Error(`span [${b}, ${e}] does not fit the caption "${caption}"`);
    const first = tok.textIds(caption.slice(0, b).trimEnd()).length;
    const last = tok.textIds(caption.slice(0, e)).length - 1;
    for (let t = first; t <= last; t++) if (off + t < maxPosition) out.add(off + t);
  }
  return [...out].sort((a, b) => a - b);
}

/** A row of the soft positive map: 1/n at each of the n positions (< numClasses), 0 elsewhere and at "no object". */
export function positiveMapRow(positions: readonly number[], numClasses: number): Float32Array {
  const row = new Float32Array(numClasses + 1);
  const keep = positions.filter((p) => p < numClasses);
  for (const p of keep) row[p] = 1 / keep.length;
  return row;
}
