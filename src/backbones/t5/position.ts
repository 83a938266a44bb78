// T5's relative position buckets (Raffel et al. 2020; Hugging Face `_relative_position_bucket`). A key at distance
// key - query is put in one of `numBuckets` buckets: exact buckets for small distances, logarithmically wider ones up
// to `maxDistance`, and the last bucket beyond. Bidirectional (encoder) attention spends half the buckets on keys
// after the query; causal (decoder) attention folds every future key into bucket 0 (the causal mask hides them).
// The logarithmic part is computed in float32 steps, as PyTorch does on float32 tensors, so boundary cases (e.g.
// distance 16 with 8 exact buckets, where the real-number value is exactly 2) round the way the reference does.
import { tf, type Tensor } from '../../engine/tf.js';

const f32 = Math.fround;

/** The bucket of one relative position (key index - query index). */
export function relativePositionBucket(relativePosition: number, bidirectional: boolean, numBuckets = 32, maxDistance = 128): number {
  let buckets = 0;
  let n = numBuckets;
  let rel: number;
  if (bidirectional) {
    n = Math.floor(n / 2);
    if (relativePosition > 0) buckets += n;
    rel = Math.abs(relativePosition);
  } else {
    rel = -Math.min(relativePosition, 0);
  }
  const maxExact = Math.floor(n / 2);
  if (rel < maxExact) return buckets + rel;
  const scaled = f32(f32(f32(Math.log(f32(f32(rel) / maxExact))) / f32(Math.log(maxDistance / maxExact))) * (n - maxExact));
  const large = Math.min(maxExact + Math.trunc(scaled), n - 1);
  return buckets + large;
}

/** Buckets for every (query, key) pair, row-major [queryLength, keyLength]; query i sits at position i + queryOffset. */
export function relativePositionBuckets(queryLength: number, keyLength: number, bidirectional: boolean, numBuckets = 32, maxDistance = 128, queryOffset = 0): Int32Array {
  const out = new Int32Array(queryLength * keyLength);
  for (let i = 0; i < queryLength; i++) {
    for (let j = 0; j < keyLength; j++) out[i * keyLength + j] = relativePositionBucket(j - (i + queryOffset), bidirectional, numBuckets, maxDistance);
  }
  return out;
}

const cache = new Map<string, Int32Array>();

/** Cached bucket table as an int32 tensor [Tq, Tk] (the caller disposes the tensor; the numbers are cached). */
export function bucketTensor(queryLength: number, keyLength: number, bidirectional: boolean, numBuckets: number, maxDistance: number): Tensor {
  const key = `${queryLength}x${keyLength}:${bidirectional ? 'b' : 'c'}:${numBuckets}:${maxDistance}`;
  let b = cache.get(key);
  if (!b) {
    b = relativePositionBuckets(queryLength, keyLength, bidirectional, numBuckets, maxDistance);
    if (cache.size > 256) cache.clear();
    cache.set(key, b);
  }
  return tf.tensor2d(b, [queryLength, keyLength], 'int32');
}
