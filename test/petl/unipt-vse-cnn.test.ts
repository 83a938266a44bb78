// The CNN variant's lean "Pre" step (guidedPool in src/petl/unipt/vse-cnn.ts) against the same math in plain
// taped ops (upsampleNearest -> channel sum -> patchWeights -> sumPool): same output, same gradient for G, only the
// documented small tensors saved, and a backward pass that holds far less than the plain composition did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { installTracker } from '../../src/engine/memory/tracker.js';
import { startSaveTrace, stopSaveTrace } from '../../src/engine/ops/index.js';
import type { ForwardCtx } from '../../src/nn/module.js';
import type { L1Norm } from '../../src/petl/unipt/interaction.js';
import {
  guidedPool, upsampleNearest, patchWeights, sumPool, VseCnnUnipt, VSE_CNN_NORM, GUIDED_POOL_SAVES,
} from '../../src/petl/unipt/vse-cnn.js';
import { randnSeeded as randn, tensorMaxDiff as maxDiff, tensorMaxAbs as maxAbs } from '../engine/support/tensors.js';

await initBackend('wasm');
const tracker = installTracker('wasm-malloc');



/** The "Pre" step written with plain taped ops, as vse-cnn composed it before guidedPool. */
function plainGuidedPool(G: Tensor, X: Tensor, r: number, norm: L1Norm = VSE_CNN_NORM): Tensor {
  const [, H, W] = X.shape;
  const s = tf.sum(tf.mul(upsampleNearest(G, H, W), X), -1);
  const w = patchWeights(s, r, norm);
  return sumPool(tf.mul(X, tf.expandDims(w, -1)), r);
}

const CLAMP: L1Norm = { eps: 0.5, mode: 'clamp' };

for (const [r, norm, label] of [[8, VSE_CNN_NORM, 'add'], [4, VSE_CNN_NORM, 'add'], [2, CLAMP, 'clamp'], [1, VSE_CNN_NORM, 'add']] as const) {
  test(`guidedPool (r=${r}, ${label} norm): output and dG equal plain autograd of the same math`, () => {
    const B = 3, h = 2, w = 3, C = 5;
    const X = randn([B, h * r, w * r, C], 1 + r);
    const G = randn([B, h, w, C], 2 + r, 0.7);
    const dy = randn([B, h, w, C], 3 + r);
    const lossOf = (f: (g: Tensor) => Tensor) => (g: Tensor) => tf.sum(tf.mul(f(g), dy));
    const yLean = guidedPool(G, X, r, norm), yPlain = plainGuidedPool(G, X, r, norm);
    assert.equal(maxDiff(yLean, yPlain), 0, 'the forward runs the same float32 products and sums');
    const gLean = tf.grad(lossOf((g) => guidedPool(g, X, r, norm)))(G);
    const gPlain = tf.grad(lossOf((g) => plainGuidedPool(g, X, r, norm)))(G);
    const scale = Math.max(1, maxAbs(gPlain));
    assert.ok(maxDiff(gLean, gPlain) < 1e-5 * scale, `dG differs by ${maxDiff(gLean, gPlain)} (scale ${scale})`);
    if (r > 1) {
      // (with 1x1 patches the normalised weight is a constant 0 or 1, so dG vanishes in both)
      assert.ok(maxAbs(gPlain) > 1e-3, 'the gradient is not trivially zero');
      // a wrong gradient is caught: the same check against dG of a different dy fails
      const gOther = tf.grad((g: Tensor) => tf.sum(tf.mul(plainGuidedPool(g, X, r, norm), tf.reverse(dy, 3))))(G);
      assert.ok(maxDiff(gLean, gOther) > 1e-3);
      gOther.dispose();
    }
    tf.dispose([X, G, dy, yLean, yPlain, gLean, gPlain]);
  });
}

test('guidedPool saves only the normalised patch weights and their norms (no map-sized tensor)', () => {
  const B = 2, r = 4, h = 2, C = 6;
  const X = randn([B, h * r, h * r, C], 11), G = randn([B, h, h, C], 12);
  startSaveTrace();
  const g = tf.grad((gg: Tensor) => tf.sum(guidedPool(gg, X, r)))(G);
  const log = stopSaveTrace().filter((s) => s.op === 'guidedPool');
  assert.equal(log.length, 1);
  assert.deepEqual(log[0].names, [...GUIDED_POOL_SAVES]);
  assert.deepEqual(log[0].shapes, [[B * h * h, r * r], [B * h * h, 1]]);
  tf.dispose([X, G, g]);
});

