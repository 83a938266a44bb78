// The ablation switches do what reference §4 / the method config say, the lean interaction gradient equals plain
// autograd, gradients reach only UniPT parameters, the T5 decoder branch is causal, and a few optimizer steps on
// random data lower a simple loss for every variant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { startSaveTrace, stopSaveTrace } from '../../src/engine/ops/index.js';
import type { Module, ForwardCtx } from '../../src/nn/module.js';
import type { Linear, LayerNorm } from '../../src/nn/layers.js';
import { AdamW } from '../../src/train/optim.js';
import {
  VseTextUnipt, VseCnnUnipt, Clip4ClipUnipt, ClipVilUnipt, MdetrUnipt, EncoderDecoderUnipt,
  interact, reluL1Attention, reluL1Normalize, parallelInteraction, lengthsToMask, BatchNorm2d, type Seq,
} from '../../src/petl/unipt/index.js';
import { randnSeeded as randn, tensorMaxDiff as maxDiff, tensorMaxAbs as maxAbs } from '../engine/support/tensors.js';

await initBackend('wasm');

const CTX: ForwardCtx = { training: true, rng: new Rng(0) };

/** Copy of `hs` with entry i replaced by fresh noise. */
function perturbed(hs: Tensor[], i: number, seed: number): Tensor[] {
  return hs.map((h, j) => (j === i ? tf.add(h, randn(h.shape as number[], seed)) : h));
}
const names = (m: Module) => m.namedParameters().map(([n]) => n);

// ---- the interaction core ----

/** Plain-autograd reference of the ReLU-L1 interaction (tfjs's own gradients). */
function plainReluL1(q: Tensor, k: Tensor, eps: number, mode: 'add' | 'clamp', mask: Tensor | null, residual: Tensor | null): Tensor {
  let s = tf.matMul(q, k, false, true);
  if (mask) s = tf.mul(s, mask);
  const a = tf.relu(s);
  const sum = tf.sum(tf.abs(a), -1, true);
  let W = tf.div(a, mode === 'add' ? tf.add(sum, eps) : tf.maximum(sum, eps));
  if (residual) W = tf.add(W, residual);
  return tf.matMul(W, k);
}

test('the lean ReLU-L1 interaction equals plain autograd (both eps conventions, masks, identity and token residuals)', () => {
  tf.tidy(() => {
    const B = 2, L = 5, d = 3;
    const q = randn([B, L, d], 1), k = randn([B, L, d], 2), w = randn([B, L, d], 3);
    const mask = tf.reshape(lengthsToMask([5, 3], L), [B, 1, L]);
    const eye = tf.reshape(tf.eye(L), [1, L, L]);
    const cases: [string, 'add' | 'clamp', Tensor | null, Tensor | null, Tensor, Tensor][] = [
      ['add, mask, identity', 'add', mask, eye, q, k],
      ['clamp, no mask, none', 'clamp', null, null, q, k],
      ['clamp, mask, one query + token selector', 'clamp', mask, tf.tensor3d([[[0, 0, 1, 0, 0]], [[1, 0, 0, 0, 0]]]), randn([B, 1, d], 4), k],
    ];
    for (const [label, mode, m, r, qq, kk] of cases) {
      const ww = qq.shape[1] === 1 ? randn([B, 1, d], 5) : w;
      const f = (fn: (a: Tensor, b: Tensor) => Tensor) => tf.grads((a: Tensor, b: Tensor) => tf.sum(tf.mul(fn(a, b), ww)));
      const lean = (a: Tensor, b: Tensor) => reluL1Attention(a, b, { eps: 1e-6, mode }, m, r);
      const plain = (a: Tensor, b: Tensor) => plainReluL1(a, b, 1e-6, mode, m, r);
      assert.ok(maxDiff(lean(qq, kk), plain(qq, kk)) < 1e-5, `${label}: forward`);
      const [gl, gp] = [f(lean)([qq, kk]), f(plain)([qq, kk])];
      assert.ok(maxDiff(gl[0], gp[0]) < 1e-5, `${label}: d/dq`);
      assert.ok(maxDiff(gl[1], gp[1]) < 1e-5, `${label}: d/dk`);
      assert.ok(maxAbs(gl[0]) > 1e-3 && maxAbs(gl[1]) > 1e-3, `${label}: gradients are not trivially zero`);
    }
    // the patch-weight normalisation of the CNN variant
    const x = randn([6, 4], 6), wx = randn([6, 4], 7);
    const gLean = tf.grad((a: Tensor) => tf.sum(tf.mul(reluL1Normalize(a, { eps: 1e-8, mode: 'add' }), wx)))(x);
    const gPlain = tf.grad((a: Tensor) => { const r = tf.relu(a); return tf.sum(tf.mul(tf.div(r, tf.add(tf.sum(r, -1, true), 1e-8)), wx)); })(x);
    assert.ok(maxDiff(gLean, gPlain) < 1e-5);
  });
});

