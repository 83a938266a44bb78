// VSE∞ pieces against PyTorch (support/gpo_torch_ref.py, after VSE∞'s lib/modules/aggr/gpo.py and lib/loss.py):
// GPO's pooled output and every gradient, the hinge triplet loss in both modes; plus hand-computed cases for the
// sort gradient, positional encodings, the loss, grid dropping and caption augmentation.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { readSafetensors } from '../../src/backbones/hf/safetensors.js';
import { Gpo, positionalEncoding, sortDescending, contrastiveLoss, dropGrid } from '../../src/tasks/image-text/index.js';
import { augmentCaption, padRows } from '../../src/tasks/image-text/data/index.js';

const PYTHON = process.env.UNIPT_TORCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../test/tasks/support/gpo_torch_ref.py', import.meta.url));
function torchMissing(): string | false {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (install Debian's python3-torch to run the PyTorch reference checks)`;
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? false : `torch is not importable from ${PYTHON}`;
}
const skip = torchMissing();
if (skip) console.log(`# skipping the GPO/loss PyTorch checks: ${skip}`);
let work = '';
before(async () => {
  await initBackend('wasm');
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'gpo-ref-'));
  const r = spawnSync(PYTHON, [SCRIPT, 'make', work], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  assert.equal(r.status, 0, r.stderr);
});
process.on('exit', () => { if (work) rmSync(work, { recursive: true, force: true }); });

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0, s = 1e-6;
  for (let i = 0; i < b.length; i++) s = Math.max(s, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m / s;
}

test('GPO matches PyTorch (packed bidirectional GRU, sorted features): output and every gradient', { skip }, () => {
  const ref = readSafetensors(join(work, 'gpo.safetensors'));
  const gpo = new Gpo(32, 32, new Rng(0));
  for (const [name, p] of gpo.namedParameters()) {
    const e = ref.entry(name);
    const t = tf.tensor(ref.getFloat(name), e.shape);
    p.assign(p.layout === 'linear' ? tf.transpose(t) : t);   // PyTorch [out, in] -> [in, out]
    t.dispose();
  }
  const fe = ref.entry('features');
  const feats = tf.variable(tf.tensor(ref.getFloat('features'), fe.shape));
  const lengths = Array.from(ref.get('lengths').data as unknown as ArrayLike<number | bigint>, Number);
  const probe = tf.tensor(ref.getFloat('probe'), ref.entry('probe').shape);
  const ctx = { training: true, rng: new Rng(0) };
  const pooled = gpo.forward(feats, lengths, ctx);
  assert.ok(maxRel(pooled.dataSync(), ref.getFloat('pooled')) < 1e-5, 'pooled output');
  const named = gpo.namedParameters();
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(gpo.forward(feats, lengths, ctx), probe)) as tf.Scalar, [feats, ...named.map(([, p]) => p.variable)]);
  assert.ok(maxRel(grads[feats.name].dataSync(), ref.getFloat('grad.features')) < 1e-4, 'gradient w.r.t. the features');
  for (const [n, p] of named) {
    const g = grads[p.variable.name];
    const torchLayout = p.layout === 'linear' ? tf.transpose(g) : g;
    assert.ok(maxRel(torchLayout.dataSync(), ref.getFloat(`grad.${n}`)) < 2e-4, `gradient of ${n}: ${maxRel(torchLayout.dataSync(), ref.getFloat(`grad.${n}`))}`);
  }
  tf.dispose([pooled, feats, probe, ...Object.values(grads)]);
});

test('hinge triplet loss matches PyTorch in both modes (VSE0 sum, VSE++ hardest negative)', { skip }, () => {
  const ref = readSafetensors(join(work, 'gpo.safetensors'));
  const im = tf.tensor(ref.getFloat('loss.im'), ref.entry('loss.im').shape), cap = tf.tensor(ref.getFloat('loss.cap'), ref.entry('loss.cap').shape);
  const sum = contrastiveLoss(im, cap, { maxViolation: false }).dataSync()[0], hard = contrastiveLoss(im, cap, { maxViolation: true }).dataSync()[0];
  assert.ok(Math.abs(sum - ref.getFloat('loss.vse0')[0]) < 1e-4, `${sum} vs ${ref.getFloat('loss.vse0')[0]}`);
  assert.ok(Math.abs(hard - ref.getFloat('loss.vsepp')[0]) < 1e-4, `${hard} vs ${ref.getFloat('loss.vsepp')[0]}`);
  tf.dispose([im, cap]);
});

test('hinge triplet loss, hand-computed', () => {
  // scores = im cap^T = [[1, .8, 0], [0, .6, .5], [0, .7, .9]]; diagonal 1, .6, .9; margin .2
  const im = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  const cap = tf.tensor2d([[1, 0, 0], [0.8, 0.6, 0.7], [0, 0.5, 0.9]]);
  // caption negatives per image (rows): (0,1) .2+.8-1 = 0; (1,2) .2+.5-.6 = .1; (2,1) .2+.7-.9 = 0 -> hardest: 0, .1, 0
  // image negatives per caption (columns): col1 (.2+.8-.6 = .4, .2+.7-.6 = .3), col2 (.2+.5-.9 = 0) -> hardest .4
  const vse0 = contrastiveLoss(im, cap, { maxViolation: false }).dataSync()[0];
  const vsepp = contrastiveLoss(im, cap, { maxViolation: true }).dataSync()[0];
  assert.ok(Math.abs(vse0 - (0.1 + 0.4 + 0.3)) < 1e-6, `VSE0 ${vse0}`);
  assert.ok(Math.abs(vsepp - (0.1 + 0.4)) < 1e-6, `VSE++ ${vsepp}`);
  tf.dispose([im, cap]);
});