test('guidedPool rejects a guide map that does not match the stage map and rate', () => {
  const X = tf.zeros([2, 8, 8, 3]), G = tf.zeros([2, 4, 4, 3]);
  assert.throws(() => guidedPool(G, X, 4), /must be \[B, H\/r, W\/r, C\]/);
  tf.dispose([X, G]);
});

/** Peak of live wasm bytes above the start while fn runs (its results disposed). */
function peakAbove(fn: () => Tensor): number {
  const start = tracker.liveBytes;
  tracker.resetPeak();
  tf.dispose(fn());
  assert.equal(tracker.liveBytes, start, 'the measured function leaks tensors');
  return tracker.peakBytes - start;
}

test('guidedPool forward + backward holds about two stage maps at most, under half of the plain composition', () => {
  const B = 4, r = 8, h = 2, C = 32;
  const X = randn([B, h * r, h * r, C], 21), G = randn([B, h, h, C], 22), dy = randn([B, h, h, C], 23);
  const mapBytes = X.size * 4;
  const step = (f: (g: Tensor, x: Tensor, r: number) => Tensor) => () =>
    tf.tidy(() => tf.grad((g: Tensor) => tf.sum(tf.mul(f(g, X, r), dy)))(G));
  peakAbove(step(guidedPool)); // warm-up
  const lean = peakAbove(step(guidedPool)), plain = peakAbove(step(plainGuidedPool));
  console.log(`guidedPool fwd+bwd peak: lean ${(lean / mapBytes).toFixed(2)} maps, plain ${(plain / mapBytes).toFixed(2)} maps`);
  assert.ok(lean <= 2.5 * mapBytes, `lean peak ${lean} B vs stage map ${mapBytes} B`);
  assert.ok(lean < 0.5 * plain, `lean peak ${lean} B vs plain ${plain} B`);
  tf.dispose([X, G, dy]);
});

test('VseCnnUnipt: a training step peaks under half of the same module with the plain taped "Pre" step', () => {
  const hidden = [16, 16, 16, 16], hw = [32, 16, 8, 4], B = 2;
  const maps = hw.map((s, i) => randn([B, s, s, hidden[i]], 30 + i));
  const ctx: ForwardCtx = { training: true, rng: new Rng(0) };
  const measure = (plain: boolean) => {
    const m = new VseCnnUnipt({ hiddenSizes: hidden, embedSize: 16, hwSize: hw, hwRate: [8, 4, 2, 1] }, new Rng(5));
    if (plain) {
      // the same module with stageFeatures' "Pre" step in plain taped ops (what vse-cnn did before guidedPool)
      const mm = m as unknown as { stageFeatures: (maps: Tensor[], i: number, c: ForwardCtx) => Tensor };
      mm.stageFeatures = (ms, i, c) => {
        const N = ms.length - 1, X = ms[i], r = m.hwRate[i];
        const Gi = m.identity_layers!.get(String(i))!.forward(ms[N], c);
        const F = m.downsample_layers.get(String(i))!.forward(plainGuidedPool(Gi, X, r), c);
        return tf.reshape(F, [X.shape[0], F.shape[1]! * F.shape[2]!, m.mapping]);
      };
    }
    const vars = m.parameters().filter((p) => p.trainable && p.role !== 'buffer').map((p) => p.variable);
    let out: Float32Array | null = null;
    const run = () => tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(m.forward(maps, ctx))) as tf.Scalar, vars);
      return tf.stack([value, ...vars.map((v) => tf.sum(tf.abs(grads[v.name])))]);
    });
    peakAbove(run);
    const peak = peakAbove(() => { const t = run(); out = t.dataSync() as Float32Array; return t; });
    m.dispose();
    return { peak, out: out! };
  };
  const lean = measure(false), plain = measure(true);
  console.log(`VseCnnUnipt step peak above inputs: lean ${lean.peak} B, plain ${plain.peak} B`);
  // same loss and gradient norms (the BatchNorm running statistics moved identically in both)
  lean.out.forEach((v, i) => assert.ok(Math.abs(v - plain.out[i]) <= 1e-4 * Math.max(1, Math.abs(v)), `entry ${i}: ${v} vs ${plain.out[i]}`));
  assert.ok(lean.peak < 0.5 * plain.peak, `lean step peak ${lean.peak} B vs plain ${plain.peak} B`);
  tf.dispose(maps);
});