test('the lean interaction keeps only q, k, the weights and the row norms (plus constant masks) for backward', () => {
  tf.tidy(() => {
    const q = randn([2, 4, 3], 1), k = randn([2, 4, 3], 2);
    startSaveTrace();
    tf.grads((a: Tensor, b: Tensor) => tf.sum(reluL1Attention(a, b, { eps: 1e-8, mode: 'add' }, null, null)))([q, k]);
    const rec = stopSaveTrace().filter((r) => r.op === 'reluL1Attention');
    assert.equal(rec.length, 1);
    assert.deepEqual(rec[0].names, ['q', 'k', 'W', 'n']);
    assert.deepEqual(rec[0].shapes, [[2, 4, 3], [2, 4, 3], [2, 4, 4], [2, 4, 1]]);
  });
});

test('interaction "off" with identity gives F\'_i = F_i; the identity term adds exactly F_i', () => {
  tf.tidy(() => {
    const q = randn([2, 4, 3], 1), k = randn([2, 4, 3], 2);
    const norm = { eps: 1e-8, mode: 'add' as const };
    assert.equal(maxDiff(interact('off', norm, { query: q, keys: k, residual: { kind: 'identity' } }), k), 0);
    const withI = interact('relu-l1', norm, { query: q, keys: k, residual: { kind: 'identity' } });
    const without = interact('relu-l1', norm, { query: q, keys: k, residual: null });
    assert.ok(maxDiff(tf.sub(withI, without), k) < 1e-6);
    // rows whose scores are all negative (ReLU kills them) give a zero attention row: the identity returns F_i itself
    const neg = interact('relu-l1', norm, { query: tf.neg(tf.abs(q)), keys: tf.abs(k), residual: { kind: 'identity' } });
    assert.ok(maxDiff(neg, tf.abs(k)) < 1e-6);
  });
});

test('interaction "softmax" is softmax(q kᵀ/√d) over unmasked keys (+ identity)', () => {
  tf.tidy(() => {
    const q = randn([2, 4, 3], 1), k = randn([2, 4, 3], 2);
    const m = tf.reshape(lengthsToMask([4, 2], 4), [2, 1, 4]);
    const got = interact('softmax', { eps: 1e-8, mode: 'add' }, { query: q, keys: k, mask: m, residual: { kind: 'identity' } });
    // by hand for row b=1: keys 2 and 3 are padding
    const qa = q.arraySync() as number[][][], ka = k.arraySync() as number[][][];
    const ga = got.arraySync() as number[][][];
    for (const b of [0, 1]) for (let t = 0; t < 4; t++) {
      const valid = b === 0 ? 4 : 2;
      const s = Array.from({ length: valid }, (_, j) => qa[b][t].reduce((acc, v, c) => acc + v * ka[b][j][c], 0) / Math.sqrt(3));
      const mx = Math.max(...s), e = s.map((v) => Math.exp(v - mx)), z = e.reduce((a, v) => a + v, 0);
      for (let c = 0; c < 3; c++) {
        const want = e.reduce((acc, v, j) => acc + (v / z) * ka[b][j][c], 0) + ka[b][t][c];
        assert.ok(Math.abs(ga[b][t][c] - want) < 1e-5, `b=${b} t=${t} c=${c}: ${ga[b][t][c]} vs ${want}`);
      }
    }
  });
});

