// T5 relative position buckets against values worked out by hand from the definition:
// bidirectional, 32 buckets, max distance 128: 16 buckets per direction, 8 exact ones, then
// 8 + floor(log(|d| / 8) / log(128 / 8) * 8), capped at 15, plus 16 for keys after the query;
// causal: future keys -> 0, 16 exact buckets, then 16 + floor(log(|d| / 16) / log(8) * 16), capped at 31.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relativePositionBucket, relativePositionBuckets } from '../../src/backbones/t5/position.js';

test('bidirectional buckets (encoder), 32 buckets, max distance 128', () => {
  const cases: [number, number][] = [
    [0, 0], [-1, 1], [1, 17], [-7, 7], [7, 23], [-8, 8], [8, 24],
    [-12, 9],     // 8 + floor(log 1.5 / log 16 * 8) = 8 + floor(1.17)
    [-16, 10],    // 8 + log 2 / log 16 * 8 = 8 + 2 exactly (float32 must not round it down to 9)
    [16, 26], [-32, 12], [-64, 14],
    [-127, 15],   // 8 + floor(7.97)
    [-128, 15], [-1000, 15], [1000, 31],
  ];
  for (const [rel, want] of cases) assert.equal(relativePositionBucket(rel, true, 32, 128), want, `relative position ${rel}`);
});

test('causal buckets (decoder), 32 buckets, max distance 128', () => {
  const cases: [number, number][] = [
    [5, 0], [0, 0], [-1, 1], [-15, 15], [-16, 16],
    [-20, 17],    // 16 + floor(log 1.25 / log 8 * 16) = 16 + floor(1.72)
    [-32, 21],    // 16 + floor(16 / 3)
    [-64, 26],    // 16 + floor(32 / 3)
    [-127, 31], [-128, 31], [-500, 31],
  ];
  for (const [rel, want] of cases) assert.equal(relativePositionBucket(rel, false, 32, 128), want, `relative position ${rel}`);
});

test('other bucket counts: 8 buckets, max distance 20 (bidirectional: 4 per side, 2 exact)', () => {
  const cases: [number, number][] = [[-1, 1], [-2, 2], [-5, 2], [-9, 3], [-20, 3], [1, 5], [20, 7]];
  for (const [rel, want] of cases) assert.equal(relativePositionBucket(rel, true, 8, 20), want, `relative position ${rel}`);
});

test('the bucket table is indexed [query, key] with relative position key - query', () => {
  const t = relativePositionBuckets(3, 4, true, 32, 128);
  // query 0: keys 0..3 -> rel 0,1,2,3 -> 0,17,18,19 ; query 2: rel -2,-1,0,1 -> 2,1,0,17
  assert.deepEqual(Array.from(t.slice(0, 4)), [0, 17, 18, 19]);
  assert.deepEqual(Array.from(t.slice(8, 12)), [2, 1, 0, 17]);
  const c = relativePositionBuckets(3, 3, false, 32, 128);
  assert.deepEqual(Array.from(c), [0, 0, 0, 1, 0, 0, 2, 1, 0]);
});
