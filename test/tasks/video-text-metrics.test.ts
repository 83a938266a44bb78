// Video-text retrieval metrics and loss against hand-computed cases, and the metrics against an independent numpy
// port of CLIP4Clip's formulas (double argsort, -inf padded multi-sentence tensor) on random matrices.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { retrievalMetrics, retrievalRanks, rankStats, medianOf } from '../../src/tasks/video-text/metrics.js';
import { symmetricInfoNce } from '../../src/backbones/clip/contrastive.js';

before(async () => { await initBackend('wasm'); });

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('one caption per video: ranks in both directions (hand-computed)', () => {
  const sim = [
    0.9, 0.1, 0.5,
    0.8, 0.3, 0.2,
    0.1, 0.7, 0.6,
  ];
  const r = retrievalRanks(sim, 3, 3, [0, 1, 2]);
  assert.deepEqual(r.t2v, [1, 2, 2]);   // c1: 0.8 beats 0.3; c2: 0.7 beats 0.6
  assert.deepEqual(r.v2t, [1, 2, 1]);   // column 1 = [0.1, 0.3, 0.7]: caption 2 beats caption 1
  const m = retrievalMetrics(sim, 3, 3, [0, 1, 2]);
  close(m.t2v_r1, 100 / 3); close(m.t2v_r5, 100); close(m.t2v_mdr, 2); close(m.t2v_mnr, 5 / 3);
  close(m.v2t_r1, 200 / 3); close(m.v2t_r10, 100); close(m.v2t_mdr, 1); close(m.v2t_mnr, 4 / 3);
});

test('multi-sentence: caption groups scored by their best caption; torch lower median for text-to-video', () => {
  // videos 0 and 1 with two captions each
  const sim = [
    0.2, 0.5,   // c0 (video 0): rank 2
    0.9, 0.1,   // c1 (video 0): rank 1
    0.3, 0.4,   // c2 (video 1): rank 1
    0.6, 0.2,   // c3 (video 1): rank 2
  ];
  const r = retrievalRanks(sim, 4, 2, [0, 0, 1, 1]);
  assert.deepEqual(r.t2v, [2, 1, 1, 2]);
  // video 0: group 0 best = 0.9, group 1 best = 0.6 -> rank 1; video 1: group 0 best = 0.5 > group 1 best 0.4 -> rank 2
  assert.deepEqual(r.v2t, [1, 2]);
  const m = retrievalMetrics(sim, 4, 2, [0, 0, 1, 1]);
  close(m.t2v_r1, 50); close(m.t2v_mdr, 1); close(m.t2v_mnr, 1.5);   // sorted ranks 1,1,2,2: torch.median -> 1
  close(m.v2t_r1, 50); close(m.v2t_mdr, 1.5); close(m.v2t_mnr, 1.5);  // np.median of 1,2 -> 1.5
});

test('rank statistics and medians', () => {
  const s = rankStats([1, 3, 6, 12, 2]);
  close(s.r1, 20); close(s.r5, 60); close(s.r10, 80); close(s.mdr, 3); close(s.mnr, 24 / 5);
  assert.equal(medianOf([4, 1, 3, 2], 'lower'), 2);
  assert.equal(medianOf([4, 1, 3, 2], 'mean-of-middles'), 2.5);
  assert.throws(() => retrievalRanks([1, 2], 1, 2, [2]), /caption 0 points to video 2/);
  assert.throws(() => retrievalRanks([1, 2, 3, 4], 2, 2, [0, 0]), /video 1 has no caption/);
});

test('symmetric InfoNCE = mean of the row and column cross-entropies against the diagonal (hand-computed)', () => {
  const sim = tf.tensor2d([[2, 0], [1, 3]]);
  const got = symmetricInfoNce(sim).dataSync()[0];
  const rows = (Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(-2))) / 2;
  const cols = (Math.log(1 + Math.exp(-1)) + Math.log(1 + Math.exp(-3))) / 2;
  close(got, (rows + cols) / 2, 1e-6);
  // gradient: d/dsim = ((softmax rows - I) / N + (softmax cols - I)ᵀ / N) / 2
  const g = tf.grad((s: tf.Tensor) => symmetricInfoNce(s))(sim).arraySync() as number[][];
  const sr = (a: number, b: number) => Math.exp(a) / (Math.exp(a) + Math.exp(b));
  close(g[0][0], ((sr(2, 0) - 1) / 2 + (sr(2, 1) - 1) / 2) / 2, 1e-6);
  close(g[1][0], (sr(1, 3) / 2 + sr(1, 2) / 2) / 2, 1e-6);
  assert.throws(() => symmetricInfoNce(tf.zeros([2, 3])), /square/);
});

const PYTHON = process.env.UNIPT_TORCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../test/tasks/support/clip4clip_metrics.py', import.meta.url));
const noNumpy = !existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import numpy'], { encoding: 'utf8' }).status !== 0
  ? `numpy is not importable from ${PYTHON}` : false;

test('agrees with a numpy port of CLIP4Clip\'s metric code on random matrices (single and multi-sentence)', { skip: noNumpy }, () => {
  const rng = new Rng(3);
  for (const [nVideos, perVideo] of [[9, [1]], [7, [1, 3, 2]], [10, [4, 1, 2, 5]]] as [number, number[]][]) {
    const captionVideo: number[] = [];
    for (let v = 0; v < nVideos; v++) for (let k = 0; k < perVideo[v % perVideo.length]; k++) captionVideo.push(v);
    const nCaptions = captionVideo.length;
    const sim = Array.from({ length: nCaptions * nVideos }, () => rng.normal());
    const r = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify({ sim, nCaptions, nVideos, captionVideo }), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const ref = JSON.parse(r.stdout) as Record<string, number>;
    const ours = retrievalMetrics(sim, nCaptions, nVideos, captionVideo);
    for (const k of Object.keys(ref)) close(ours[k], ref[k], 1e-9);
    assert.equal(Object.keys(ref).length, 10);
  }
});