test('uniform aggregation gives equal layer weights and the plain mean of F\'_i; the gate gives a softmax over layers', () => {
  tf.tidy(() => {
    const guide = randn([2, 3, 4], 1);
    const feats = [randn([2, 3, 4], 2), randn([2, 3, 4], 3), randn([2, 3, 4], 4)];
    const common = {
      guide, layers: [0, 1, 2], feature: (i: number) => feats[i], pool: (F: Tensor) => tf.mean(F, 1),
      interaction: 'off' as const, norm: { eps: 1e-8, mode: 'add' as const }, mask: null, residual: { kind: 'identity' as const },
    };
    const u = parallelInteraction({ ...common, guidePooled: null, aggregation: 'uniform', gate: null });
    assert.deepEqual(u.weights.shape, [2, 3]);
    for (const v of u.weights.dataSync()) assert.ok(Math.abs(v - 1 / 3) < 1e-7);
    assert.ok(maxDiff(u.fused, tf.div(tf.addN(feats), 3)) < 1e-6);
    const m = new VseTextUnipt({ hiddenSizes: [4, 4], embedSize: 8 }, new Rng(1));
    const gate = m.gate_layer!;
    const g = parallelInteraction({ ...common, guidePooled: tf.mean(guide, 1), aggregation: 'gate', gate });
    const sums = tf.sum(g.weights, -1).dataSync();
    for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-6);
    assert.ok(maxAbs(tf.sub(g.weights, 1 / 3)) > 1e-4, 'a random gate does not give uniform weights');
    m.dispose();
  });
});

/** Plain-op re-computation of vse-text with interaction 'off' and uniform aggregation: Up(F_N + Proj(mean_i F_i)). */
function vseOffUniformReference(m: VseTextUnipt, hs: Tensor[]): Tensor {
  const lin = (l: Linear, x: Tensor) => tf.add(tf.matMul(tf.reshape(x, [-1, l.inFeatures]), l.weight.value), l.bias!.value).reshape([...x.shape.slice(0, -1), l.outFeatures]);
  const ln = (n: LayerNorm, x: Tensor) => { const { mean, variance } = tf.moments(x, -1, true); return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), n.weight.value), n.bias.value); };
  const down = (s: Seq, x: Tensor) => ln(s.at<LayerNorm>(1), lin(s.at<Linear>(0), x));
  const N = hs.length - 1;
  const F = hs.slice(0, N).map((h, i) => down(m.downsample_layers.get(String(i))!, h));
  const guide = down(m.downsample_layers.get(String(N))!, hs[N]);
  const Fc = tf.add(guide, down(m.projection_layer!, tf.div(tf.addN(F), N)));
  return lin(m.upsample_layer.at<Linear>(1), tf.relu(Fc));
}

test('vse-text with interaction "off" and uniform aggregation computes Up(F_N + Proj(mean_i F_i)); no gate exists', () => {
  tf.tidy(() => {
    const m = new VseTextUnipt({ hiddenSizes: [5, 6, 5], embedSize: 8, interaction: 'off', aggregation: 'uniform' }, new Rng(2));
    assert.equal(m.gate_layer, null);
    assert.ok(!names(m).some((n) => n.startsWith('gate_layer')));
    const hs = [randn([2, 4, 5], 1), randn([2, 4, 6], 2), randn([2, 4, 5], 3)];
    const out = m.forward(hs, lengthsToMask([4, 2], 4));
    assert.ok(maxDiff(out, vseOffUniformReference(m, hs)) < 1e-5);
    m.dispose();
  });
});

test('guideOnly ignores every other layer (perturbing a non-guide hidden state leaves the output unchanged)', () => {
  tf.tidy(() => {
    const hs = [randn([2, 4, 6], 1), randn([2, 4, 6], 2), randn([2, 4, 6], 3)];
    const mask = lengthsToMask([4, 3], 4);
    const text = new VseTextUnipt({ hiddenSizes: [6, 6, 6], embedSize: 8, guideOnly: true }, new Rng(3));
    assert.deepEqual(names(text).sort(), ['downsample_layers.2.0.bias', 'downsample_layers.2.0.weight', 'downsample_layers.2.1.bias', 'downsample_layers.2.1.weight', 'upsample_layer.1.bias', 'upsample_layer.1.weight']);
    const base = text.forward(hs, mask);
    assert.equal(maxDiff(text.forward(perturbed(hs, 0, 9), mask), base), 0);
    assert.equal(maxDiff(text.forward(perturbed(hs, 1, 9), mask), base), 0);
    assert.ok(maxDiff(text.forward(perturbed(hs, 2, 9), mask), base) > 1e-3, 'the guide still matters');
    // the same control with every layer: a non-guide perturbation does change the output
    const full = new VseTextUnipt({ hiddenSizes: [6, 6, 6], embedSize: 8 }, new Rng(3));
    assert.ok(maxDiff(full.forward(perturbed(hs, 0, 9), mask), full.forward(hs, mask)) > 1e-4);

    const vil = new ClipVilUnipt({ hiddenSize: 6, numLayers: 2, guideOnly: true }, new Rng(4));
    assert.equal(maxDiff(vil.forward(perturbed(hs, 0, 9), mask), vil.forward(hs, mask)), 0);
    const c4c = new Clip4ClipUnipt({ hiddenSizes: [6, 6, 6], embedSize: 6, guideOnly: true }, new Rng(5));
    const raw = randn([2, 6], 6);
    assert.equal(maxDiff(c4c.forward(perturbed(hs, 2, 9), raw, mask, null), c4c.forward(hs, raw, mask, null)), 0);

    const maps = [randn([2, 4, 4, 3], 7), randn([2, 2, 2, 5], 8)];
    const cnn = new VseCnnUnipt({ hiddenSizes: [3, 5], embedSize: 6, hwRate: [2, 1], hwSize: [4, 2], guideOnly: true }, new Rng(6));
    const evalCtx: ForwardCtx = { training: false, rng: new Rng(0) };
    assert.equal(maxDiff(cnn.forward(perturbed(maps, 0, 9), evalCtx), cnn.forward(maps, evalCtx)), 0);
    for (const m of [text, full, vil, c4c, cnn]) m.dispose();
  });
});

