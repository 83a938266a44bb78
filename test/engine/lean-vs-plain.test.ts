// Each lean primitive against its plain tfjs-autograd twin on wasm: same outputs and same gradients (max abs
// difference <= 1e-5 on small shapes). The plain conv's filter gradient needs Conv2DBackpropFilter, which wasm
// lacks, so that one gradient is taken on the cpu backend and compared with the lean wasm result.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { linear, frozenLinear, plainLinear } from '../../src/engine/ops/linear.js';
import { layerNorm, addLayerNorm, rmsNorm, frozenLayerNorm, frozenAddLayerNorm, frozenRmsNorm, plainLayerNorm, plainRmsNorm } from '../../src/engine/ops/norm.js';
import { gelu, geluTanh, quickGelu, relu, softmax, plainGelu, plainGeluTanh, plainQuickGelu, plainRelu, plainSoftmax } from '../../src/engine/ops/activation.js';
import { dropout, plainDropout } from '../../src/engine/ops/dropout.js';
import { attention, plainAttention, splitHeads, mergeHeads } from '../../src/engine/ops/attention.js';
import { embedding, frozenEmbedding, plainEmbedding } from '../../src/engine/ops/embedding.js';
import { conv2d, plainConv2d, type Conv2dOptions } from '../../src/engine/ops/conv.js';
import { batchNormTrain, batchNormInference, plainBatchNormTrain } from '../../src/engine/ops/batchnorm.js';
import { leanOps, plainOps, setOpsMode } from '../../src/engine/ops/index.js';
import { TextEncoder } from '../../src/backbones/text/bert.js';
import { TextEncoderConfigSchema, TEXT_ENCODER_PRESETS } from '../../src/backbones/text/config.js';
import { randn, randInt, values, maxAbs, maxAbsDiff } from './support/tensors.js';

const TOL = 1e-5;
const rng = new Rng(4242);
const r = (shape: number[], std = 1, mean = 0) => randn(shape, rng, std, mean);
type Fn = (...xs: Tensor[]) => Tensor;

interface Result { y: Float64Array; grads: Float64Array[] }

function run(f: Fn, xs: Tensor[], dy: Tensor): Result {
  const y = values(tf.tidy(() => f(...xs)));
  const gs = tf.grads((...a: Tensor[]) => f(...a))(xs, dy);
  const grads = gs.map(values);
  tf.dispose(gs);
  return { y, grads };
}

/** Asserts lean and plain agree on the output and every input's gradient under the same random dy. */
function same(label: string, lean: Fn, plain: Fn, xs: Tensor[], names: string[] = xs.map((_, i) => `input ${i}`)): void {
  const yShape = tf.tidy(() => lean(...xs).shape as number[]);
  const dy = r(yShape);
  const a = run(lean, xs, dy), b = run(plain, xs, dy);
  dy.dispose();
  const dOut = maxAbsDiff(a.y, b.y);
  assert.ok(dOut <= TOL, `${label}: outputs differ by ${dOut}`);
  a.grads.forEach((g, i) => {
    const d = maxAbsDiff(g, b.grads[i]);
    assert.ok(d <= TOL, `${label}: gradients of ${names[i]} differ by ${d}`);
  });
}

before(async () => { await initBackend('wasm'); });

test('linear / frozenLinear vs plainLinear', () => {
  const W = r([8, 6]), b = r([6]);
  for (const xs of [[5, 8], [2, 3, 8]]) {
    same(`linear [${xs}]`, (x, w, bb) => linear(x, w, bb), (x, w, bb) => plainLinear(x, w, bb), [r(xs), W, b], ['x', 'W', 'b']);
    same(`linear no bias [${xs}]`, (x, w) => linear(x, w), (x, w) => plainLinear(x, w), [r(xs), W], ['x', 'W']);
    same(`frozenLinear [${xs}]`, (x) => frozenLinear(x, W, b), (x) => plainLinear(x, W, b), [r(xs)], ['x']);
    same(`frozenLinear trainable bias [${xs}]`, (x, bb) => frozenLinear(x, W, bb, true), (x, bb) => plainLinear(x, W, bb), [r(xs), b], ['x', 'b']);
  }
});

