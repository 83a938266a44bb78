// Captions as token ids for the BERT text tower: [CLS] words [SEP], truncated to maxLength, and VSE∞'s training
// augmentation (lib/datasets/image_caption.py process_caption): each word with p = 0.2 is replaced by [MASK]
// (half of those), by a random vocabulary token (a tenth), or deleted (the rest). Padding with the pad id; the
// attention mask is 1 on real tokens; GPO's length is the real length including [CLS] and [SEP].
import type { Rng } from '../../../engine/rng.js';
import type { TextTokenizer } from '../../../data/tokenizer/index.js';

export interface CaptionIds { ids: Int32Array[]; cls: number; sep: number; pad: number; mask: number; vocabSize: number }

export function tokenizeCaptions(tok: TextTokenizer, captions: readonly string[], maxLength: number): CaptionIds {
  const { cls, sep, pad, mask } = tok.specialIds;
  if (cls === null || sep === null || mask === null) throw new Error(`the tokenizer in ${tok.folder} lacks [CLS], [SEP] or [MASK], which the VSE text tower needs`);
  const budget = maxLength - 2;
  const ids = captions.map((c) => {
    const t = tok.textIds(c);
    const n = Math.min(t.length, budget);
    const row = new Int32Array(n + 2);
    row[0] = cls; row.set(t.subarray(0, n), 1); row[n + 1] = sep;
    return row;
  });
  return { ids, cls, sep, pad, mask, vocabSize: tok.vocabSize };
}

/** VSE∞'s process_caption on one id row ([CLS] ... [SEP] kept). */
export function augmentCaption(row: Int32Array, c: CaptionIds, rng: Rng): Int32Array {
  const out: number[] = [row[0]];
  for (let i = 1; i < row.length - 1; i++) {
    let p = rng.next();
    if (p >= 0.2) { out.push(row[i]); continue; }
    p /= 0.2;
    if (p < 0.5) out.push(c.mask);
    else if (p < 0.6) out.push(rng.int(c.vocabSize));   // random.choice(list(tokenizer.vocab.keys())): any token
    // else: deleted
  }
  out.push(row[row.length - 1]);
  return Int32Array.from(out);
}

/** Pads rows to the longest: ids [B, T] (row-major), mask [B, T] and lengths. */
export function padRows(rows: readonly Int32Array[], pad: number): { ids: Int32Array; mask: Float32Array; lengths: number[]; T: number } {
  const T = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * T).fill(pad), mask = new Float32Array(rows.length * T);
  rows.forEach((r, b) => { ids.set(r, b * T); mask.fill(1, b * T, b * T + r.length); });
  return { ids, mask, lengths: rows.map((r) => r.length), T };
}