test('a layer subset builds only those Down layers and ignores the other hidden states', () => {
  tf.tidy(() => {
    const hs = [randn([2, 3, 4], 1), randn([2, 3, 4], 2), randn([2, 3, 4], 3), randn([2, 3, 4], 4)];
    const m = new VseTextUnipt({ hiddenSizes: [4, 4, 4, 4], embedSize: 6, layers: [0, 2] }, new Rng(7));
    const downs = [...new Set(names(m).filter((n) => n.startsWith('downsample_layers.')).map((n) => n.split('.')[1]))];
    assert.deepEqual(downs, ['0', '2', '3']);
    const base = m.forward(hs, null);
    assert.equal(maxDiff(m.forward(perturbed(hs, 1, 9), null), base), 0);
    assert.ok(maxDiff(m.forward(perturbed(hs, 0, 9), null), base) > 1e-4);
    assert.throws(() => new VseTextUnipt({ hiddenSizes: [4, 4, 4, 4], embedSize: 6, layers: [3] }, new Rng(7)), /out of range; valid indices are 0\.\.2/);
    assert.throws(() => new VseTextUnipt({ hiddenSizes: [4, 4, 4, 4], embedSize: 6, layers: [1, 1] }, new Rng(7)), /listed twice/);
    m.dispose();
  });
});

test('the downsample factor sets d\' = width // D; identity=true is refused where the guide has one token', () => {
  const m = new VseTextUnipt({ hiddenSizes: [8, 8], embedSize: 16, downsampleFactor: 4 }, new Rng(8));
  assert.equal(m.mapping, 4);
  assert.deepEqual(m.getParam('downsample_layers.0.0.weight').shape, [8, 4]);
  m.dispose();
  const v = new ClipVilUnipt({ hiddenSize: 12, numLayers: 2, downsampleFactor: 3 }, new Rng(8));
  assert.deepEqual(v.getParam('side_downsamples_l.1.0.weight').shape, [12, 4]);
  v.dispose();
  assert.throws(() => new Clip4ClipUnipt({ hiddenSizes: [4, 4], embedSize: 4, identity: true }, new Rng(8)), /identity=true is impossible/);
});

test('the T5 decoder branch is causal: later decoder positions never change earlier outputs', () => {
  tf.tidy(() => {
    const m = new EncoderDecoderUnipt({ dModel: 8, numEncoderLayers: 2, numDecoderLayers: 2, downsampleFactor: 2 }, new Rng(9));
    const enc = [randn([2, 5, 8], 1), randn([2, 5, 8], 2), randn([2, 5, 8], 3)];
    const dec = [randn([2, 4, 8], 4), randn([2, 4, 8], 5), randn([2, 4, 8], 6)];
    const mask = lengthsToMask([5, 3], 5);
    const base = m.forward({ encoderStates: enc, encoderMask: mask, decoderStates: dec });
    // change every decoder hidden state at positions 2..3 only
    const later = tf.concat([tf.zeros([2, 2, 8]), tf.ones([2, 2, 8])], 1);
    const dec2 = dec.map((h, i) => tf.add(h, tf.mul(later, randn([2, 4, 8], 20 + i))));
    const out2 = m.forward({ encoderStates: enc, encoderMask: mask, decoderStates: dec2 });
    assert.ok(maxDiff(tf.slice(out2, [0, 0, 0], [2, 2, 8]), tf.slice(base, [0, 0, 0], [2, 2, 8])) < 1e-6, 'positions 0..1 unchanged');
    assert.ok(maxDiff(tf.slice(out2, [0, 2, 0], [2, 2, 8]), tf.slice(base, [0, 2, 0], [2, 2, 8])) > 1e-3, 'positions 2..3 changed');
    // padded encoder tokens are invisible to the decoder branch
    const enc3 = enc.map((h) => tf.add(h, tf.mul(tf.reshape(tf.sub(1, mask), [2, 5, 1]), 5)));
    assert.ok(maxDiff(m.forward({ encoderStates: enc3, encoderMask: mask, decoderStates: dec }), base) < 1e-5);
    m.dispose();
  });
});