test('sortDescending: values, and the gradient goes back to where each value came from', () => {
  const x = tf.variable(tf.tensor2d([[3, 1, 2], [0, 5, 4]]));
  const y = sortDescending(x);
  assert.deepEqual(Array.from(y.dataSync()), [3, 2, 1, 5, 4, 0]);
  const dy = tf.tensor2d([[10, 20, 30], [1, 2, 3]]);
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(sortDescending(x), dy)) as tf.Scalar, [x]);
  // row 0: sorted = x[0], x[2], x[1] -> dx = [10, 30, 20]; row 1: sorted = x[1], x[2], x[0] -> dx = [3, 1, 2]
  assert.deepEqual(Array.from(grads[x.name].dataSync()), [10, 30, 20, 3, 1, 2]);
  tf.dispose([x, y, dy, grads[x.name]]);
});

test('positional encodings follow positional_encoding_1d', () => {
  const pe = positionalEncoding(4, 3);
  const want = [0, 1, 0, 1, Math.sin(1), Math.cos(1), Math.sin(0.01), Math.cos(0.01), Math.sin(2), Math.cos(2), Math.sin(0.02), Math.cos(0.02)];
  want.forEach((w, i) => assert.ok(Math.abs(pe[i] - w) < 1e-6, `entry ${i}: ${pe[i]} vs ${w}`));
});

test('GPO weights depend only on lengths and sum to one over each sequence; padding is ignored', () => {
  const gpo = new Gpo(32, 32, new Rng(3));
  const ctx = { training: false, rng: new Rng(0) };
  const w = gpo.poolWeights([4, 2, 4], ctx).arraySync() as number[][];
  w.forEach((row, b) => assert.ok(Math.abs(row.reduce((a, v) => a + v, 0) - 1) < 1e-5, `row ${b} sums to ${row}`));
  assert.deepEqual(w[0], w[2]);
  assert.ok(w[1][2] < 1e-6 && w[1][3] < 1e-6);
  // padding content never matters
  const a = tf.tensor3d([[[1], [2], [9], [9]]]), b = tf.tensor3d([[[1], [2], [-7], [100]]]);
  assert.deepEqual(Array.from(gpo.forward(a, [2], ctx).dataSync()), Array.from(gpo.forward(b, [2], ctx).dataSync()));
  tf.dispose([a, b]); gpo.dispose();
});

test('grid dropping keeps features in order, pads with zeros, and keeps everything for about a fifth of the images', () => {
  const N = 10, B = 400;
  const feats = tf.tensor3d(Float32Array.from({ length: B * N }, (_, i) => (i % N) + 1), [B, N, 1]);
  const { features, lengths } = dropGrid(feats, new Rng(5));
  const v = features.arraySync() as number[][][];
  let full = 0;
  lengths.forEach((L, b) => {
    const kept = v[b].slice(0, L).map((r) => r[0]);
    assert.ok(kept.every((x, i) => i === 0 || x > kept[i - 1]), 'kept features stay in order');
    assert.ok(v[b].slice(L).every((r) => r[0] === 0), 'zeros after the kept features');
    if (L === N) full++;
  });
  // P(keep all) = 0.2 + 0.8 * P(no drop | r2) where each feature drops with p = 0.2 r2: about 0.2 + 0.8 * 0.44
  assert.ok(full / B > 0.4 && full / B < 0.7, `${full / B}`);
  assert.ok(lengths.reduce((a, b) => a + b, 0) / (B * N) > 0.9);
  tf.dispose([feats, features]);
});

test('caption augmentation: [CLS]/[SEP] kept, ~10% masked, ~2% random, ~8% deleted', () => {
  const c = { ids: [], cls: 2, sep: 3, pad: 0, mask: 4, vocabSize: 1000 };
  const row = Int32Array.from([2, ...Array.from({ length: 20000 }, () => 500), 3]);
  const out = augmentCaption(row, c, new Rng(9));
  assert.equal(out[0], 2); assert.equal(out[out.length - 1], 3);
  const inner = Array.from(out.slice(1, -1));
  const masked = inner.filter((x) => x === 4).length / 20000, deleted = 1 - inner.length / 20000;
  const random = inner.filter((x) => x !== 4 && x !== 500).length / 20000;
  assert.ok(Math.abs(masked - 0.1) < 0.01 && Math.abs(deleted - 0.08) < 0.01 && Math.abs(random - 0.02) < 0.005, `${masked} ${deleted} ${random}`);
  const p = padRows([Int32Array.from([2, 7, 3]), Int32Array.from([2, 3])], 0);
  assert.deepEqual(Array.from(p.ids), [2, 7, 3, 2, 3, 0]);
  assert.deepEqual(Array.from(p.mask), [1, 1, 1, 1, 1, 0]);
  assert.deepEqual(p.lengths, [3, 2]);
});