test('norms vs plainLayerNorm / plainRmsNorm', () => {
  const g = r([8], 0.5, 1), b = r([8], 0.5);
  same('layerNorm', (x, gg, bb) => layerNorm(x, gg, bb), (x, gg, bb) => plainLayerNorm(x, gg, bb), [r([2, 3, 8]), g, b], ['x', 'gamma', 'beta']);
  same('addLayerNorm', (x, res, gg, bb) => addLayerNorm(x, res, gg, bb), (x, res, gg, bb) => plainLayerNorm(tf.add(x, res), gg, bb),
    [r([4, 8]), r([4, 8]), g, b], ['x', 'r', 'gamma', 'beta']);
  same('rmsNorm', (x, gg) => rmsNorm(x, gg), (x, gg) => plainRmsNorm(x, gg), [r([4, 8]), g], ['x', 'gamma']);
  same('frozenLayerNorm', (x) => frozenLayerNorm(x, g, b), (x) => plainLayerNorm(x, g, b), [r([4, 8])]);
  same('frozenAddLayerNorm', (x, res) => frozenAddLayerNorm(x, res, g, b), (x, res) => plainLayerNorm(tf.add(x, res), g, b), [r([4, 8]), r([4, 8])]);
  same('frozenRmsNorm', (x) => frozenRmsNorm(x, g), (x) => plainRmsNorm(x, g), [r([4, 8])]);
});

test('activations vs their plain twins', () => {
  const x = r([4, 7], 2);
  same('gelu', gelu, plainGelu, [x]);
  same('geluTanh', geluTanh, plainGeluTanh, [x]);
  same('quickGelu', quickGelu, plainQuickGelu, [x]);
  same('relu', relu, plainRelu, [x]);
  same('softmax', softmax, plainSoftmax, [r([2, 3, 5], 2)]);
});

test('dropout vs plainDropout with the same Rng stream', () => {
  same('dropout', (x) => dropout(x, 0.4, new Rng(8)), (x) => plainDropout(x, 0.4, new Rng(8)), [r([6, 9])]);
});

test('attention vs plainAttention (mask, trainable bias, dropout with the same Rng stream)', () => {
  const [B, H, T, d] = [2, 3, 5, 4];
  const mask = tf.tensor([0, 0, 0, 0, 0, 0, 0, 0, -1e9, -1e9], [B, 1, 1, T]);
  const qkv = [r([B, H, T, d]), r([B, H, T, d]), r([B, H, T, d])];
  const bias = r([1, H, T, T]);
  const names = ['q', 'k', 'v', 'bias'];
  same('attention+mask', (q, k, v) => attention(q, k, v, { mask }), (q, k, v) => plainAttention(q, k, v, { mask }), qkv, names);
  same('attention+bias', (q, k, v, bb) => attention(q, k, v, { mask, scale: 1 }, bb), (q, k, v, bb) => plainAttention(q, k, v, { mask, scale: 1 }, bb), [...qkv, bias], names);
  const drop = () => ({ mask, dropoutRate: 0.3, rng: new Rng(21) });
  same('attention+dropout', (q, k, v) => attention(q, k, v, drop()), (q, k, v) => plainAttention(q, k, v, drop()), qkv, names);
  same('attention+bias+dropout', (q, k, v, bb) => attention(q, k, v, drop(), bb), (q, k, v, bb) => plainAttention(q, k, v, drop(), bb), [...qkv, bias], names);
  same('splitHeads', (x) => splitHeads(x, B, T, H), (x) => tf.transpose(tf.reshape(x, [B, T, H, d]), [0, 2, 1, 3]), [r([B * T, H * d])]);
  same('mergeHeads', (x) => mergeHeads(x), (x) => tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [B * T, H * d]), [qkv[0]]);
});