test('BatchNorm2d: batch statistics in training, running statistics updated as PyTorch (momentum 0.1, unbiased var)', () => {
  tf.tidy(() => {
    const bn = new BatchNorm2d(2);
    // channel 0: 1, 2, 3, 6 (mean 3, biased var 3.5, unbiased 14/3); channel 1: all 4
    const x = tf.tensor4d([1, 4, 2, 4, 3, 4, 6, 4], [2, 1, 2, 2]);
    const y = bn.forward(x, CTX).arraySync() as number[][][][];
    assert.ok(Math.abs(y[0][0][0][0] - (1 - 3) / Math.sqrt(3.5 + 1e-5)) < 1e-5);
    assert.ok(Math.abs(y[1][0][1][0] - (6 - 3) / Math.sqrt(3.5 + 1e-5)) < 1e-5);
    const rm = bn.running_mean.value.dataSync(), rv = bn.running_var.value.dataSync();
    assert.ok(Math.abs(rm[0] - 0.3) < 1e-6 && Math.abs(rm[1] - 0.4) < 1e-6);
    assert.ok(Math.abs(rv[0] - (0.9 + 0.1 * 14 / 3)) < 1e-6 && Math.abs(rv[1] - 0.9) < 1e-6);
    const ye = bn.forward(x, { ...CTX, training: false }).dataSync();
    assert.ok(Math.abs(ye[0] - (1 - 0.3) / Math.sqrt(rv[0] + 1e-5)) < 1e-5);
    assert.throws(() => bn.forward(tf.ones([1, 1, 1, 2]), CTX), /more than 1 value per channel/);
    bn.dispose();
  });
});

// ---- every variant, on tiny random inputs ----

interface Built { module: Module; loss(): Tensor }

function variants(): [string, () => Built][] {
  const B = 2;
  const target = (shape: number[], seed: number) => randn(shape, seed);
  const mse = (y: Tensor, t: Tensor) => tf.mean(tf.square(tf.sub(y, t)));
  return [
    ['vse-text', () => {
      const m = new VseTextUnipt({ hiddenSizes: [6, 6, 6], embedSize: 8 }, new Rng(11));
      const hs = [randn([B, 4, 6], 1), randn([B, 4, 6], 2), randn([B, 4, 6], 3)], mask = lengthsToMask([4, 2], 4), t = target([B, 4, 8], 4);
      return { module: m, loss: () => mse(m.forward(hs, mask), t) };
    }],
    ['vse-cnn', () => {
      const m = new VseCnnUnipt({ hiddenSizes: [3, 4, 5], embedSize: 6, hwRate: [4, 2, 1], hwSize: [8, 4, 2] }, new Rng(12));
      const maps = [randn([B, 8, 8, 3], 1), randn([B, 4, 4, 4], 2), randn([B, 2, 2, 5], 3)], t = target([B, 4, 6], 4);
      return { module: m, loss: () => mse(m.forward(maps, CTX), t) };
    }],
    ['clip4clip', () => {
      const m = new Clip4ClipUnipt({ hiddenSizes: [6, 6, 6], embedSize: 4 }, new Rng(13));
      const hs = [randn([B, 5, 6], 1), randn([B, 5, 6], 2), randn([B, 5, 6], 3)], raw = randn([B, 4], 4), mask = lengthsToMask([5, 3], 5), t = target([B, 4], 5);
      return { module: m, loss: () => mse(m.forward(hs, raw, mask, [4, 2]), t) };
    }],
    ['clip-vil', () => {
      const m = new ClipVilUnipt({ hiddenSize: 6, numLayers: 2 }, new Rng(14));
      const hs = [randn([B, 4, 6], 1), randn([B, 4, 6], 2), randn([B, 4, 6], 3)], mask = lengthsToMask([4, 3], 4), t = target([B, 4, 6], 4);
      return { module: m, loss: () => mse(m.forward(hs, mask), t) };
    }],
    ['mdetr', () => {
      const m = new MdetrUnipt({ dModel: 8, numLayers: 4, layers: [1, 3] }, new Rng(15));
      const enc = [0, 1, 2, 3, 4].map((i) => randn([B, 5, 8], i + 1)), dec = [0, 1, 2, 3, 4].map((i) => randn([B, 3, 8], i + 10));
      const mask = lengthsToMask([5, 4], 5), t = target([3, B, 3, 8], 30);
      return { module: m, loss: () => mse(m.forward({ encoderStates: enc, encoderMask: mask, decoderStates: dec }).decoder, t) };
    }],
    ['encoder-decoder', () => {
      const m = new EncoderDecoderUnipt({ dModel: 8, numEncoderLayers: 2, numDecoderLayers: 2, downsampleFactor: 2 }, new Rng(16));
      const enc = [0, 1, 2].map((i) => randn([B, 5, 8], i + 1)), dec = [0, 1, 2].map((i) => randn([B, 3, 8], i + 10));
      const mask = lengthsToMask([5, 4], 5), t = target([B, 3, 8], 30);
      return { module: m, loss: () => mse(m.forward({ encoderStates: enc, encoderMask: mask, decoderStates: dec }), t) };
    }],
  ];
}

