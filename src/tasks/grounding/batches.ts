// Grounding batches: captions tokenized (padded to the batch's longest), the targets of each expression (normalised
// boxes, soft positive maps over token positions, token masks for contrastive align), and the image side: either CNN
// features computed once per image (mini data: the CNN is frozen in every method, so its output for an image never
// changes; the features live in plain arrays, outside tensor memory) or the normalised pixels, run through the CNN in
// each step's frozen phase (real data).
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import type { Batch } from '../types.js';
import type { TextTokenizer } from '../../data/tokenizer/index.js';
import { encodeBatch } from '../../data/tokenizer/index.js';
import type { GroundingTarget } from './criterion.js';
import { spanTokenPositions, positiveMapRow } from './data/tokens.js';
import type { GroundingItem, GroundingSplit } from './data/types.js';

export interface GroundingBatch extends Batch {
  /** int32 [B, T] token ids; [B, T] float mask. */
  ids: Tensor;
  mask: Tensor;
  /** [B, S, S, 3] normalised pixels (when features are not cached), else null. */
  pixels: Tensor | null;
  /** [B, h, w, C] cached CNN features, else null. */
  features: Tensor | null;
  targets: GroundingTarget[];
  /** Item indices in the split. */
  rows: number[];
}

/** CNN features of every image of a split, [count, h, w, C] back to back. */
export interface FeatureCache { data: Float32Array; shape: [number, number, number] }

export interface BatchContext {
  tok: TextTokenizer;
  /** Longest encoding (special tokens included); the class head scores positions < numClasses. */
  maxLength: number;
  numClasses: number;
}

/** The targets of items whose captions were encoded to T positions. */
export function buildTargets(items: GroundingItem[], c: BatchContext, T: number): GroundingTarget[] {
  return items.map((it) => {
    const n = it.targets.length;
    const positiveMap = new Float32Array(n * (c.numClasses + 1));
    const tokenPositive = new Uint8Array(n * T);
    it.targets.forEach((t, k) => {
      const pos = spanTokenPositions(c.tok, it.caption, t.spans, T);
      positiveMap.set(positiveMapRow(pos, c.numClasses), k * (c.numClasses + 1));
      for (const p of pos) tokenPositive[k * T + p] = 1;
    });
    return { boxes: it.targets.map((t) => t.box), positiveMap, tokenPositive };
  });
}

export function makeBatch(split: GroundingSplit, rows: number[], c: BatchContext, cache: FeatureCache | null): GroundingBatch {
  const items = rows.map((r) => split.items[r]);
  const enc = encodeBatch(c.tok, items.map((i) => i.caption), c.maxLength, { padding: 'longest' });
  const [B, T] = enc.shape;
  const ids = tf.tensor2d(enc.ids, [B, T], 'int32');
  const mask = tf.tensor2d(Float32Array.from(enc.mask), [B, T]);
  let pixels: Tensor | null = null, features: Tensor | null = null;
  if (cache) {
    const [h, w, C] = cache.shape, n = h * w * C;
    const buf = new Float32Array(B * n);
    items.forEach((it, i) => buf.set(cache.data.subarray(it.image * n, (it.image + 1) * n), i * n));
    features = tf.tensor4d(buf, [B, h, w, C]);
  } else {
    const S = split.images.size, n = S * S * 3;
    const buf = new Float32Array(B * n);
    items.forEach((it, i) => buf.set(split.images.pixels(it.image), i * n));
    pixels = tf.tensor4d(buf, [B, S, S, 3]);
  }
  return { size: B, ids, mask, pixels, features, targets: buildTargets(items, c, T), rows };
}

export function disposeBatch(b: GroundingBatch): void {
  tf.dispose([b.ids, b.mask, ...(b.pixels ? [b.pixels] : []), ...(b.features ? [b.features] : [])]);
}

export function* shuffledRows(n: number, B: number, rng: Rng): Generator<number[]> {
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  for (let i = 0; i < n; i += B) yield order.slice(i, i + B);
}

export function* sequentialRows(n: number, B: number): Generator<number[]> {
  for (let i = 0; i < n; i += B) yield Array.from({ length: Math.min(B, n - i) }, (_, k) => i + k);
}