test('embedding vs plainEmbedding (table gradient), frozenEmbedding output', () => {
  const ids = tf.tensor([[3, 1, 3, 0], [6, 6, 2, 1]], [2, 4], 'int32');
  same('embedding', (t) => embedding(t, ids), (t) => plainEmbedding(t, ids), [r([7, 5])]);
  const table = r([7, 5]);
  assert.ok(maxAbsDiff(values(frozenEmbedding(table, ids)), values(plainEmbedding(table, ids))) === 0);
});

test('batchNormTrain vs plainBatchNormTrain; batchNormInference vs the plain affine map', () => {
  const g = r([3], 0.5, 1), b = r([3], 0.5);
  same('batchNormTrain', (x, gg, bb) => batchNormTrain(x, gg, bb).y, (x, gg, bb) => plainBatchNormTrain(x, gg, bb), [r([2, 3, 3, 3], 2, 1), g, b], ['x', 'gamma', 'beta']);
  const rm = r([3]), rv = tf.tidy(() => tf.add(tf.abs(r([3])), 0.3));
  const plainInf = (x: Tensor, gg: Tensor, bb: Tensor) => tf.add(tf.mul(tf.div(tf.sub(x, rm), tf.sqrt(tf.add(rv, 1e-5))), gg), bb);
  same('batchNormInference', (x, gg, bb) => batchNormInference(x, gg, bb, rm, rv), plainInf, [r([2, 2, 2, 3]), g, b], ['x', 'gamma', 'beta']);
  same('batchNormInference frozen', (x) => batchNormInference(x, g, b, rm, rv, 1e-5, false), (x) => plainInf(x, g, b), [r([2, 2, 2, 3])]);
});

test('conv2d vs plainConv2d: output and input gradient on wasm, filter gradient against cpu', async () => {
  const cases: [number[], number[], Conv2dOptions][] = [
    [[2, 6, 6, 3], [3, 3, 3, 4], { stride: 1, pad: 'same' }],
    [[1, 6, 6, 2], [3, 3, 2, 3], { stride: 2, pad: 'same' }],
    [[1, 7, 5, 2], [2, 3, 2, 2], { stride: 2, pad: 1 }],
    [[1, 5, 5, 4], [3, 3, 2, 6], { stride: 1, pad: 'valid', groups: 2 }],
  ];
  const pending: { label: string; x: Tensor; W: Tensor; dy: Tensor; opts: Conv2dOptions; leanDW: Float64Array }[] = [];
  for (const [xs, ws, opts] of cases) {
    const label = `conv2d ${JSON.stringify(opts)}`;
    const x = r(xs), W = r(ws, 0.5);
    same(`${label} frozen W`, (a) => conv2d(a, W, opts, false), (a) => plainConv2d(a, W, opts), [x]);
    const dy = r(tf.tidy(() => conv2d(x, W, opts).shape as number[]));
    const lean = run((a, w) => conv2d(a, w, opts, true), [x, W], dy);
    const plainX = run((a) => plainConv2d(a, W, opts), [x], dy);
    assert.ok(maxAbsDiff(lean.y, plainX.y) <= TOL, `${label}: outputs differ`);
    assert.ok(maxAbsDiff(lean.grads[0], plainX.grads[0]) <= TOL, `${label}: input gradients differ`);
    pending.push({ label, x, W, dy, opts, leanDW: lean.grads[1] });
  }
  await initBackend('cpu');
  try {
    for (const p of pending) {
      const plain = run((a, w) => plainConv2d(a, w, p.opts), [p.x, p.W], p.dy);
      const d = maxAbsDiff(p.leanDW, plain.grads[1]);
      assert.ok(d <= TOL, `${p.label}: lean filter gradient (wasm) and plain filter gradient (cpu) differ by ${d}`);
    }
  } finally {
    await initBackend('wasm');
  }
});