test('gradients reach exactly the UniPT parameters, never the backbone that produced the hidden states', () => {
  tf.tidy(() => {
    // a frozen-by-construction "backbone": a trainable variable used only outside the tape
    const backboneW = tf.variable(randn([6, 6], 40), true, 'fake-backbone-weight');
    const x = randn([2, 4, 6], 41);
    const hs = [x, tf.matMul(x.reshape([8, 6]), backboneW).reshape([2, 4, 6]), tf.tanh(tf.matMul(x.reshape([8, 6]), backboneW)).reshape([2, 4, 6])];
    const m = new VseTextUnipt({ hiddenSizes: [6, 6, 6], embedSize: 8 }, new Rng(42));
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(m.forward(hs, null))) as tf.Scalar);
    assert.ok(Number.isFinite(value.dataSync()[0]));
    const unipt = m.parameters().filter((p) => p.trainable).map((p) => p.variable.name).sort();
    assert.deepEqual(Object.keys(grads).sort(), unipt);
    for (const g of Object.values(grads)) assert.ok(g.dataSync().every(Number.isFinite));
    m.dispose();
    backboneW.dispose();
  });
});

for (const [name, make] of variants()) {
  test(`${name}: every trainable parameter gets a gradient, 8 AdamW steps lower a regression loss, no tensor leaks`, () => {
    const built = make();   // inputs and targets live for the whole test (the closures read them)
    const params = built.module.parameters().filter((p) => p.trainable);
    const opt = new AdamW(params, { lr: 1e-2 });
    const losses: number[] = [];
    let liveAfterFirst = 0;
    for (let step = 0; step < 8; step++) {
      const { value, grads } = tf.variableGrads(() => built.loss() as tf.Scalar, params.map((p) => p.variable));
      if (step === 0) {
        const missing = built.module.namedParameters().filter(([, p]) => p.trainable && !grads[p.variable.name]).map(([n]) => n);
        assert.deepEqual(missing, [], `${name}: parameters without a gradient`);
        const dead = built.module.namedParameters().filter(([, p]) => p.trainable && maxAbs(grads[p.variable.name]) === 0).map(([n]) => n);
        // a bias right before a batch-statistics BatchNorm and the gate bias under the softmax are analytically zero
        assert.ok(dead.every((n) => /\.0\.bias$|gate_layer.*\.bias$/.test(n)), `${name}: zero gradients for ${dead.join(', ')}`);
      }
      losses.push(value.dataSync()[0]);
      opt.apply(grads);
      tf.dispose([value, ...Object.values(grads)]);
      if (step === 0) liveAfterFirst = tf.memory().numTensors;
    }
    assert.equal(tf.memory().numTensors, liveAfterFirst, `${name}: tensors leak across training steps`);
    assert.ok(losses.every(Number.isFinite), `${name}: losses ${losses}`);
    assert.ok(losses[7] < 0.9 * losses[0], `${name}: loss went ${losses[0]} -> ${losses[7]}`);
    built.module.dispose();
  });
}
