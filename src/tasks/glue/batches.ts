// Tokenized splits held as flat typed arrays (tokenized once), cut into batches trimmed to their longest row.
import { tf } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { encodeBatch, type TextTokenizer } from '../../data/tokenizer/index.js';
import type { TextBatch } from '../text-model.js';

export interface EncodedSplit {
  n: number;
  T: number;
  ids: Int32Array; mask: Int32Array; typeIds: Int32Array; lengths: Int32Array;
  labels: Float32Array;
  truncated: number;
}

export interface GlueBatch extends TextBatch { labels: tf.Tensor; rows: number[] }

export function encodeSplit(tok: TextTokenizer, texts: readonly string[] | readonly (readonly [string, string])[], labels: ArrayLike<number>, maxLength: number): EncodedSplit {
  const e = encodeBatch(tok, texts, maxLength);
  return { n: texts.length, T: maxLength, ids: e.ids, mask: e.mask, typeIds: e.typeIds, lengths: e.lengths, labels: Float32Array.from(labels), truncated: e.truncated };
}

/** A batch of the given rows, padded to the longest of them. */
export function makeBatch(s: EncodedSplit, rows: number[], regression: boolean): GlueBatch {
  const B = rows.length;
  let T = 1;
  for (const r of rows) T = Math.max(T, s.lengths[r]);
  const ids = new Int32Array(B * T), mask = new Float32Array(B * T), types = new Int32Array(B * T);
  rows.forEach((r, i) => {
    for (let t = 0; t < T; t++) {
      ids[i * T + t] = s.ids[r * s.T + t]; mask[i * T + t] = s.mask[r * s.T + t]; types[i * T + t] = s.typeIds[r * s.T + t];
    }
  });
  const lab = rows.map((r) => s.labels[r]);
  return {
    size: B, rows,
    ids: tf.tensor2d(ids, [B, T], 'int32'),
    mask: tf.tensor2d(mask, [B, T], 'float32'),
    typeIds: tf.tensor2d(types, [B, T], 'int32'),
    labels: regression ? tf.tensor1d(lab, 'float32') : tf.tensor1d(lab, 'int32'),
  };
}

export function disposeBatch(b: GlueBatch): void { tf.dispose([b.ids, b.mask, b.typeIds, b.labels]); }

/** Rows per bucket, in batches: large enough to group similar lengths, small enough to keep the epoch well mixed. */
const BUCKET_BATCHES = 20;

/**
 * Shuffled rows for one epoch, in batches of similar length (the last may be smaller). The shuffled order is cut
 * into buckets of BUCKET_BATCHES batches, each bucket is sorted by length and cut into batches, and the batches are
 * shuffled: a batch pads to its longest row, so this removes most padding (about 1.4x fewer tokens on the mini
 * tasks) while every row is still seen once per epoch in a seeded random order. Without `lengths`, plain batches.
 */
export function* shuffledBatches(n: number, batchSize: number, rng: Rng, lengths?: ArrayLike<number>): Generator<number[]> {
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  if (!lengths) {
    for (let i = 0; i < n; i += batchSize) yield order.slice(i, i + batchSize);
    return;
  }
  const batches: number[][] = [];
  const bucket = batchSize * BUCKET_BATCHES;
  for (let i = 0; i < n; i += bucket) {
    // stable sort: equal lengths keep their shuffled order
    const rows = order.slice(i, i + bucket).sort((a, b) => lengths[a] - lengths[b]);
    for (let j = 0; j < rows.length; j += batchSize) batches.push(rows.slice(j, j + batchSize));
  }
  yield* rng.shuffle(batches);
}

export function* sequentialBatches(n: number, batchSize: number): Generator<number[]> {
  for (let i = 0; i < n; i += batchSize) yield Array.from({ length: Math.min(batchSize, n - i) }, (_, j) => i + j);
}