test('the Ops sets: leanOps and plainOps agree through their dispatch (trainable and frozen flags)', () => {
  const W = r([6, 5]), b = r([5]), g = r([5], 0.5, 1), beta = r([5], 0.5);
  same('ops.linear trainW', (x, w, bb) => leanOps.linear(x, w, bb, true), (x, w, bb) => plainOps.linear(x, w, bb, true), [r([4, 6]), W, b]);
  same('ops.linear frozen W, trainable b', (x, bb) => leanOps.linear(x, W, bb, false, true), (x, bb) => plainOps.linear(x, W, bb, false, true), [r([4, 6]), b]);
  same('ops.linear frozen', (x) => leanOps.linear(x, W, b, false), (x) => plainOps.linear(x, W, b, false), [r([4, 6])]);
  for (const train of [true, false]) {
    same(`ops.layerNorm train=${train}`, (x) => leanOps.layerNorm(x, g, beta, 1e-5, train), (x) => plainOps.layerNorm(x, g, beta, 1e-5, train), [r([3, 5])]);
    same(`ops.addLayerNorm train=${train}`, (x, res) => leanOps.addLayerNorm(x, res, g, beta, 1e-5, train), (x, res) => plainOps.addLayerNorm(x, res, g, beta, 1e-5, train), [r([3, 5]), r([3, 5])]);
    same(`ops.rmsNorm train=${train}`, (x) => leanOps.rmsNorm(x, g, 1e-6, train), (x) => plainOps.rmsNorm(x, g, 1e-6, train), [r([3, 5])]);
  }
  const ids = tf.tensor([1, 0, 3], [3], 'int32');
  same('ops.embedding', (t) => leanOps.embedding(t, ids, true), (t) => plainOps.embedding(t, ids, true), [r([4, 5])]);
});

test('a whole (tiny) BERT encoder, fully trainable, with dropout: lean and plain give the same loss and gradients', () => {
  const cfg = TextEncoderConfigSchema.parse({ ...TEXT_ENCODER_PRESETS['bench-reference'], vocab_size: 40, hidden_size: 16,
    num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 8 });
  const enc = new TextEncoder(cfg, 5);
  const [B, T] = [2, 6];
  const ids = randInt([B, T], 40, rng);
  const mask = tf.tensor([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], [B, T]);
  const w = r([B, T, 16]);
  const vars = enc.parameters().map((p) => p.variable);
  const lossAndGrads = (mode: 'lean' | 'plain') => {
    setOpsMode(mode);
    try {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(enc.forward({ ids, mask }, { training: true, rng: new Rng(17) }).last, w)) as tf.Scalar, vars);
      const out = { loss: value.dataSync()[0], grads: new Map(Object.entries(grads).map(([k, g]) => [k, values(g)])) };
      tf.dispose([value, ...Object.values(grads)]);
      return out;
    } finally { setOpsMode('lean'); }
  };
  const lean = lossAndGrads('lean'), plain = lossAndGrads('plain');
  assert.ok(Math.abs(lean.loss - plain.loss) <= 1e-4, `losses ${lean.loss} vs ${plain.loss}`);
  // every parameter the forward pass uses gets a gradient (the pooler is not part of forward)
  const used = enc.namedParameters().filter(([n]) => !n.startsWith('pooler.'));
  assert.deepEqual([...lean.grads.keys()].sort(), used.map(([, p]) => p.variable.name).sort());
  assert.deepEqual([...plain.grads.keys()].sort(), [...lean.grads.keys()].sort());
  for (const [n, p] of used) {
    const a = lean.grads.get(p.variable.name)!, b = plain.grads.get(p.variable.name)!;
    // through two layers float32 summation order matters: compare relative to the gradient's size
    const d = maxAbsDiff(a, b) / Math.max(1, maxAbs(b));
    if (process.env.FD_VERBOSE) console.log(n, d, maxAbs(b));
    assert.ok(d <= 1e-5, `${n}: gradients differ by ${d} (relative)`);
  }
  enc.dispose();
});
