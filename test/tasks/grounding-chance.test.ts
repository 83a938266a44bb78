// The grounding family's mini scenes (fewer, larger objects than the shared scenes) and the chance levels the
// grounding bench prints next to Precision@1: the box prior (hand-computed) and a random object of the scene; the
// per-query scores that rank predicted boxes (objectness for referring expressions, a phrase's tokens for phrases).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/rng.js';
import { SIZE_RADIUS, sampleScene } from '../../src/data/scenes/index.js';
import { sampleGroundingScene, miniRefexpChance, MINI_REFEXP } from '../../src/tasks/grounding/data/index.js';
import { priorBoxChance, queryScores } from '../../src/tasks/grounding/metrics.js';

test('grounding scenes: object count in range, radii scaled, no overlap, inside the margin, deterministic', () => {
  const o = { minObjects: 2, maxObjects: 4, scale: 1.5 };
  const a = Array.from({ length: 60 }, (_, i) => sampleGroundingScene(new Rng(i), o));
  const b = Array.from({ length: 60 }, (_, i) => sampleGroundingScene(new Rng(i), o));
  assert.deepEqual(a, b);
  const counts = new Set<number>();
  for (const s of a) {
    assert.ok(s.objects.length >= 1 && s.objects.length <= 4, `${s.objects.length} objects`);
    counts.add(s.objects.length);
    s.objects.forEach((ob, i) => {
      assert.equal(ob.id, i);
      const base = SIZE_RADIUS[ob.size] * 1.5;
      assert.ok(ob.r >= base * 0.92 - 1e-9 && ob.r <= base * 1.08 + 1e-9, `radius ${ob.r} for a ${ob.size} object`);
      assert.ok(ob.x - ob.r >= 0.02 - 1e-9 && ob.x + ob.r <= 0.98 + 1e-9 && ob.y - ob.r >= 0.02 - 1e-9 && ob.y + ob.r <= 0.98 + 1e-9);
      for (const other of s.objects.slice(0, i)) assert.ok(Math.hypot(ob.x - other.x, ob.y - other.y) >= ob.r + other.r + 0.04 - 1e-9);
    });
  }
  assert.ok(counts.has(2) && counts.has(4), `counts seen: ${[...counts]}`);
  assert.throws(() => sampleGroundingScene(new Rng(0), { minObjects: 3, maxObjects: 2, scale: 1 }), /1 <= min <= max/);
  assert.throws(() => sampleGroundingScene(new Rng(0), { minObjects: 1, maxObjects: 2, scale: 0 }), /scale must be positive/);
});

test('grounding scenes: shapesPerScene draws each scene\'s objects from that many shapes; absent, the shared sampler\'s scenes', () => {
  const o = { minObjects: 2, maxObjects: 4, scale: 1.5 };
  // without the option, exactly the shared sampler's draws (other families' scenes are untouched)
  for (let i = 0; i < 10; i++) assert.deepEqual(sampleGroundingScene(new Rng(i), o), sampleScene(new Rng(i), { minObjects: 2, maxObjects: 4, radiusScale: 1.5 }));
  const scenes = Array.from({ length: 80 }, (_, i) => sampleGroundingScene(new Rng(i), { ...o, shapesPerScene: 2 }));
  assert.deepEqual(scenes, Array.from({ length: 80 }, (_, i) => sampleGroundingScene(new Rng(i), { ...o, shapesPerScene: 2 })));
  assert.ok(scenes.every((s) => new Set(s.objects.map((ob) => ob.shape)).size <= 2));
  assert.ok(scenes.filter((s) => s.objects.length >= 3).every((s) => s.objects.some((a, i) => s.objects.some((b, j) => i !== j && a.shape === b.shape))), 'three or more objects: a shared shape');
  assert.ok(new Set(scenes.flatMap((s) => s.objects.map((ob) => ob.shape))).size === 6, 'every shape still occurs');
  assert.throws(() => sampleGroundingScene(new Rng(0), { ...o, shapesPerScene: 0 }), /shapesPerScene/);
  assert.equal(MINI_REFEXP.scenes.shapesPerScene, undefined, 'the mini data (mini-refexp-3) draws every shape');
});

test('box-prior chance by hand; random-object chance of the mini data', () => {
  // prior boxes (normalised cx, cy, w, h): the top-left and the bottom-right quarter of the image
  const prior: [number, number, number, number][] = [[0.25, 0.25, 0.5, 0.5], [0.75, 0.75, 0.5, 0.5]];
  const items = [
    // a 100 x 100 image whose target is the top-left quarter: one prior of two hits (GIoU 1), the other misses
    { evalBox: [0, 0, 50, 50] as [number, number, number, number], width: 100, height: 100 },
    // the whole image: each prior covers a quarter (IoU 0.25): no hit
    { evalBox: [0, 0, 100, 100] as [number, number, number, number], width: 100, height: 100 },
    // a 200 x 100 image: the priors scale with it, the top-left one is [0, 0, 100, 50] exactly
    { evalBox: [0, 0, 100, 50] as [number, number, number, number], width: 200, height: 100 },
  ];
  assert.ok(Math.abs(priorBoxChance(prior, items) - (100 * (0.5 + 0 + 0.5)) / 3) < 1e-9);
  assert.equal(priorBoxChance([], items), 0);
  const c = miniRefexpChance('refcoco', 42);
  assert.deepEqual(Object.keys(c), ['val', 'testA', 'testB']);
  const lo = 100 / MINI_REFEXP.scenes.maxObjects;
  for (const [split, v] of Object.entries(c)) {
    // one object of two to four is the target (others rarely overlap it by GIoU >= 0.5)
    assert.ok(v.randomObject >= lo && v.randomObject <= 100, `${split}: random object ${v.randomObject}`);
    assert.ok(v.priorBox > 0 && v.priorBox < 10, `${split}: box prior ${v.priorBox}`);
  }
  assert.deepEqual(miniRefexpChance('refcoco', 42), c, 'deterministic');
});

test('query scores: 1 - P(no object), or the probability on the phrase\'s tokens', () => {
  // 2 queries x C = 4 (token positions 0..2, "no object" last)
  const probs = [0.1, 0.6, 0.1, 0.2, /* q1 */ 0.5, 0.05, 0.05, 0.4];
  const obj = queryScores(probs, 2, 'object');
  assert.ok(Math.abs(obj[0] - 0.8) < 1e-6 && Math.abs(obj[1] - 0.6) < 1e-6);
  // the phrase covers position 1 and 2: q0 holds 0.7 of it, q1 0.1, so the ranking flips from position 0's view
  const phrase = queryScores(probs, 2, 'phrase', [0, 0.5, 0.5, 0]);
  assert.ok(Math.abs(phrase[0] - 0.7) < 1e-6 && Math.abs(phrase[1] - 0.1) < 1e-6);
  const first = queryScores(probs, 2, 'phrase', [1, 0, 0, 0]);
  assert.ok(first[1] > first[0]);
  assert.throws(() => queryScores(probs, 2, 'phrase'), /positive map of 4 entries/);
  assert.throws(() => queryScores(probs, 3, 'object'), /8 probabilities for 3 queries/);
});
